"""A listening round in a real browser, driven by keyboard where it matters."""

from __future__ import annotations

from alongside.circles.models import Circle
from alongside.dialogue.models import ListeningPhase, Thread
from alongside.dialogue.tests.helpers import make_circle, make_space
from alongside.test import BrowserTestCase, make_member, make_organization


class ListeningRoundBrowserTestCase(BrowserTestCase):
    def test_a_facilitator_runs_a_round_from_stories_to_reflections(self) -> None:
        org = make_organization("Northwind Collective", slug="northwind")
        fiona = make_member(org, email="fiona@example.org", display_name="Fiona")
        grace = make_member(org, email="grace@example.org", display_name="Grace")
        circle = make_circle(
            org,
            facilitator=fiona,
            members=(grace,),
            kind=Circle.Kind.LISTENING,
            slug="night-voices",
        )
        space = make_space(
            org, circle=circle, accepted=(fiona, grace), name="Night voices"
        )
        page = self.page

        self.log_in("fiona@example.org")
        page.goto(self.url(space.get_absolute_url()))
        page.get_by_role("button", name="Open a listening round").click()
        page.get_by_role("heading", name="Open a listening round").wait_for()
        self.assert_accessible()
        page.get_by_label("Title").fill("Being heard at handover")
        page.get_by_label("Your message").fill("When did someone make room for you?")
        page.get_by_label("Your message").press("Tab")
        page.keyboard.press("Enter")  # the Post button, reached by keyboard
        page.get_by_role("heading", name="Listening round: Sharing").wait_for()
        self.assert_accessible()
        thread = Thread.objects.get(space=space)

        self.context.clear_cookies()
        self.log_in("grace@example.org")
        page.goto(self.url(thread.get_absolute_url()))
        page.get_by_role("heading", name="Share your story").wait_for()
        page.get_by_label("Your reply").fill("The charge nurse asked each of us.")
        page.get_by_role("button", name="Post my reply").click()
        page.get_by_text("Your reply is posted.").wait_for()
        page.get_by_text("Story", exact=True).wait_for()
        self.assert_accessible()

        self.context.clear_cookies()
        self.log_in("fiona@example.org")
        page.goto(self.url(thread.get_absolute_url()))
        button = page.get_by_role("button", name="Open reflections")
        button.focus()
        page.keyboard.press("Enter")
        page.get_by_role("heading", name="Listening round: Reflecting").wait_for()
        self.assert_accessible()
        thread.refresh_from_db()
        self.assertEqual(thread.phase, ListeningPhase.REFLECTING)
