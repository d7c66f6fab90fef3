from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from allauth.mfa.models import Authenticator
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from alongside.audit.models import AuditEvent
from alongside.organizations import services
from alongside.organizations.models import Invitation, Membership, Organization, Role
from alongside.test import BaseTestCase, make_member, make_user

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def organization_patterns() -> Iterator[tuple[str, URLPattern]]:
    """Every URL of the organizations app that takes an organization slug."""
    for entry in get_resolver().url_patterns:
        if isinstance(entry, URLResolver) and entry.app_name == "organizations":
            for pattern in entry.url_patterns:
                assert isinstance(pattern, URLPattern)
                # /join/<org>/ is for people who are not members yet (tested below).
                if (
                    "<slug:org>" in str(pattern.pattern)
                    and pattern.name
                    and pattern.name != "join"
                ):
                    yield f"organizations:{pattern.name}", pattern


class OrgViewsTestCase(BaseTestCase):
    invitation: Invitation
    alice_membership: Membership

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.invitation = services.invitation_create(
            organization=cls.org, email="pending@example.net", invited_by=cls.paula
        )
        cls.alice_membership = Membership.objects.get(
            organization=cls.org, user=cls.alice
        )

    def url_for(self, name: str, pattern: URLPattern) -> str:
        kwargs: dict[str, Any] = {"org": "northwind"}
        if "<int:pk>" in str(pattern.pattern):
            kwargs["pk"] = (
                self.invitation.pk if "invitation" in name else self.alice_membership.pk
            )
        return reverse(name, kwargs=kwargs)


class CrossOrganizationTestCase(OrgViewsTestCase):
    def test_every_organization_page_is_404_for_other_organizations(self) -> None:
        patterns = list(organization_patterns())
        self.assertGreaterEqual(len(patterns), 12)
        for outsider in (self.olga, self.oscar):
            self.client.force_login(outsider)
            for name, pattern in patterns:
                url = self.url_for(name, pattern)
                for method in ("get", "post"):
                    with self.subTest(user=outsider.email, url=url, method=method):
                        r = getattr(self.client, method)(url)
                        self.assertEqual(r.status_code, 404)
        # Nothing changed on the way.
        self.assertEqual(Membership.objects.filter(organization=self.org).count(), 4)
        self.invitation.refresh_from_db()
        self.assertIsNone(self.invitation.revoked_at)

    def test_ids_from_another_organization_are_404_for_its_own_admin(self) -> None:
        # Olga administers "other"; Alice's membership id belongs to Northwind.
        self.client.force_login(self.olga)
        for name in ("member_role", "member_remove", "invitation_revoke"):
            pk = (
                self.invitation.pk if "invitation" in name else self.alice_membership.pk
            )
            url = reverse(f"organizations:{name}", kwargs={"org": "other", "pk": pk})
            with self.subTest(name=name):
                self.assertEqual(self.client.get(url).status_code, 404)
                self.assertEqual(
                    self.client.post(url, {"role": "member"}).status_code, 404
                )
        self.assertTrue(Membership.objects.filter(pk=self.alice_membership.pk).exists())

    def test_admin_pages_are_404_for_plain_members(self) -> None:
        self.client.force_login(self.alice)
        for name, pattern in organization_patterns():
            if getattr(pattern.callback, "org_access", None) != "admin":
                continue
            url = self.url_for(name, pattern)
            with self.subTest(url=url):
                self.assertEqual(self.client.post(url).status_code, 404)

    def test_anonymous_visitors_are_sent_to_log_in(self) -> None:
        r = self.client.get("/o/northwind/")
        self.assertRedirects(
            r, "/accounts/login/?next=/o/northwind/", fetch_redirect_response=False
        )


class AdminMfaTestCase(OrgViewsTestCase):
    def admin_patterns(self) -> list[tuple[str, URLPattern]]:
        found = [
            (name, pattern)
            for name, pattern in organization_patterns()
            if getattr(pattern.callback, "org_access", None) == "admin"
        ]
        self.assertGreaterEqual(len(found), 9)
        return found

    def test_every_admin_page_requires_totp_when_the_organization_says_so(self) -> None:
        Organization.objects.filter(pk=self.org.pk).update(require_admin_mfa=True)
        self.client.force_login(self.paula)
        mfa_url = reverse("organizations:mfa_required", kwargs={"org": "northwind"})
        for name, pattern in self.admin_patterns():
            url = self.url_for(name, pattern)
            with self.subTest(url=url):
                self.assertRedirects(self.client.post(url), mfa_url)
        # Nothing was done on the way: no role change, no removal, no revocation.
        self.assertTrue(Membership.objects.filter(pk=self.alice_membership.pk).exists())
        self.invitation.refresh_from_db()
        self.assertIsNone(self.invitation.revoked_at)

        r = self.client.get(mfa_url)
        self.assertContains(r, "Set up an authenticator app")

        Authenticator.objects.create(
            user=self.paula, type=Authenticator.Type.TOTP, data={"secret": "x"}
        )
        for name, pattern in self.admin_patterns():
            url = self.url_for(name, pattern)
            with self.subTest(url=url, with_totp=True):
                r = self.client.get(url)
                if r.status_code == 405:  # POST-only actions
                    r = self.client.post(url)
                self.assertNotEqual(r.get("Location"), mfa_url)
                self.assertIn(r.status_code, {200, 302})

    def test_recovery_codes_alone_do_not_count(self) -> None:
        Organization.objects.filter(pk=self.org.pk).update(require_admin_mfa=True)
        Authenticator.objects.create(
            user=self.paula, type=Authenticator.Type.RECOVERY_CODES, data={}
        )
        self.client.force_login(self.paula)
        r = self.client.get("/o/northwind/admin/")
        self.assertRedirects(r, "/o/northwind/mfa-required/")

    def test_an_organization_without_the_rule_lets_admins_in(self) -> None:
        self.client.force_login(self.paula)
        r = self.client.get("/o/northwind/admin/")
        self.assertEqual(r.status_code, 200)
        self.assertIn("no-store", r["Cache-Control"])

    def test_the_mfa_page_explains_the_rule_to_members_and_is_404_outside(
        self,
    ) -> None:
        # HR analysts (who are not program admins) are sent here too; for anyone else
        # in the organization it only explains the rule.
        self.client.force_login(self.alice)
        r = self.client.get("/o/northwind/mfa-required/")
        self.assertContains(r, "Set up an authenticator app")
        self.assertNotContains(r, "/o/northwind/admin/")
        self.client.force_login(self.oscar)
        self.assertEqual(self.client.get("/o/northwind/mfa-required/").status_code, 404)


class HomeAndMembersTestCase(BaseTestCase):
    def test_home_shows_the_description_safely(self) -> None:
        Organization.objects.filter(pk=self.org.pk).update(
            name=f"North {XSS}", description=f"We **act**. {XSS}"
        )
        self.client.force_login(self.alice)
        r = self.client.get("/o/northwind/")
        self.assertContains(r, "<strong>act</strong>")
        self.assertNotContains(r, "<script>")
        self.assertNotContains(r, "<img")
        self.assertContains(r, "&lt;script&gt;")

    def test_members_list_shows_names_and_roles_only(self) -> None:
        self.alice.gender = "woman"
        self.alice.gender_visibility = "public"
        self.alice.pronouns = "she/her"
        self.alice.save()
        self.client.force_login(self.bob)
        r = self.client.get("/o/northwind/members/")
        self.assertContains(r, "Alice Ally")
        self.assertContains(r, "Program admin")
        self.assertNotContains(r, "@example.org")
        self.assertNotContains(r, "woman")
        self.assertNotContains(r, "Olga")

    def test_members_list_is_paginated(self) -> None:
        for i in range(31):
            make_member(self.org, display_name=f"Extra {i:02}")
        self.client.force_login(self.bob)
        r = self.client.get("/o/northwind/members/")
        self.assertContains(r, "Page 1 of 2")
        r = self.client.get("/o/northwind/members/?page=2")
        self.assertContains(r, "Page 2 of 2")

    def test_member_names_with_markup_render_inert(self) -> None:
        make_member(self.org, display_name=XSS)
        self.client.force_login(self.bob)
        r = self.client.get("/o/northwind/members/")
        self.assertNotContains(r, "<script>alert")
        self.assertContains(r, "&lt;script&gt;")


class CreateOrganizationViewTestCase(BaseTestCase):
    def test_any_signed_in_user_can_create_one(self) -> None:
        user = make_user()
        self.client.force_login(user)
        r = self.client.post(
            "/organizations/new/",
            {"name": "Harbour Lab", "slug": "Harbour-Lab", "description": ""},
        )
        self.assertRedirects(r, "/o/harbour-lab/", fetch_redirect_response=False)
        self.assertTrue(
            Membership.objects.filter(
                organization__slug="harbour-lab", user=user, role=Role.PROGRAM_ADMIN
            ).exists()
        )

    def test_it_explains_bad_input_and_creates_nothing(self) -> None:
        self.client.force_login(self.alice)
        r = self.client.post(
            "/organizations/new/",
            {"name": "x" * 200, "slug": "northwind", "description": "d" * 2001},
        )
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "at most 120 characters")
        self.assertContains(r, "This short name is taken")
        self.assertContains(r, "at most 2000 characters")
        self.assertEqual(Organization.objects.count(), 2)


class SettingsViewTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.client.force_login(self.paula)

    def post(self, follow: bool = False, **changes: Any) -> Any:
        data = {
            "name": self.org.name,
            "description": "",
            "join_domains": "",
            "require_admin_mfa": "on",
            "min_group_size": 5,
            **changes,
        }
        return self.client.post("/o/northwind/admin/settings/", data, follow=follow)

    def test_it_saves_and_audits(self) -> None:
        r = self.post(
            name="Northwind Co", join_domains="Northwind.example; @partner.example"
        )
        self.assertRedirects(
            r, "/o/northwind/admin/settings/", fetch_redirect_response=False
        )
        self.org.refresh_from_db()
        self.assertEqual(self.org.name, "Northwind Co")
        self.assertEqual(self.org.join_domains, "northwind.example, partner.example")
        self.assertTrue(self.org.require_admin_mfa)
        event = AuditEvent.objects.get(action="organization.settings_changed")
        self.assertEqual(
            event.data["fields"], ["join_domains", "name", "require_admin_mfa"]
        )

    def test_it_warns_an_admin_who_turns_on_mfa_without_having_it(self) -> None:
        r = self.post(require_admin_mfa="on", follow=True)
        self.assertRedirects(r, "/o/northwind/mfa-required/")
        self.assertContains(r, "set up an authenticator app")

    def test_it_rejects_a_group_size_below_three(self) -> None:
        r = self.post(min_group_size=2)
        self.assertContains(r, "greater than or equal to 3")
        self.assertContains(r, "Nothing was saved")
        self.org.refresh_from_db()
        self.assertEqual(self.org.min_group_size, 5)

    def test_it_rejects_bad_and_public_domains(self) -> None:
        r = self.post(join_domains="not a domain")
        self.assertContains(r, "is not a domain name")
        r = self.post(join_domains="northwind.example, gmail.com")
        self.assertContains(r, "Anyone can get an address at gmail.com")
        self.org.refresh_from_db()
        self.assertEqual(self.org.join_domains, "")

    def test_it_rejects_oversized_fields(self) -> None:
        r = self.post(name="n" * 121, description="d" * 2001)
        self.assertContains(r, "at most 120 characters")
        self.assertContains(r, "at most 2000 characters")
        self.org.refresh_from_db()
        self.assertEqual(self.org.name, "Northwind Collective")


class ManageMembersViewTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.client.force_login(self.paula)
        self.alice_m = Membership.objects.get(organization=self.org, user=self.alice)
        self.paula_m = Membership.objects.get(organization=self.org, user=self.paula)

    def test_it_lists_members_without_emails(self) -> None:
        r = self.client.get("/o/northwind/admin/members/")
        self.assertContains(r, "Alice Ally")
        self.assertNotContains(r, "alice@example.org")

    def test_changing_a_role_asks_first(self) -> None:
        url = f"/o/northwind/admin/members/{self.alice_m.pk}/role/"
        r = self.client.get(url)
        self.assertContains(r, "Change the role of Alice Ally")
        self.alice_m.refresh_from_db()
        self.assertEqual(self.alice_m.role, Role.MEMBER)
        r = self.client.post(url, {"role": Role.MENTOR})
        self.assertRedirects(r, "/o/northwind/admin/members/")
        self.alice_m.refresh_from_db()
        self.assertEqual(self.alice_m.role, Role.MENTOR)

    def test_it_rejects_an_unknown_role(self) -> None:
        url = f"/o/northwind/admin/members/{self.alice_m.pk}/role/"
        r = self.client.post(url, {"role": "overlord"})
        self.assertContains(r, "Select a valid choice")
        self.alice_m.refresh_from_db()
        self.assertEqual(self.alice_m.role, Role.MEMBER)

    def test_removing_asks_first(self) -> None:
        url = f"/o/northwind/admin/members/{self.alice_m.pk}/remove/"
        r = self.client.get(url)
        self.assertContains(r, "Remove Alice Ally from Northwind Collective?")
        self.assertTrue(Membership.objects.filter(pk=self.alice_m.pk).exists())
        r = self.client.post(url)
        self.assertRedirects(r, "/o/northwind/admin/members/")
        self.assertFalse(Membership.objects.filter(pk=self.alice_m.pk).exists())

    def test_the_last_admin_cannot_leave_or_step_down(self) -> None:
        r = self.client.post(
            f"/o/northwind/admin/members/{self.paula_m.pk}/remove/", follow=True
        )
        self.assertContains(r, "Paula Admin is the only program admin")
        r = self.client.post(
            f"/o/northwind/admin/members/{self.paula_m.pk}/role/",
            {"role": Role.MEMBER},
            follow=True,
        )
        self.assertContains(r, "Paula Admin is the only program admin")
        self.paula_m.refresh_from_db()
        self.assertEqual(self.paula_m.role, Role.PROGRAM_ADMIN)


class InvitationViewsTestCase(BaseTestCase):
    def test_an_admin_invites_by_email(self) -> None:
        self.client.force_login(self.paula)
        with self.captureOnCommitCallbacks(execute=True):
            r = self.client.post(
                "/o/northwind/admin/invitations/",
                {"email": "New@Example.net", "name": "Nia", "role": Role.MEMBER},
            )
        self.assertRedirects(r, "/o/northwind/admin/invitations/")
        self.assertEqual(mail.outbox[0].to, ["new@example.net"])
        r = self.client.get("/o/northwind/admin/invitations/")
        self.assertContains(r, "new@example.net")
        self.assertContains(r, "Send again")

    def test_it_explains_an_invalid_or_member_address(self) -> None:
        self.client.force_login(self.paula)
        r = self.client.post(
            "/o/northwind/admin/invitations/", {"email": "nope", "role": Role.MEMBER}
        )
        self.assertContains(r, "Enter a valid email address")
        r = self.client.post(
            "/o/northwind/admin/invitations/",
            {"email": "bob@example.org", "role": Role.MEMBER},
        )
        self.assertContains(r, "bob@example.org is already a member")
        self.assertFalse(Invitation.objects.exists())

    def test_revoking_asks_first(self) -> None:
        invitation = services.invitation_create(
            organization=self.org, email="x@example.net", invited_by=self.paula
        )
        self.client.force_login(self.paula)
        url = f"/o/northwind/admin/invitations/{invitation.pk}/revoke/"
        self.assertContains(self.client.get(url), "Withdraw this invitation?")
        invitation.refresh_from_db()
        self.assertIsNone(invitation.revoked_at)
        self.client.post(url)
        invitation.refresh_from_db()
        self.assertIsNotNone(invitation.revoked_at)

    def test_resend_needs_post(self) -> None:
        invitation = services.invitation_create(
            organization=self.org, email="x@example.net", invited_by=self.paula
        )
        self.client.force_login(self.paula)
        url = f"/o/northwind/admin/invitations/{invitation.pk}/resend/"
        self.assertEqual(self.client.get(url).status_code, 405)
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(url)
        self.assertEqual(len(mail.outbox), 1)


class InvitationAcceptViewTestCase(BaseTestCase):
    def _token(self, role: str = Role.MEMBER) -> str:
        with self.captureOnCommitCallbacks(execute=True):
            services.invitation_create(
                organization=self.org,
                email="newcomer@example.net",
                invited_by=self.paula,
                role=role,
            )
        return mail.outbox[-1].body.split("/invitations/", 1)[1].split("/", 1)[0]

    def test_a_signed_in_user_joins_after_confirming(self) -> None:
        token = self._token(Role.MENTOR)
        user = make_user("someone@example.com")
        self.client.force_login(user)
        r = self.client.get(f"/invitations/{token}/")
        self.assertRedirects(r, "/invitations/accept/")
        r = self.client.get("/invitations/accept/")
        self.assertContains(r, "Paula Admin invited you to join Northwind Collective")
        self.assertContains(r, "Mentor")
        self.assertFalse(Membership.objects.filter(user=user).exists())
        r = self.client.post("/invitations/accept/")
        self.assertRedirects(r, "/o/northwind/")
        self.assertEqual(Membership.objects.get(user=user).role, Role.MENTOR)

    def test_a_visitor_signs_up_and_comes_back(self) -> None:
        token = self._token()
        r = self.client.get(f"/invitations/{token}/", follow=True)
        self.assertContains(r, "Create an account")
        # Sign up (verification is mandatory) and follow the emailed link.
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(
                "/accounts/signup/?next=/invitations/accept/",
                {
                    "display_name": "Nia",
                    "email": "newcomer@example.net",
                    "password1": "a long and unusual passphrase",
                    "password2": "a long and unusual passphrase",
                    "next": "/invitations/accept/",
                },
            )
        link = next(m for m in mail.outbox if "Confirm" in m.subject).body
        path = (
            "/accounts/confirm-email/"
            + link.split("/accounts/confirm-email/", 1)[1].split()[0]
        )
        r = self.client.post(path)
        self.assertRedirects(r, "/invitations/accept/", fetch_redirect_response=False)
        r = self.client.post("/invitations/accept/")
        self.assertRedirects(r, "/o/northwind/", fetch_redirect_response=False)
        self.assertTrue(
            Membership.objects.filter(
                organization=self.org, user__email="newcomer@example.net"
            ).exists()
        )

    def test_a_forged_link_says_so(self) -> None:
        self._token()
        r = self.client.get("/invitations/not-a-real-token/", follow=True)
        self.assertEqual(r.status_code, 404)
        self.assertContains(r, "This invitation link is not valid", status_code=404)

    def test_a_used_link_says_so(self) -> None:
        token = self._token()
        services.invitation_accept(token=token, user=make_user())
        self.client.force_login(make_user())
        r = self.client.get(f"/invitations/{token}/", follow=True)
        self.assertContains(r, "already been used", status_code=404)

    @override_settings(INVITATION_DAYS=0)
    def test_an_expired_link_says_so(self) -> None:
        token = self._token()
        r = self.client.get(f"/invitations/{token}/", follow=True)
        self.assertContains(r, "expired", status_code=404)


class CsvUploadViewTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.client.force_login(self.paula)

    def upload(self, content: bytes, name: str = "people.csv") -> Any:
        return self.client.post(
            "/o/northwind/admin/invitations/upload/",
            {"file": SimpleUploadedFile(name, content, content_type="text/csv")},
        )

    def test_a_good_file_invites_everyone(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            r = self.upload(
                b"email,role,name\na@example.net,,A\nb@example.net,mentor,B\n"
            )
        self.assertRedirects(r, "/o/northwind/admin/invitations/")
        self.assertEqual(Invitation.objects.count(), 2)
        self.assertEqual(len(mail.outbox), 2)
        self.assertTrue(
            AuditEvent.objects.filter(action="invitation.imported").exists()
        )

    def test_one_bad_row_imports_nothing_and_lists_every_problem(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            r = self.upload(
                b"email,role,name\n"
                b"a@example.net,member,A\n"
                b"broken,member,B\n"
                b"c@example.net,chief,C\n"
                b"a@example.net,member,A again\n"
                b"alice@example.org,,\n"
            )
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "4 problems found: nobody was invited")
        for reason in (
            "This is not a valid email address.",
            "Unknown role.",
            "This address already appears in row 2.",
            "This person is already a member.",
        ):
            self.assertContains(r, reason)
        self.assertEqual(Invitation.objects.count(), 0)
        self.assertEqual(mail.outbox, [])

    def test_it_explains_an_unreadable_file(self) -> None:
        r = self.upload("email\nzoë@example.net\n".encode("cp1252"))
        self.assertContains(r, "could not read this file as UTF-8")
        self.assertEqual(Invitation.objects.count(), 0)

    def test_it_refuses_an_oversized_file(self) -> None:
        r = self.upload(b"email\n" + b"x" * (600 * 1024))
        self.assertContains(r, "larger than 512 KB")
        self.assertEqual(Invitation.objects.count(), 0)

    def test_markup_in_the_file_is_shown_inert(self) -> None:
        r = self.upload(b"email,role\n<script>alert(1)</script>,member\n")
        self.assertNotContains(r, "<script>alert(1)")
        self.assertContains(r, "&lt;script&gt;")


class JoinViewsTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        Organization.objects.filter(pk=cls.org.pk).update(
            join_domains="northwind.example"
        )

    def test_it_lists_and_joins_by_verified_domain(self) -> None:
        user = make_user("kim@northwind.example")
        self.client.force_login(user)
        r = self.client.get("/join/")
        self.assertContains(r, "Join Northwind Collective")
        self.assertNotContains(r, "Other Org")
        r = self.client.post("/join/northwind/")
        self.assertRedirects(r, "/o/northwind/")
        self.assertEqual(Membership.objects.get(user=user).role, Role.MEMBER)

    def test_it_is_404_for_other_domains_and_needs_post(self) -> None:
        user = make_user("kim@elsewhere.example")
        self.client.force_login(user)
        self.assertContains(self.client.get("/join/"), "No organization is open")
        self.assertEqual(self.client.get("/join/northwind/").status_code, 405)
        self.assertEqual(self.client.post("/join/northwind/").status_code, 404)
        self.assertEqual(self.client.post("/join/other/").status_code, 404)
        self.assertFalse(Membership.objects.filter(user=user).exists())


class AuditLogViewTestCase(BaseTestCase):
    def test_it_lists_this_organizations_events_only(self) -> None:
        services.membership_change_role(
            membership=Membership.objects.get(organization=self.org, user=self.bob),
            role=Role.MENTOR,
            actor=self.paula,
        )
        services.membership_change_role(
            membership=Membership.objects.get(
                organization=self.other_org, user=self.oscar
            ),
            role=Role.MENTOR,
            actor=self.olga,
        )
        self.client.force_login(self.paula)
        r = self.client.get("/o/northwind/admin/audit/")
        self.assertContains(r, "Changed a member&#x27;s role", count=1)
        self.assertContains(r, "Paula Admin")
        self.assertNotContains(r, "Olga")
