"""The core loop in a real browser: pledge, action, confirmation by email link."""

from __future__ import annotations

from django.core import mail

from alongside.pledges.models import Action, ConfirmationRequest, Pledge
from alongside.pledges.tests.helpers import link_from
from alongside.test import BrowserTestCase, make_member, make_organization


class CoreLoopBrowserTestCase(BrowserTestCase):
    def test_it_walks_pledge_action_and_confirmation(self) -> None:
        org = make_organization("Northwind Collective", slug="northwind")
        make_member(org, email="alex@example.org", display_name="Alex Ally")
        page = self.page

        self.log_in("alex@example.org")
        page.goto(self.url("/o/northwind/pledges/mine/"))
        page.get_by_text("You haven't made a pledge yet.").wait_for()
        self.assert_accessible()

        page.get_by_role("button", name="Make a pledge").click()
        page.get_by_role("heading", name="Make a pledge").wait_for()
        self.assert_accessible()
        page.get_by_label("Your pledge, in your own words").fill(
            "I will make sure the women on my team are heard and credited."
        )
        page.locator("#id_commitments-0-template").select_option(
            label="Credit ideas to the person who had them"
        )
        page.locator("#id_commitments-0-specifics").fill("In every sprint review.")
        page.locator("#id_commitments-1-template").select_option(
            label="Take my turn at office housework"
        )
        page.locator("#id_commitments-2-title").fill("Ask Priya to lead one demo")
        page.get_by_label("Weekly").check()
        page.get_by_role("button", name="Make my pledge").click()

        page.get_by_role("heading", name="Your pledge").wait_for()
        self.assert_accessible()
        pledge = Pledge.objects.get()
        self.assertEqual(pledge.commitments.count(), 3)

        page.get_by_role("button", name="Log an action").click()
        page.get_by_role("heading", name="Log an action").wait_for()
        self.assert_accessible()
        page.get_by_label("Commitment").select_option(
            label="Credit ideas to the person who had them"
        )
        page.get_by_label("What happened").fill(
            "When Marc repeated **Dana's** proposal, I pointed out it was hers."
        )
        page.get_by_role("button", name="Log this action").click()

        page.get_by_role("heading", name="Your action").wait_for()
        self.assert_accessible()
        page.get_by_role("button", name="Ask for confirmation").click()
        page.get_by_role("heading", name="Ask for confirmation").wait_for()
        self.assert_accessible()
        page.get_by_label("Their name (optional)").fill("Dana")
        page.get_by_label("Their email address").fill("dana@example.net")
        page.get_by_role("button", name="Send the request").click()
        page.get_by_text("Confirmation requested").wait_for()
        self.assert_accessible()
        action_url = page.url

        message = next(m for m in mail.outbox if m.to == ["dana@example.net"])
        link = link_from(message.body)

        # Dana has no account: a fresh browser context, nobody logged in.
        context = self.browser.new_context()
        try:
            dana = context.new_page()
            dana.set_default_timeout(15_000)
            dana.goto(self.url(link))
            dana.get_by_role("heading", name="Did Alex Ally do this?").wait_for()
            self.page = dana  # assert_accessible checks self.page
            self.assert_accessible()
            self.assertIn("Dana's", dana.locator("article").inner_text())
            dana.get_by_label("A note for them (optional)").fill(
                "Yes, and it made a difference."
            )
            dana.get_by_role("button", name="Yes, I confirm it").click()
            dana.get_by_role("heading", name="Thank you").wait_for()
            self.assert_accessible()
        finally:
            self.page = page
            context.close()

        self.assertEqual(ConfirmationRequest.objects.get().status, "confirmed")
        self.assertTrue(Action.objects.get().is_confirmed)

        page.goto(action_url)
        page.get_by_text("Dana confirmed it on").wait_for()
        self.assertIn("Yes, and it made a difference.", page.content())
        self.assert_accessible()
        page.goto(self.url(pledge.get_absolute_url()))
        page.locator(".tag-confirmed").first.wait_for()
        self.assert_accessible()


class OtherPagesBrowserTestCase(BrowserTestCase):
    """Every other page of the app passes the accessibility check too."""

    def test_catalogue_lifecycle_and_public_pages_are_accessible(self) -> None:
        from alongside.organizations.models import Role
        from alongside.pledges.services import opt_out_link
        from alongside.pledges.tests.helpers import make_action, make_pledge

        org = make_organization("Northwind Collective", slug="northwind")
        admin = make_member(org, Role.PROGRAM_ADMIN, email="pat@example.org")
        pledge = make_pledge(admin, org, commitments=2)
        action = make_action(pledge)
        page = self.page
        self.log_in("pat@example.org")

        def visit(path: str) -> None:
            page.goto(self.url(path))
            page.locator("h1").wait_for()
            self.assert_accessible()

        visit("/o/northwind/catalogue/")
        visit("/o/northwind/admin/catalogue/")
        page.get_by_role("button", name="Deactivate “Hold back my view").click()
        page.get_by_text("is no longer offered").wait_for()
        self.assert_accessible()
        visit("/o/northwind/admin/catalogue/new/")
        page.get_by_role("button", name="Save").click()
        page.get_by_text("This field is required.").first.wait_for()
        self.assert_accessible()
        visit("/o/northwind/pledges/")
        visit(f"/o/northwind/pledges/{pledge.pk}/renew/")
        visit(f"/o/northwind/pledges/{pledge.pk}/pause/")
        page.get_by_role("button", name="Yes, pause my pledge").click()
        page.get_by_role("button", name="Resume").wait_for()
        self.assert_accessible()
        commitment = pledge.commitments.first()
        assert commitment is not None
        visit(f"/o/northwind/pledges/commitments/{commitment.pk}/end/")
        visit(f"/o/northwind/pledges/{pledge.pk}/complete/")
        page.get_by_role("button", name="Complete my pledge").click()
        page.get_by_text("Say whether you kept this commitment.").first.wait_for()
        self.assert_accessible()
        visit(action.get_absolute_url())

        context = self.browser.new_context()
        try:
            self.page = page = context.new_page()
            visit("/confirm/no-such-token/")
            visit(
                opt_out_link("someone@example.net").removeprefix(
                    "http://127.0.0.1:8000"
                )
            )
            page.get_by_role("button", name="Yes, stop all requests to me").click()
            page.get_by_role("heading", name="You have opted out").wait_for()
            self.assert_accessible()
        finally:
            context.close()
