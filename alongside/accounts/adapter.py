from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.http import HttpRequest

from alongside.notifications.email import queue_message


class AccountAdapter(DefaultAccountAdapter):  # type: ignore[misc]
    """Route allauth's emails through the task queue like every other email."""

    def send_mail(
        self, template_prefix: str, email: str, context: dict[str, Any]
    ) -> None:
        context = {
            **context,
            "SITE_NAME": settings.SITE_NAME,
            "SITE_URL": settings.SITE_URL,
        }
        message = self.render_mail(template_prefix, email, context)
        queue_message(message)

    def get_from_email(self) -> str:
        return settings.DEFAULT_FROM_EMAIL

    def build_absolute_uri(self, request: HttpRequest | None, location: str) -> str:
        # Links in emails always use the configured site URL, never the request's Host
        # header, so a forged Host cannot poison a password-reset link.
        return settings.SITE_URL + location
