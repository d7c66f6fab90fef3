from __future__ import annotations

from alongside.concerns.models import Concern
from alongside.organizations.models import Role
from alongside.test import BrowserTestCase, make_member, make_organization


class ConcernJourneyBrowserTestCase(BrowserTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.org = make_organization("Northwind Collective", slug="northwind")
        self.paula = make_member(
            self.org,
            Role.PROGRAM_ADMIN,
            email="paula@example.org",
            display_name="Paula Admin",
        )

    def test_a_visitor_raises_a_concern_and_an_admin_works_it(self) -> None:
        page = self.page
        # An anonymous visitor, with no account, raises a concern.
        page.goto(self.url("/o/northwind/concerns/new/"))
        self.assert_accessible()
        page.get_by_label("Whom is it about?").fill("Dave Example")
        page.get_by_label("What happened?").fill(
            "In Tuesday's meeting he took credit for Rana's analysis. <b>twice</b>"
        )
        page.get_by_role("button", name="Send the concern").click()
        page.wait_for_url("**/o/northwind/concerns/thanks/")
        self.assert_accessible()
        reference = page.locator(".concern-reference").inner_text()
        concern = Concern.objects.get()
        self.assertEqual(reference, concern.reference)
        self.assertNotIn("Rana", page.content())

        # Paula, a program admin, finds it in the queue.
        self.log_in("paula@example.org")
        page.goto(self.url("/o/northwind/concerns/"))
        self.assert_accessible()
        page.get_by_role("link", name=reference).click()
        page.wait_for_url(f"**/o/northwind/concerns/{concern.pk}/")
        self.assert_accessible()
        self.assertIn(
            "took credit for Rana's analysis. <b>twice</b>",
            page.locator(".concern-text").inner_text(),
        )

        # She moves it into review with a note, then takes it on.
        page.get_by_label("Status").select_option("in_review")
        page.get_by_label("Note (required)").fill("Spoke with the team lead.")
        page.get_by_role("button", name="Save the note").click()
        page.wait_for_load_state()
        self.assertIn("Your note was added.", page.content())
        self.assert_accessible()
        page.get_by_label("Assigned to").select_option(label="Paula Admin")
        page.get_by_role("button", name="Save the assignment").click()
        page.wait_for_load_state()
        self.assertIn("The assignment was saved.", page.content())
        self.assert_accessible()

        concern.refresh_from_db()
        self.assertEqual(concern.status, Concern.Status.IN_REVIEW)
        self.assertEqual(concern.assigned_to, self.paula)

        # The queue filter finds it under "In review".
        page.goto(self.url("/o/northwind/concerns/"))
        page.get_by_label("Status").select_option("in_review")
        page.get_by_role("button", name="Show").click()
        page.wait_for_load_state()
        self.assertIn(reference, page.content())
        self.assert_accessible()
