"""Dialogue in a real browser: guidelines, a thread, a reply with a mention and a
reaction, and the notification it sends."""

from __future__ import annotations

from alongside.dialogue.models import Reaction, Space, Thread
from alongside.dialogue.tests.helpers import establish
from alongside.notifications.models import Notification
from alongside.organizations.models import Role
from alongside.test import BrowserTestCase, make_member, make_organization


class ConversationBrowserTestCase(BrowserTestCase):
    def test_two_members_talk_and_the_first_hears_of_it(self) -> None:
        org = make_organization("Northwind Collective", slug="northwind")
        alex = make_member(org, email="alex@example.org", display_name="Alex Ally")
        sam = make_member(org, email="sam@example.org", display_name="Sam Member")
        # Past the new-member stage, so their posts publish at once (test_moderation_
        # browser covers a new member's post held for review).
        establish(org, alex, sam)
        make_member(org, Role.PROGRAM_ADMIN, email="paula@example.org")
        space = Space.objects.create(
            organization=org,
            name="Open conversation",
            guidelines="- **Assume good faith.**\n- Speak from your own experience.",
        )
        page = self.page

        # Alex accepts the guidelines on the way to starting a thread.
        self.log_in("alex@example.org")
        page.goto(self.url("/o/northwind/spaces/"))
        self.assert_accessible()
        page.get_by_role("link", name="Open conversation").click()
        page.get_by_role("heading", name="Open conversation").wait_for()
        page.get_by_text("No conversations here yet.").wait_for()
        self.assert_accessible()
        page.get_by_role("button", name="Start a conversation").click()
        page.get_by_role("heading", name="Guidelines of Open conversation").wait_for()
        self.assert_accessible()
        page.get_by_role("button", name="I accept these guidelines").click()
        page.get_by_role("heading", name="Start a conversation").wait_for()
        self.assert_accessible()
        page.get_by_label("Title").fill("Who covers the night shifts?")
        page.get_by_label("Your message").fill("It is always the **same** people.")
        page.get_by_role("button", name="Post", exact=True).click()
        page.get_by_role("heading", name="Who covers the night shifts?").wait_for()
        self.assert_accessible()
        thread = Thread.objects.get(space=space)

        # Sam replies with a mention, then reacts to Alex's post.
        self.context.clear_cookies()
        self.log_in("sam@example.org")
        page.goto(self.url(thread.get_absolute_url()))
        page.get_by_role("link", name="Read and accept the guidelines").click()
        self.assert_accessible()
        page.get_by_role("button", name="I accept these guidelines").click()
        page.get_by_label("Your reply").fill("@alex-ally I will take Tuesdays.")
        page.get_by_role("button", name="Post my reply").click()
        page.get_by_text("Your reply is posted.").wait_for()
        self.assert_accessible()
        page.goto(self.url(thread.get_absolute_url()))
        first = page.locator("li[id^=post-]").first
        first.get_by_role("button", name="Support (0)").click()
        first.get_by_role("button", name="Support (1)").wait_for()
        self.assertEqual(
            Reaction.objects.filter(
                kind="heart", user__email="sam@example.org"
            ).count(),
            1,
        )
        self.assert_accessible()

        # Alex sees the mention in her notifications.
        self.context.clear_cookies()
        self.log_in("alex@example.org")
        page.goto(self.url("/notifications/"))
        page.get_by_role(
            "link", name="Sam Member mentioned you in “Who covers the night shifts?”"
        ).wait_for()
        self.assertEqual(
            Notification.objects.filter(user__email="alex@example.org").count(), 1
        )
        self.assert_accessible()
        page.get_by_role("link", name="Sam Member mentioned you").click()
        page.get_by_text("I will take Tuesdays.").wait_for()
        self.assert_accessible()
