"""Every allauth email has our own words, renders with its usual context and names the site."""

from __future__ import annotations

from pathlib import Path

from allauth.account.adapter import get_adapter
from django.conf import settings
from django.test import RequestFactory, TestCase
from django.utils import timezone

from alongside.test import make_user

TEMPLATES = Path(settings.BASE_DIR) / "templates"


class AllauthEmailTemplatesTestCase(TestCase):
    def test_every_email_renders_in_our_words(self) -> None:
        from allauth.core import context as allauth_context

        user = make_user("rendered@example.org", display_name="Ren")
        ctx = {
            "user": user,
            "email": "rendered@example.org",
            "activate_url": "https://alongside.example/accounts/confirm-email/KEY/",
            "password_reset_url": "https://alongside.example/accounts/password/reset/key/K/",
            "signup_url": "https://alongside.example/accounts/signup/",
            "from_email": "old@example.org",
            "to_email": "new@example.org",
            "deleted_email": "gone@example.org",
            "timestamp": timezone.now(),
            "ip": "203.0.113.5",
            "user_agent": "TestBrowser/1.0",
            "SITE_NAME": "Alongside",
            "SITE_URL": "https://alongside.example",
        }
        prefixes = sorted(
            str(p.relative_to(TEMPLATES)).removesuffix("_subject.txt")
            for folder in ("account/email", "mfa/email")
            for p in (TEMPLATES / folder).glob("*_subject.txt")
        )
        self.assertGreaterEqual(len(prefixes), 13)
        request = RequestFactory().get("/")
        with allauth_context.request_context(request):
            adapter = get_adapter(request)
            for prefix in prefixes:
                with self.subTest(template=prefix):
                    message = adapter.render_mail(prefix, "rendered@example.org", ctx)
                    self.assertIn("Alongside", message.subject)
                    self.assertFalse(message.subject.startswith("["))
                    self.assertTrue(message.body.startswith("Hello,"))
                    self.assertIn("— Alongside", message.body)
                    self.assertNotIn("{{", message.body)
                    self.assertNotIn(
                        "&#x27;", message.body
                    )  # plain text, not HTML-escaped
                    self.assertNotIn(
                        "Hello from", message.body
                    )  # allauth's default wording
