"""Every email leaves through the task queue: render now, send in the worker."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string

from alongside.notifications.tasks import send_email


def queue_email(
    *,
    to: str,
    template: str,
    context: dict[str, Any],
    headers: dict[str, str] | None = None,
) -> None:
    """Render `<template>_subject.txt` and `<template>_body.txt` and send after commit."""
    context = {
        **context,
        "SITE_NAME": settings.SITE_NAME,
        "SITE_URL": settings.SITE_URL,
    }
    subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
    body = render_to_string(f"{template}_body.txt", context)
    _enqueue_after_commit(
        to=[to], subject=subject, body=body, html=None, headers=headers or {}
    )


def queue_message(message: EmailMessage) -> None:
    """Queue an already rendered message (used for allauth's emails)."""
    html = None
    if isinstance(message, EmailMultiAlternatives):
        for content, mimetype in message.alternatives:
            if mimetype == "text/html":
                html = str(content)
    _enqueue_after_commit(
        to=list(message.to),
        subject=str(message.subject),
        body=str(message.body),
        html=html,
        headers={k: str(v) for k, v in (message.extra_headers or {}).items()},
    )


def _enqueue_after_commit(
    *, to: list[str], subject: str, body: str, html: str | None, headers: dict[str, str]
) -> None:
    # One key per email, minted here: however often its task runs, it is sent once.
    key = uuid.uuid4().hex
    transaction.on_commit(
        lambda: send_email.enqueue(
            to=to, subject=subject, body=body, html=html, headers=headers, key=key
        )
    )
