from __future__ import annotations

from alongside.accounts.models import User
from alongside.organizations import services
from alongside.test import BaseTestCase, login_with_mfa


class AdminPagesTestCase(BaseTestCase):
    def test_staff_pages_open(self) -> None:
        staff = User.objects.create_superuser("root@example.org", "pw")
        invitation = services.invitation_create(
            organization=self.org, email="x@example.net", invited_by=self.paula
        )
        login_with_mfa(self.client, staff)  # the admin asks for it
        for url in (
            "/admin/accounts/user/",
            "/admin/accounts/user/add/",
            f"/admin/accounts/user/{self.alice.pk}/change/",
            f"/admin/organizations/organization/{self.org.pk}/change/",
            "/admin/organizations/invitation/",
            f"/admin/organizations/invitation/{invitation.pk}/change/",
        ):
            with self.subTest(url=url):
                r = self.client.get(url)
                self.assertEqual(r.status_code, 200)
                self.assertNotContains(r, invitation.token_digest)

    def test_staff_can_add_a_user(self) -> None:
        staff = User.objects.create_superuser("root@example.org", "pw")
        login_with_mfa(self.client, staff)  # the admin asks for it
        r = self.client.post(
            "/admin/accounts/user/add/",
            {
                "email": "made@example.org",
                "display_name": "Made",
                "password1": "a long and unusual passphrase",
                "password2": "a long and unusual passphrase",
                "usable_password": "true",
            },
        )
        self.assertEqual(r.status_code, 302)
        self.assertTrue(User.objects.filter(email="made@example.org").exists())
