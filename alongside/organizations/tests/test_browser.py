from __future__ import annotations

import re
from urllib.parse import urlsplit

from django.core import mail

from alongside.organizations.models import Invitation, Membership, Organization, Role
from alongside.test import BrowserTestCase, make_member, make_organization

NEW_PASSWORD = "a long and unusual passphrase"


def path_of_link(body: object, prefix: str) -> str:
    for url in re.findall(r"https?://\S+", str(body)):
        parts = urlsplit(url)
        if parts.path.startswith(prefix):
            return str(parts.path)
    raise AssertionError(f"no {prefix} link in:\n{body}")


class AdminInvitesBrowserTestCase(BrowserTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.org = make_organization("Northwind Collective", slug="northwind")
        make_member(
            self.org,
            Role.PROGRAM_ADMIN,
            email="paula@example.org",
            display_name="Paula Admin",
        )
        make_member(self.org, email="bob@example.org", display_name="Bob Member")

    def test_an_admin_invites_someone_who_signs_up_and_joins(self) -> None:
        page = self.page
        self.log_in("paula@example.org")
        page.goto(self.url("/o/northwind/"))
        self.assert_accessible()
        page.locator("header").get_by_role("link", name="Admin").click()
        page.wait_for_url("**/o/northwind/admin/")
        self.assert_accessible()

        page.get_by_role("link", name="Invite people").first.click()
        page.wait_for_url("**/o/northwind/admin/invitations/")
        self.assert_accessible()
        page.get_by_label("Email address").fill("nia@example.net")
        page.get_by_label("Name (optional)").fill("Nia")
        page.get_by_label("Role").select_option(Role.FACILITATOR)
        page.get_by_role("button", name="Send invitation").click()
        page.wait_for_load_state()
        self.assertIn("Invitation sent to nia@example.net.", page.content())
        self.assert_accessible()

        # A CSV file with a bad row: a table of problems, nobody invited.
        page.get_by_role("link", name="Invite from a CSV file").first.click()
        page.wait_for_url("**/invitations/upload/")
        self.assert_accessible()
        page.get_by_label("CSV file").set_input_files(
            files=[
                {
                    "name": "people.csv",
                    "mimeType": "text/csv",
                    "buffer": b"email,role\nok@example.net,member\nbroken,boss\n",
                }
            ]
        )
        page.get_by_role("button", name="Check and send invitations").click()
        page.wait_for_load_state()
        self.assertIn("problems found: nobody was invited", page.content())
        self.assert_accessible()
        self.assertEqual(Invitation.objects.count(), 1)

        for path in (
            "/o/northwind/admin/settings/",
            "/o/northwind/admin/members/",
            "/o/northwind/admin/audit/",
        ):
            page.goto(self.url(path))
            self.assert_accessible()

        # The invitee opens the emailed link in another browser.
        invitation_mail = next(m for m in mail.outbox if m.to == ["nia@example.net"])
        link = path_of_link(invitation_mail.body, "/invitations/")
        guest = self.browser.new_context()
        try:
            other = guest.new_page()
            other.goto(self.url(link))
            other.wait_for_url("**/invitations/accept/")
            self.assertIn(
                "Paula Admin invited you to join Northwind Collective", other.content()
            )
            self.page = other
            self.assert_accessible()
            other.get_by_role("button", name="Create an account").click()
            other.wait_for_url("**/accounts/signup/**")
            other.locator("#id_display_name").fill("Nia")
            other.locator("#id_email").fill("nia@example.net")
            other.locator("#id_password1").fill(NEW_PASSWORD)
            other.locator("#id_password2").fill(NEW_PASSWORD)
            other.locator("main").get_by_role("button", name="Sign Up").click()
            other.wait_for_url("**/accounts/confirm-email/")

            confirm = next(
                m
                for m in mail.outbox
                if m.to == ["nia@example.net"] and "Confirm" in str(m.subject)
            )
            other.goto(self.url(path_of_link(confirm.body, "/accounts/confirm-email/")))
            other.get_by_role("button", name="Confirm").click()
            # Back at the invitation, now signed in.
            other.wait_for_url("**/invitations/accept/")
            self.assert_accessible()
            other.get_by_role("button", name="Join Northwind Collective").click()
            other.wait_for_url("**/o/northwind/")
            self.assertIn("Welcome to Northwind Collective!", other.content())
            self.assert_accessible()
            other.locator("header").get_by_role("link", name="Members").click()
            other.wait_for_url("**/o/northwind/members/")
            self.assertIn("Paula Admin", other.content())
            self.assertNotIn("paula@example.org", other.content())
            self.assert_accessible()
        finally:
            guest.close()
        membership = Membership.objects.get(user__email="nia@example.net")
        self.assertEqual(membership.role, Role.FACILITATOR)

    def test_a_new_organization_and_open_join(self) -> None:
        Organization.objects.filter(pk=self.org.pk).update(
            join_domains="northwind.example"
        )
        make_member(make_organization(), email="kim@northwind.example")
        page = self.page
        self.log_in("kim@northwind.example")
        page.goto(self.url("/join/"))
        self.assert_accessible()
        page.get_by_role("button", name="Join Northwind Collective").click()
        page.wait_for_url("**/o/northwind/")
        self.assertIn("Welcome to Northwind Collective!", page.content())

        page.goto(self.url("/organizations/new/"))
        self.assert_accessible()
        page.locator("#id_name").fill("Harbour Lab")
        page.get_by_label("Short name in links").fill("harbour-lab")
        page.get_by_role("button", name="Create organization").click()
        page.wait_for_url("**/o/harbour-lab/")
        self.assert_accessible()
        # New organizations require two-factor authentication of their admins.
        page.goto(self.url("/o/harbour-lab/admin/"))
        page.wait_for_url("**/o/harbour-lab/mfa-required/")
        self.assert_accessible()
