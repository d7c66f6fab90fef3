"""Sign-up, login, password reset, email change and MFA through allauth, with our emails."""

from __future__ import annotations

import re
import time
from typing import Any

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core import mail

from alongside.accounts.models import User
from alongside.test import BaseTestCase

PASSWORD = "correct horse battery staple"
NEW_PASSWORD = "an entirely different passphrase"


def link_in(body: object, path: str) -> str:
    """The site-relative link starting with `path` in an email body."""
    match = re.search(rf"https?://[^/\s]+({re.escape(path)}\S+)", str(body))
    assert match, f"no {path} link in:\n{body}"
    return match.group(1)


class SignupTestCase(BaseTestCase):
    def signup(self, email: str, **extra: str) -> Any:
        data = {
            "display_name": "Newcomer",
            "email": email,
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
            **extra,
        }
        with self.captureOnCommitCallbacks(execute=True):
            return self.client.post("/accounts/signup/", data)

    def test_it_needs_email_verification_before_login(self) -> None:
        r = self.signup("newcomer@example.net")
        self.assertRedirects(
            r, "/accounts/confirm-email/", fetch_redirect_response=False
        )
        user = User.objects.get(email="newcomer@example.net")
        self.assertEqual(user.display_name, "Newcomer")
        # Not logged in until the address is confirmed.
        self.assertRedirects(
            self.client.get("/me/profile/"),
            "/accounts/login/?next=/me/profile/",
            fetch_redirect_response=False,
        )
        self.assertEqual(len(mail.outbox), 1)
        message = mail.outbox[0]
        self.assertEqual(message.to, ["newcomer@example.net"])
        self.assertEqual(
            message.subject, "Confirm your email address to finish joining Alongside"
        )
        self.assertIn("never your email address", message.body)
        self.assertIn("— Alongside", message.body)

        confirm = link_in(message.body, "/accounts/confirm-email/")
        self.assertContains(self.client.get(confirm), "Confirm")
        r = self.client.post(confirm)
        self.assertRedirects(r, "/", fetch_redirect_response=False)
        self.assertEqual(self.client.get("/me/profile/").status_code, 200)

    def test_it_requires_a_display_name(self) -> None:
        r = self.signup("newcomer@example.net", display_name="")
        self.assertContains(r, "This field is required")
        self.assertFalse(User.objects.filter(email="newcomer@example.net").exists())

    def test_it_does_not_reveal_that_an_address_is_taken(self) -> None:
        fresh = self.signup("fresh@example.net")
        self.client.logout()
        taken = self.signup("ALICE@example.org")
        self.assertEqual(taken.status_code, fresh.status_code)
        self.assertEqual(taken["Location"], fresh["Location"])
        self.assertEqual(
            User.objects.filter(email__iexact="alice@example.org").count(), 1
        )
        # The owner of the address learns about the attempt instead.
        warning = mail.outbox[-1]
        self.assertEqual(warning.to, ["alice@example.org"])
        self.assertEqual(warning.subject, "You already have an account on Alongside")
        self.assertIn("no new account was created", warning.body)

    def test_login_errors_are_the_same_for_unknown_and_known_addresses(self) -> None:
        known = self.client.post(
            "/accounts/login/", {"login": "alice@example.org", "password": "wrong one"}
        )
        unknown = self.client.post(
            "/accounts/login/", {"login": "nobody@example.org", "password": "wrong one"}
        )
        self.assertEqual(known.status_code, unknown.status_code)
        self.assertContains(
            known, "The email address and/or password you specified are not correct."
        )
        self.assertContains(
            unknown, "The email address and/or password you specified are not correct."
        )


class RateLimitTestCase(BaseTestCase):
    def login(self, password: str) -> Any:
        return self.client.post(
            "/accounts/login/", {"login": "alice@example.org", "password": password}
        )

    def test_login_is_blocked_after_five_failures_for_one_account(self) -> None:
        for _ in range(5):
            r = self.login("wrong password")
            self.assertContains(r, "are not correct")
        r = self.login(PASSWORD)  # even the right password is refused now
        self.assertContains(r, "Too many failed login attempts")
        self.assertNotIn("_auth_user_id", self.client.session)
        # Another account from the same address is not locked by this one.
        r = self.client.post(
            "/accounts/login/", {"login": "bob@example.org", "password": PASSWORD}
        )
        self.assertRedirects(r, "/", fetch_redirect_response=False)

    def test_a_successful_login_does_not_count_as_a_failure(self) -> None:
        for _ in range(4):
            self.login("wrong password")
        r = self.login(PASSWORD)
        self.assertRedirects(r, "/", fetch_redirect_response=False)

    def test_password_reset_requests_are_limited_per_address(self) -> None:
        for _ in range(2):
            with self.captureOnCommitCallbacks(execute=True):
                r = self.client.post(
                    "/accounts/password/reset/", {"email": "alice@example.org"}
                )
            self.assertRedirects(
                r, "/accounts/password/reset/done/", fetch_redirect_response=False
            )
        self.assertEqual(len(mail.outbox), 2)
        with self.captureOnCommitCallbacks(execute=True):
            r = self.client.post(
                "/accounts/password/reset/", {"email": "alice@example.org"}
            )
        self.assertEqual(r.status_code, 429)
        self.assertContains(r, "Too many attempts", status_code=429)
        self.assertEqual(len(mail.outbox), 2)


class PasswordResetTestCase(BaseTestCase):
    def test_it_resets_with_the_emailed_link(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(
                "/accounts/password/reset/", {"email": "alice@example.org"}
            )
        message = mail.outbox[0]
        self.assertEqual(message.subject, "Choose a new password for Alongside")
        link = link_in(message.body, "/accounts/password/reset/key/")
        r = self.client.get(link)
        self.assertEqual(r.status_code, 302)  # the key moves out of the URL
        form_url = r["Location"]
        with self.captureOnCommitCallbacks(execute=True):
            r = self.client.post(
                form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
            )
        self.assertRedirects(
            r, "/accounts/password/reset/key/done/", fetch_redirect_response=False
        )
        self.alice.refresh_from_db()
        self.assertTrue(self.alice.check_password(NEW_PASSWORD))
        notice = mail.outbox[-1]
        self.assertEqual(notice.subject, "Your Alongside password was reset")
        self.assertIn("If it wasn't you", notice.body)

    def test_an_unknown_address_gets_the_same_answer(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            r = self.client.post(
                "/accounts/password/reset/", {"email": "nobody@example.org"}
            )
        self.assertRedirects(
            r, "/accounts/password/reset/done/", fetch_redirect_response=False
        )
        self.assertEqual(mail.outbox[0].to, ["nobody@example.org"])
        self.assertIn("there is no account with this address", mail.outbox[0].body)


class SensitiveActionTestCase(BaseTestCase):
    def log_in_and_reauthenticate(self, email: str) -> None:
        """Sensitive account changes always ask for the password again first."""
        self.client.post("/accounts/login/", {"login": email, "password": PASSWORD})
        r = self.client.post("/accounts/reauthenticate/", {"password": PASSWORD})
        self.assertEqual(r.status_code, 302)


class EmailChangeTestCase(SensitiveActionTestCase):
    def test_it_changes_the_address_after_verification_and_tells_the_old_one(
        self,
    ) -> None:
        self.client.post(
            "/accounts/login/", {"login": "bob@example.org", "password": PASSWORD}
        )
        r = self.client.post(
            "/accounts/email/", {"action_add": "", "email": "bob@new.example"}
        )
        self.assertTrue(r["Location"].startswith("/accounts/reauthenticate/"))
        self.log_in_and_reauthenticate("bob@example.org")
        with self.captureOnCommitCallbacks(execute=True):
            r = self.client.post(
                "/accounts/email/", {"action_add": "", "email": "bob@new.example"}
            )
        self.assertRedirects(r, "/accounts/email/", fetch_redirect_response=False)
        message = mail.outbox[-1]
        self.assertEqual(message.to, ["bob@new.example"])
        self.assertEqual(message.subject, "Confirm your email address on Alongside")
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(link_in(message.body, "/accounts/confirm-email/"))
        self.bob.refresh_from_db()
        self.assertEqual(self.bob.email, "bob@new.example")
        notice = next(m for m in mail.outbox if m.to == ["bob@example.org"])
        self.assertEqual(notice.subject, "Your Alongside email address was changed")
        self.assertIn("bob@new.example instead of bob@example.org", notice.body)


class MfaPagesTestCase(SensitiveActionTestCase):
    def test_it_activates_totp_and_shows_recovery_codes(self) -> None:
        self.log_in_and_reauthenticate("paula@example.org")
        self.assertContains(self.client.get("/accounts/2fa/"), "Authenticator App")
        r = self.client.get("/accounts/2fa/totp/activate/")
        self.assertContains(r, "Authenticator secret")
        secret = self.client.session["mfa.totp.secret"]
        code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
        with self.captureOnCommitCallbacks(execute=True):
            r = self.client.post("/accounts/2fa/totp/activate/", {"code": code})
        self.assertEqual(r.status_code, 302)
        self.assertTrue(
            Authenticator.objects.filter(
                user=self.paula, type=Authenticator.Type.TOTP
            ).exists()
        )
        self.assertContains(
            self.client.get("/accounts/2fa/recovery-codes/"), "Unused codes"
        )
        subjects = [m.subject for m in mail.outbox]
        self.assertIn(
            "Two-factor authentication is on for your Alongside account", subjects
        )

    def test_login_then_asks_for_the_code(self) -> None:
        Authenticator.objects.create(
            user=self.paula, type=Authenticator.Type.TOTP, data={"secret": "x"}
        )
        r = self.client.post(
            "/accounts/login/", {"login": "paula@example.org", "password": PASSWORD}
        )
        self.assertRedirects(
            r, "/accounts/2fa/authenticate/", fetch_redirect_response=False
        )
        self.assertNotIn("_auth_user_id", self.client.session)
