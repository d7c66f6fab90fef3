from __future__ import annotations

import json
from typing import Any

from allauth.account.models import EmailAddress
from django.contrib.auth import SESSION_KEY

from alongside.accounts.models import User
from alongside.lib.visibility import Visibility
from alongside.organizations.models import Membership, Role
from alongside.test import BaseTestCase, make_member

PASSWORD = "correct horse battery staple"
XSS = '"><script>alert(1)</script><img src=x onerror=alert(2)>'


class ProfileEditTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.client.force_login(self.alice)

    def post(self, **changes: Any) -> Any:
        data = {
            "display_name": "Alice Ally",
            "pronouns": "",
            "pronouns_visibility": Visibility.ORGANIZATION,
            "gender": "",
            "gender_visibility": Visibility.PRIVATE,
            "bio": "",
            "bio_visibility": Visibility.ORGANIZATION,
            "why_ally": "",
            "why_ally_visibility": Visibility.ORGANIZATION,
            **changes,
        }
        return self.client.post("/me/profile/", data)

    def test_it_shows_the_form_with_the_privacy_note(self) -> None:
        r = self.client.get("/me/profile/")
        self.assertContains(r, "<h1>Your profile</h1>", html=True)
        self.assertContains(r, "Never required. It stays visible only to you")
        self.assertContains(r, "Who can see your gender")
        self.assertContains(r, 'value="private" selected')

    def test_it_saves_every_field_with_its_visibility(self) -> None:
        r = self.post(
            display_name="  Al  ",
            pronouns="he/him",
            pronouns_visibility=Visibility.PUBLIC,
            gender="man",
            gender_visibility=Visibility.ORGANIZATION,
            bio="Night nurse.",
            bio_visibility=Visibility.PRIVATE,
            why_ally="My daughters.",
            why_ally_visibility=Visibility.PUBLIC,
        )
        self.assertRedirects(r, "/me/profile/")
        self.alice.refresh_from_db()
        self.assertEqual(self.alice.display_name, "Al")
        self.assertEqual(self.alice.pronouns_visibility, Visibility.PUBLIC)
        self.assertEqual(self.alice.gender, "man")
        self.assertEqual(self.alice.gender_visibility, Visibility.ORGANIZATION)
        self.assertEqual(self.alice.bio_visibility, Visibility.PRIVATE)
        self.assertEqual(self.alice.why_ally, "My daughters.")

    def test_gender_stays_optional(self) -> None:
        r = self.post(gender="")
        self.assertRedirects(r, "/me/profile/")

    def test_oversized_fields_are_rejected_and_nothing_is_saved(self) -> None:
        r = self.post(
            display_name="d" * 81,
            pronouns="p" * 41,
            gender="g" * 61,
            bio="b" * 601,
            why_ally="w" * 1001,
        )
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "Nothing was saved")
        for limit, actual in ((80, 81), (40, 41), (60, 61), (600, 601), (1000, 1001)):
            self.assertContains(
                r,
                f"Ensure this value has at most {limit} characters (it has {actual}).",
            )
        self.alice.refresh_from_db()
        self.assertEqual(self.alice.display_name, "Alice Ally")
        self.assertEqual(self.alice.bio, "")
        # The page header still shows the saved name, not the rejected one.
        self.assertNotContains(r, "d" * 81 + "</")

    def test_it_rejects_an_unknown_visibility(self) -> None:
        r = self.post(gender="man", gender_visibility="everyone")
        self.assertContains(r, "Select a valid choice")
        self.alice.refresh_from_db()
        self.assertEqual(self.alice.gender, "")

    def test_it_requires_a_display_name(self) -> None:
        r = self.post(display_name="   ")
        self.assertContains(r, "This field is required")

    def test_markup_in_profile_fields_renders_inert(self) -> None:
        r = self.post(
            display_name=XSS[:80],
            pronouns=XSS[:40],
            gender=XSS[:60],
            bio=XSS,
            why_ally=XSS,
        )
        self.assertRedirects(r, "/me/profile/")
        for path in ("/me/profile/", "/o/northwind/members/", "/o/northwind/"):
            r = self.client.get(path)
            with self.subTest(path=path):
                self.assertNotContains(r, "<script>alert")
                self.assertNotContains(r, "<img src=x")


class DataPageTestCase(BaseTestCase):
    def test_it_offers_download_and_erasure(self) -> None:
        self.client.force_login(self.alice)
        r = self.client.get("/me/data/")
        self.assertContains(r, "Download my data (JSON)")
        self.assertContains(r, "Erase my account")

    def test_a_sole_admin_is_told_to_hand_over_first(self) -> None:
        self.client.force_login(self.paula)
        r = self.client.get("/me/data/")
        self.assertContains(r, "hand over your program admin role")
        self.assertContains(r, "you are the only program admin of Northwind Collective")
        self.assertContains(r, "/o/northwind/admin/members/")

    def reauthenticated(self, user: User) -> None:
        """As if `user` had just confirmed his password on allauth's page."""
        import time

        from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY

        self.client.force_login(user)
        session = self.client.session
        session[AUTHENTICATION_METHODS_SESSION_KEY] = [
            {"method": "password", "at": time.time(), "reauthenticated": True}
        ]
        session["account_authentication_methods_user"] = str(user.pk)
        session.save()

    def test_the_export_asks_for_the_password_first(self) -> None:
        # A session that has not just confirmed the password gets allauth's
        # reauthentication page first, never the file.
        self.client.force_login(self.alice)
        r = self.client.get("/me/data/export/")
        self.assertEqual(r.status_code, 302)
        self.assertIn("/accounts/reauthenticate/", r["Location"])
        self.assertNotIn("Content-Disposition", r)
        r = self.client.post(r["Location"], {"password": PASSWORD}, follow=True)
        self.assertEqual(r.status_code, 200)
        self.assertTrue(r["Content-Disposition"].startswith("attachment; filename="))
        data = json.loads(r.content)
        self.assertEqual(data["accounts"]["profile"]["email"], "alice@example.org")

    def test_the_export_is_a_json_attachment_of_my_own_data(self) -> None:
        # Reauthenticated a moment ago: the file at once.
        self.reauthenticated(self.alice)
        r = self.client.get("/me/data/export/")
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r["Content-Type"], "application/json; charset=utf-8")
        self.assertTrue(r["Content-Disposition"].startswith("attachment; filename="))
        self.assertIn("no-store", r["Cache-Control"])
        data = json.loads(r.content)
        self.assertEqual(data["accounts"]["profile"]["email"], "alice@example.org")
        self.assertEqual(
            data["organizations"]["memberships"][0]["organization"],
            "Northwind Collective",
        )
        self.assertNotIn("bob@example.org", r.content.decode())
        self.assertNotIn("Bob Member", r.content.decode())

    def test_the_export_refuses_post(self) -> None:
        self.client.force_login(self.alice)
        self.assertEqual(self.client.post("/me/data/export/").status_code, 405)


class EraseViewTestCase(BaseTestCase):
    def test_it_asks_for_the_password_and_a_confirmation(self) -> None:
        self.client.force_login(self.alice)
        r = self.client.get("/me/data/erase/")
        self.assertContains(r, "Your password")
        r = self.client.post("/me/data/erase/", {"password": "wrong", "confirm": "on"})
        self.assertContains(r, "That is not your current password.")
        r = self.client.post("/me/data/erase/", {"password": PASSWORD})
        self.assertContains(r, "This field is required")
        self.assertTrue(User.objects.filter(pk=self.alice.pk).exists())

    def test_it_erases_and_logs_out(self) -> None:
        self.client.force_login(self.alice)
        r = self.client.post("/me/data/erase/", {"password": PASSWORD, "confirm": "on"})
        self.assertContains(r, "Your account is erased")
        self.assertFalse(User.objects.filter(email="alice@example.org").exists())
        self.assertFalse(
            EmailAddress.objects.filter(email="alice@example.org").exists()
        )
        self.assertNotIn(SESSION_KEY, self.client.session)
        self.assertRedirects(
            self.client.get("/me/data/"),
            "/accounts/login/?next=/me/data/",
            fetch_redirect_response=False,
        )

    def test_a_sole_admin_with_members_cannot_erase(self) -> None:
        self.client.force_login(self.paula)
        r = self.client.post("/me/data/erase/", {"password": PASSWORD, "confirm": "on"})
        self.assertContains(r, "Make another member a program admin")
        self.assertTrue(User.objects.filter(pk=self.paula.pk).exists())

    def test_it_names_organizations_that_go_with_the_account(self) -> None:
        from alongside.organizations.models import Organization

        lonely = Organization.objects.create(name="Solo Circle", slug="solo")
        Membership.objects.create(
            organization=lonely, user=self.bob, role=Role.PROGRAM_ADMIN
        )
        self.client.force_login(self.bob)
        r = self.client.get("/me/data/erase/")
        self.assertContains(r, "they are deleted too")
        self.assertContains(r, "Solo Circle")
        self.assertNotContains(r, "Northwind Collective</li>")

    def test_password_guesses_are_limited(self) -> None:
        member = make_member(self.org)
        self.client.force_login(member)
        codes = [
            self.client.post(
                "/me/data/erase/", {"password": "guess", "confirm": "on"}
            ).status_code
            for _ in range(11)
        ]
        self.assertEqual(codes[:10], [200] * 10)
        self.assertEqual(codes[10], 429)
        self.assertTrue(User.objects.filter(pk=member.pk).exists())
