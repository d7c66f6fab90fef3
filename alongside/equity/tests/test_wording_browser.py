"""The checker in a real browser: typing updates the highlights and verdict live."""

from __future__ import annotations

from alongside.organizations.models import Role
from alongside.test import BrowserTestCase, make_member, make_organization


class WordingBrowserTestCase(BrowserTestCase):
    def test_typing_a_job_ad_highlights_words_and_updates_the_verdict(self) -> None:
        org = make_organization("Northwind Collective", slug="northwind")
        make_member(
            org,
            Role.PROGRAM_ADMIN,
            email="paula@example.org",
            display_name="Paula Admin",
        )
        page = self.page
        self.log_in("paula@example.org")
        page.goto(self.url("/o/northwind/equity/wording/"))
        page.get_by_role(
            "heading", name="Check a job ad for gendered wording"
        ).wait_for()
        self.assert_accessible()

        box = page.get_by_label("Text to check")
        # Typed key by key, as a person would: the check runs 400 ms after typing stops.
        box.press_sequentially("We want a competitive, driven leader.", delay=5)
        page.get_by_role("heading", name="Verdict: masculine-coded").wait_for()
        highlighted = page.get_by_test_id("highlighted")
        self.assertEqual(
            highlighted.locator("mark strong").all_inner_texts(),
            ["competitive", "driven", "leader"],
        )
        self.assertIn("masculine-coded", page.locator("#wording-status").inner_text())
        self.assert_accessible()

        box.press_sequentially(" Kind, warm, loyal and <b>supportive</b>.", delay=5)
        page.get_by_role("heading", name="Verdict: feminine-coded").wait_for()
        self.assertEqual(
            highlighted.locator("mark em").all_inner_texts(),
            ["Kind", "warm", "loyal", "supportive"],
        )
        # The user's markup is shown as text, never interpreted.
        shown = highlighted.text_content()
        self.assertIn("and <b>supportive", shown)
        self.assertIn("</b>.", shown)
        self.assertEqual(highlighted.locator("b").count(), 0)
        self.assertIn(
            "Verdict: feminine-coded", page.locator("#wording-status").inner_text()
        )
        self.assert_accessible()

        # The review mode works the same way.
        page.get_by_role("link", name="Performance reviews").click()
        page.get_by_role("heading", name="Check a performance review").wait_for()
        page.get_by_label("Review text").press_sequentially("She is abrasive.", delay=5)
        page.get_by_role("heading", name="1 phrase to look at again").wait_for()
        self.assert_accessible()
        self.assertFalse(self.console_errors, self.console_errors)
