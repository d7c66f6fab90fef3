from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from alongside.notifications.email import queue_message

# Set by the invitation link (organizations.views.invitation_open); read here so that
# signing up or logging in on the way brings the person back to the invitation.
INVITATION_SESSION_KEY = "invitation_token"


class AccountAdapter(DefaultAccountAdapter):  # type: ignore[misc]
    """Route allauth's emails through the task queue like every other email."""

    def send_mail(
        self, template_prefix: str, email: str, context: dict[str, Any]
    ) -> None:
        context = {
            "email": email,
            **context,
            "SITE_NAME": settings.SITE_NAME,
            "SITE_URL": settings.SITE_URL,
        }
        message = self.render_mail(template_prefix, email, context)
        queue_message(message)

    def format_email_subject(self, subject: str) -> str:
        # Our subject templates name the site themselves; no "[host] " prefix.
        return subject

    def get_from_email(self) -> str:
        return settings.DEFAULT_FROM_EMAIL

    def build_absolute_uri(self, request: HttpRequest | None, location: str) -> str:
        # Links in emails always use the configured site URL, never the request's Host
        # header, so a forged Host cannot poison a password-reset link.
        return settings.SITE_URL + location

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        if request.session.get(INVITATION_SESSION_KEY):
            return reverse("organizations:invitation_accept")
        url: str = super().get_login_redirect_url(request)
        return url
