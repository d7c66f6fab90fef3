from __future__ import annotations

import json

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.tasks import task

from alongside.notifications.sealing import seal, unseal
from alongside.worker.delivery import deliver_once

SEAL_LABEL = b"queued-email"


class EmailNotSent(Exception):
    """A send failed. Only the kind of error is kept: the failed task row must hold
    nothing of the message (its address, text or links)."""


def seal_message(
    *,
    key: str,
    to: list[str],
    subject: str,
    body: str,
    html: str | None,
    headers: dict[str, str],
) -> str:
    """The message as `send_email` carries it through the task table: sealed, bound
    to its `key` (copied to another task row, it does not open)."""
    payload = {
        "to": to,
        "subject": subject,
        "body": body,
        "html": html,
        "headers": headers,
    }
    return seal(json.dumps(payload).encode(), label=SEAL_LABEL, bound_to=key)


@task()
def send_email(
    *,
    sealed: str = "",
    key: str = "",
    to: list[str] | None = None,
    subject: str = "",
    body: str = "",
    html: str | None = None,
    headers: dict[str, str] | None = None,
) -> None:
    """Send one email. Queued emails carry it `sealed` (`notifications.email`) with the
    stable `key` minted when it was queued; the clear arguments are only for callers
    already in the worker (`send_email.call`) and must never be enqueued. However often
    the task runs, the email goes out once per key (`worker.delivery.deliver_once`)."""
    if sealed:
        payload = json.loads(unseal(sealed, label=SEAL_LABEL, bound_to=key))
        to, subject, body = payload["to"], payload["subject"], payload["body"]
        html, headers = payload["html"], payload["headers"]
    message = EmailMultiAlternatives(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=to or [],
        headers=headers or {},
    )
    if html:
        message.attach_alternative(html, "text/html")

    def send() -> None:
        try:
            message.send()
        except Exception as e:
            # `from None`: the stored traceback would otherwise carry the error's
            # text, which can quote the address or a header.
            raise EmailNotSent(type(e).__name__) from None

    deliver_once(key, send)
