from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.tasks import task

from alongside.worker.delivery import deliver_once


@task()
def send_email(
    *,
    to: list[str],
    subject: str,
    body: str,
    html: str | None = None,
    headers: dict[str, str] | None = None,
    key: str = "",
) -> None:
    """Send once per `key` (what the email is for), however often the task runs."""
    message = EmailMultiAlternatives(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=to,
        headers=headers or {},
    )
    if html:
        message.attach_alternative(html, "text/html")
    deliver_once(key, message.send)
