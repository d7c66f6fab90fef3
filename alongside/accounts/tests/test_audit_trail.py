"""Insiders leave a true trail: sign-ins (with their outcome) and second-factor changes
are audited with the client's address and no secret; the Django admin asks staff for a
second factor passed in this session."""

from __future__ import annotations

import time

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from django.test import override_settings

from alongside.accounts.models import User
from alongside.audit.models import ACTION_LABELS, AuditEvent
from alongside.test import BaseTestCase, login_with_mfa

PASSWORD = "correct horse battery staple"
SECRET = "JBSWY3DPEHPK3PXP"
CLIENT = "203.0.113.7"
PROXY = "10.0.0.2"


def code_for(secret: str, step: int = 0) -> str:
    return str(format_hotp_value(hotp_value(secret, int(time.time()) // 30 + step)))


@override_settings(TRUSTED_PROXY_COUNT=1)
class SignInAuditTestCase(BaseTestCase):
    """Through the proxy the deployment declares: REMOTE_ADDR is the proxy's address
    and the client is the last X-Forwarded-For hop the proxy appended."""

    def login(self, email: str, password: str) -> None:
        self.client.post(
            "/accounts/login/",
            {"login": email, "password": password},
            REMOTE_ADDR=PROXY,
            HTTP_X_FORWARDED_FOR=f"198.51.100.99, {CLIENT}",
        )

    def events(self, action: str) -> list[AuditEvent]:
        return list(AuditEvent.objects.filter(action=action).order_by("id"))

    def test_labels_are_registered(self) -> None:
        for action in (
            "signed_in",
            "sign_in_failed",
            "mfa_activated",
            "mfa_deactivated",
            "mfa_recovery_codes_regenerated",
            "mfa_failed",
        ):
            self.assertIn(f"account.{action}", ACTION_LABELS)

    def test_a_sign_in_is_audited_with_the_client_address(self) -> None:
        self.login("alice@example.org", PASSWORD)
        (event,) = self.events("account.signed_in")
        self.assertEqual(event.actor, self.alice)
        self.assertEqual(event.ip, CLIENT)
        self.assertEqual(event.data, {"methods": ["password"]})
        self.assertNotIn(PASSWORD, str(event.data))

    def test_a_failed_sign_in_is_audited_without_the_password(self) -> None:
        self.login("alice@example.org", "my-Wrong-guess-42")
        (event,) = self.events("account.sign_in_failed")
        self.assertEqual(event.actor, self.alice)
        self.assertEqual(event.ip, CLIENT)
        self.assertEqual(event.data, {"known_account": True})
        self.assertFalse(self.events("account.signed_in"))
        # An unknown login keeps no trace of what was typed (it may be a password).
        self.login("hunter2-in-the-wrong-box@example.org", "x")
        event = self.events("account.sign_in_failed")[-1]
        self.assertIsNone(event.actor)
        self.assertEqual(event.data, {"known_account": False})
        for row in AuditEvent.objects.all():
            text = f"{row.data} {row.target_id}"
            self.assertNotIn("Wrong-guess", text)
            self.assertNotIn("hunter2", text)

    def test_a_sign_in_with_a_second_factor_and_a_wrong_code(self) -> None:
        TOTP.activate(self.paula, SECRET)
        self.login("paula@example.org", PASSWORD)
        self.client.post("/accounts/2fa/authenticate/", {"code": "000000"})
        (failed,) = self.events("account.mfa_failed")
        self.assertEqual(failed.actor, self.paula)
        self.assertEqual(failed.data, {"type": "totp"})
        self.assertFalse(self.events("account.signed_in"))
        code = code_for(SECRET)
        self.client.post("/accounts/2fa/authenticate/", {"code": code})
        (event,) = self.events("account.signed_in")
        self.assertEqual(event.data, {"methods": ["mfa", "password"]})
        for row in AuditEvent.objects.all():
            self.assertNotIn(code, str(row.data))
            self.assertNotIn(SECRET, str(row.data))

    def test_second_factor_changes_are_audited_without_secrets(self) -> None:
        self.login("paula@example.org", PASSWORD)
        self.client.post("/accounts/reauthenticate/", {"password": PASSWORD})
        self.client.get("/accounts/2fa/totp/activate/")
        secret = self.client.session["mfa.totp.secret"]
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(
                "/accounts/2fa/totp/activate/",
                {"code": code_for(secret)},
                REMOTE_ADDR=PROXY,
                HTTP_X_FORWARDED_FOR=CLIENT,
            )
        activated = self.events("account.mfa_activated")
        self.assertIn({"type": "totp"}, [e.data for e in activated])
        self.assertEqual({e.ip for e in activated}, {CLIENT})
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post("/accounts/2fa/recovery-codes/generate/")
        (reset,) = self.events("account.mfa_recovery_codes_regenerated")
        self.assertEqual(reset.actor, self.paula)
        self.assertEqual(reset.data, {"type": "recovery_codes"})
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post("/accounts/2fa/totp/deactivate/")
        self.assertFalse(
            Authenticator.objects.filter(
                user=self.paula, type=Authenticator.Type.TOTP
            ).exists()
        )
        removed = self.events("account.mfa_deactivated")
        self.assertIn({"type": "totp"}, [e.data for e in removed])
        codes = Authenticator.objects.filter(user=self.paula).values_list(
            "data", flat=True
        )
        for row in AuditEvent.objects.filter(action__startswith="account.mfa"):
            self.assertNotIn(secret, str(row.data))
            for data in codes:
                self.assertNotIn(str(data.get("seed", "no seed")), str(row.data))


class AdminSiteMfaTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.root = User.objects.create_superuser("root@example.org", PASSWORD)

    def test_a_superuser_without_a_second_factor_is_sent_to_set_one_up(self) -> None:
        self.client.force_login(self.root)
        for url in ("/admin/", "/admin/accounts/user/", "/admin/audit/"):
            r = self.client.get(url)
            self.assertRedirects(
                r, "/accounts/2fa/totp/activate/", fetch_redirect_response=False
            )
        r = self.client.get("/admin/", follow=True)
        self.assertNotContains(r, "Site administration")
        self.assertContains(r, "needs two-factor authentication")

    def test_one_with_an_authenticator_must_have_used_it_this_session(self) -> None:
        TOTP.activate(self.root, SECRET)
        self.client.force_login(self.root)
        r = self.client.get("/admin/accounts/user/")
        self.assertRedirects(
            r,
            "/accounts/2fa/reauthenticate/?next=%2Fadmin%2Faccounts%2Fuser%2F",
            fetch_redirect_response=False,
        )
        r = self.client.post(
            "/accounts/2fa/reauthenticate/?next=%2Fadmin%2Faccounts%2Fuser%2F",
            {"code": code_for(SECRET)},
        )
        self.assertRedirects(r, "/admin/accounts/user/", fetch_redirect_response=False)
        self.assertEqual(self.client.get("/admin/accounts/user/").status_code, 200)

    def test_signing_in_with_the_code_opens_the_admin(self) -> None:
        from allauth.account.models import EmailAddress

        EmailAddress.objects.create(
            user=self.root, email="root@example.org", verified=True, primary=True
        )
        TOTP.activate(self.root, SECRET)
        self.client.post(
            "/accounts/login/", {"login": "root@example.org", "password": PASSWORD}
        )
        self.client.post("/accounts/2fa/authenticate/", {"code": code_for(SECRET)})
        self.assertContains(self.client.get("/admin/"), "Site administration")

    def test_members_and_the_login_page_are_not_affected(self) -> None:
        self.client.force_login(self.alice)  # not staff: the admin's own answer
        r = self.client.get("/admin/")
        self.assertTrue(r["Location"].startswith("/admin/login/"))
        login_with_mfa(self.client, self.root)
        self.assertContains(self.client.get("/admin/"), "Site administration")
