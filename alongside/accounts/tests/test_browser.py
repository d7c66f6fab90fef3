from __future__ import annotations

import re
import time
from urllib.parse import urlsplit

from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core import mail

from alongside.accounts.models import User
from alongside.test import BrowserTestCase, make_member, make_organization

PASSWORD = "correct horse battery staple"
NEW_PASSWORD = "a long and unusual passphrase"


def path_of_link(body: object, prefix: str) -> str:
    """The path of the first link in an email body whose path starts with `prefix`."""
    for url in re.findall(r"https?://\S+", str(body)):
        parts = urlsplit(url)
        if parts.path.startswith(prefix):
            return str(parts.path)
    raise AssertionError(f"no {prefix} link in:\n{body}")


class AccountJourneyBrowserTestCase(BrowserTestCase):
    def test_sign_up_verify_log_in_and_edit_profile(self) -> None:
        page = self.page
        page.goto(self.url("/"))
        page.locator("header a[href='/accounts/signup/']").click()
        page.wait_for_url("**/accounts/signup/")
        self.assert_accessible()

        page.locator("#id_display_name").fill("Sam Newcomer")
        page.locator("#id_email").fill("sam@example.net")
        page.locator("#id_password1").fill(NEW_PASSWORD)
        page.locator("#id_password2").fill(NEW_PASSWORD)
        page.locator("main").get_by_role("button", name="Sign Up").click()
        page.wait_for_url("**/accounts/confirm-email/")
        self.assertIn("Verify Your Email Address", page.content())
        self.assert_accessible()

        message = mail.outbox[-1]
        self.assertEqual(message.to, ["sam@example.net"])
        page.goto(self.url(path_of_link(message.body, "/accounts/confirm-email/")))
        self.assert_accessible()
        page.get_by_role("button", name="Confirm").click()
        page.wait_for_url(self.url("/"))
        self.assertIn("Welcome, Sam Newcomer", page.content())
        self.assert_accessible()

        page.get_by_role("link", name="Profile").first.click()
        page.wait_for_url("**/me/profile/")
        self.assert_accessible()
        page.get_by_label("Pronouns (optional)").fill("he/him")
        page.get_by_label("Gender, in your own words (optional)").fill("man")
        page.get_by_label("Who can see your gender").select_option("organization")
        page.get_by_label("Why I am an ally (optional)").fill("Because my team asked.")
        page.get_by_role("button", name="Save profile").click()
        page.wait_for_load_state()
        self.assertIn("Your profile is saved.", page.content())
        self.assert_accessible()
        sam = User.objects.get(email="sam@example.net")
        self.assertEqual(sam.pronouns, "he/him")
        self.assertEqual(sam.gender_visibility, "organization")

        # Oversized input: a clear message, nothing saved.
        page.get_by_label("Pronouns (optional)").evaluate(
            "el => el.removeAttribute('maxlength')"
        )
        page.get_by_label("Pronouns (optional)").fill("x" * 50)
        page.get_by_role("button", name="Save profile").click()
        page.wait_for_load_state()
        self.assertIn("Nothing was saved", page.content())
        self.assertIn("at most 40 characters", page.content())
        self.assert_accessible()

        # Log out, then back in through the login page.
        page.get_by_role("button", name="Log out").click()
        page.wait_for_load_state()
        self.assert_accessible()
        self.log_in("sam@example.net", NEW_PASSWORD)
        self.assertIn("Welcome, Sam Newcomer", page.content())

        for path in (
            "/accounts/password/change/",
            "/me/data/",
            "/me/data/erase/",
        ):
            page.goto(self.url(path))
            self.assert_accessible()

        # Change the email address: password again, then a pending address to verify.
        page.goto(self.url("/accounts/email/"))
        self.assert_accessible()
        page.get_by_label("Change to").fill("sam@new.example")
        page.get_by_role("button", name="Change Email").click()
        page.wait_for_url("**/accounts/reauthenticate/**")
        self.assert_accessible()
        page.get_by_label("Password").fill(NEW_PASSWORD)
        page.get_by_role("button", name="Confirm").click()
        page.wait_for_url("**/accounts/email/")
        self.assertIn("sam@new.example", page.content())
        self.assertIn("still pending verification", page.content())
        self.assert_accessible()
        self.assertEqual(mail.outbox[-1].to, ["sam@new.example"])

    def test_password_reset_pages(self) -> None:
        make_member(make_organization(), email="rita@example.org")
        page = self.page
        page.goto(self.url("/accounts/login/"))
        self.assert_accessible()
        page.get_by_role("link", name="Forgot your password?").click()
        page.wait_for_url("**/accounts/password/reset/")
        self.assert_accessible()
        page.get_by_label("Email").fill("rita@example.org")
        page.get_by_role("button", name="Reset My Password").click()
        page.wait_for_url("**/accounts/password/reset/done/")
        self.assert_accessible()

        page.goto(
            self.url(
                path_of_link(mail.outbox[-1].body, "/accounts/password/reset/key/")
            )
        )
        self.assert_accessible()
        page.locator("#id_password1").fill(NEW_PASSWORD)
        page.locator("#id_password2").fill(NEW_PASSWORD)
        page.get_by_role("button", name="Change Password").click()
        page.wait_for_url("**/accounts/password/reset/key/done/")
        self.assert_accessible()
        self.log_in("rita@example.org", NEW_PASSWORD)
        self.assertIn("Welcome", page.content())

    def test_two_factor_setup_and_login_with_a_recovery_code(self) -> None:
        make_member(make_organization(), email="tess@example.org")
        page = self.page
        self.log_in("tess@example.org")
        page.goto(self.url("/accounts/2fa/"))
        self.assert_accessible()
        page.get_by_role("button", name="Activate").click()
        # Sensitive changes ask for the password again first.
        page.wait_for_url("**/accounts/reauthenticate/**")
        self.assert_accessible()
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Confirm").click()
        page.wait_for_url("**/accounts/2fa/totp/activate/")
        self.assert_accessible()

        secret = page.locator("#authenticator_secret").input_value()
        code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
        page.get_by_label("Authenticator code").fill(code)
        page.get_by_role("button", name="Activate").click()
        page.wait_for_url("**/accounts/2fa/recovery-codes/**")
        self.assert_accessible()
        codes = page.locator("#recovery_codes").input_value().split()
        self.assertGreaterEqual(len(codes), 5)

        page.goto(self.url("/accounts/2fa/"))
        self.assertIn(
            "Authentication using an authenticator app is active.", page.content()
        )
        self.assert_accessible()
        for path in (
            "/accounts/2fa/recovery-codes/",
            "/accounts/2fa/recovery-codes/generate/",
            "/accounts/2fa/totp/deactivate/",
        ):
            page.goto(self.url(path))
            self.assert_accessible()

        page.get_by_role("button", name="Log out").click()
        page.wait_for_load_state()
        self.log_in("tess@example.org")
        page.wait_for_url("**/accounts/2fa/authenticate/")
        self.assert_accessible()
        page.get_by_label("Code").fill(codes[0])
        page.get_by_role("button", name="Sign In").click()
        page.wait_for_url(self.url("/"))
        self.assertIn("Welcome", page.content())
