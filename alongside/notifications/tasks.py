from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.tasks import task


@task()
def send_email(
    *,
    to: list[str],
    subject: str,
    body: str,
    html: str | None = None,
    headers: dict[str, str] | None = None,
) -> None:
    message = EmailMultiAlternatives(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=to,
        headers=headers or {},
    )
    if html:
        message.attach_alternative(html, "text/html")
    message.send()
