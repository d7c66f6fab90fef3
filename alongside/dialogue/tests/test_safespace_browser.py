"""Journey 3 (a question in a safe space) in a real browser: a man asks a question in a safe space under
a pseudonym, others reply, and the administrator cannot see who he is."""

from __future__ import annotations

from django.test import tag

from alongside.dialogue import moderation, safespace
from alongside.dialogue.models import Post, Space, Thread
from alongside.dialogue.tests.helpers import establish
from alongside.notifications.models import Notice, Notification
from alongside.organizations.models import Role
from alongside.test import BrowserTestCase, make_member, make_organization


@tag("browser")
class SafeSpaceJourneyTestCase(BrowserTestCase):
    def test_a_man_asks_under_a_pseudonym_and_nobody_learns_who(self) -> None:
        org = make_organization("Northwind Collective", slug="northwind")
        dev = make_member(org, email="dev@example.org", display_name="Dev Sharma")
        grace = make_member(org, email="grace@example.org", display_name="Grace Lin")
        paula = make_member(
            org,
            Role.PROGRAM_ADMIN,
            email="paula@example.org",
            display_name="Paula Admin",
        )
        establish(org, dev, grace, paula)
        page = self.page

        # The administrator opens a safe space.
        self.log_in("paula@example.org")
        page.goto(self.url("/o/northwind/spaces/new/"))
        page.get_by_label("The whole organization").check()
        page.get_by_label("Name").fill("Questions without judgment")
        page.get_by_label("Guidelines").fill("- Every question is welcome.")
        page.get_by_label("Safe space").check()
        self.assert_accessible()
        page.get_by_role("button", name="Open the space").click()
        page.get_by_role("heading", name="A safe space").wait_for()
        self.assert_accessible()
        space = Space.objects.get(name="Questions without judgment")
        self.assertTrue(space.is_safe)

        # Dev asks his question: he reads what is protected and what to leave out.
        self.context.clear_cookies()
        self.log_in("dev@example.org")
        page.goto(self.url(space.get_absolute_url()))
        page.get_by_role("heading", name="A safe space").wait_for()
        page.get_by_role("button", name="Start a conversation").click()
        page.get_by_role("button", name="I accept these guidelines").click()
        page.get_by_role("heading", name="Start a conversation").wait_for()
        page.get_by_text("Your words can still give you away").wait_for()
        self.assert_accessible()
        page.get_by_label("Title").fill("Is it my place to speak up in handovers?")
        page.get_by_label("Your message").fill(
            "A colleague gets talked over every morning. What could I say?"
        )
        page.get_by_role("button", name="Post", exact=True).click()
        page.get_by_role(
            "heading", name="Is it my place to speak up in handovers?"
        ).wait_for()
        handle = safespace.pseudonym_for(space, dev, create=False)
        assert handle is not None
        page.get_by_text(f"You post here as {handle.handle}.").wait_for()
        # Every pseudonym's first post waits for a moderator, whoever owns it: the
        # same words for every cause.
        page.get_by_text("A moderator will read your post before it appears").wait_for()
        self.assert_accessible()
        thread = Thread.objects.get(space=space)
        self.assertIsNone(thread.started_by_id)
        self.assertIsNone(Post.objects.get(thread=thread).author_id)

        # The administrator approves it from the queue, knowing only the pseudonym.
        self.context.clear_cookies()
        self.log_in("paula@example.org")
        page.goto(self.url("/o/northwind/moderation/"))
        page.get_by_text("Held for review", exact=True).first.wait_for()
        self.assertNotIn("Dev Sharma", page.content())
        page.get_by_role("link", name=f"Review the post by {handle.handle}").click()
        page.get_by_role("button", name="Approve and publish").click()
        page.get_by_text("The post is published.").wait_for()
        self.assert_accessible()

        # Grace replies; she sees the pseudonym, never his name.
        self.context.clear_cookies()
        self.log_in("grace@example.org")
        page.goto(self.url(thread.get_absolute_url()))
        self.assertIn(handle.handle, page.content())
        self.assertNotIn("Dev Sharma", page.content())
        page.get_by_role("link", name="Read and accept the guidelines").click()
        page.get_by_role("button", name="I accept these guidelines").click()
        page.get_by_label("Your reply").fill(
            "Yes: “I'd like to hear the end of what she was saying.”"
        )
        page.get_by_role("button", name="Post my reply").click()
        page.get_by_text("A moderator will read your post before it appears").wait_for()
        self.assert_accessible()
        # Her pseudonym's first post is approved too (as above for Dev's).
        moderation.approve(
            Post.objects.get(
                thread=thread, author=None, pseudonym__in=safespace.pseudonyms_of(grace)
            ),
            moderator=paula,
        )

        # The administrator sees pseudonyms only, and day-only dates.
        self.context.clear_cookies()
        self.log_in("paula@example.org")
        page.goto(self.url(thread.get_absolute_url()))
        page.get_by_role("heading", name="A safe space").wait_for()
        content = page.content()
        self.assertIn(handle.handle, content)
        self.assertNotIn("Dev Sharma", content)
        self.assertNotIn("Grace Lin", content)
        self.assertRegex(content, r'datetime="\d{4}-\d{2}-\d{2}"')
        self.assertNotRegex(content, r'datetime="[^"]*T')
        page.get_by_role("link", name=f"Request a reveal of {handle.handle}").wait_for()
        self.assert_accessible()

        # Dev heard of Grace's reply, through the sealed link, under her pseudonym,
        # by a notice addressed to his pseudonym (no notification row names him).
        note = Notice.objects.for_user(dev).get(message__startswith="New post")
        self.assertNotIn("Grace Lin", note.message)
        self.assertFalse(Notification.objects.filter(user=dev).exists())
        self.context.clear_cookies()
        self.log_in("dev@example.org")
        page.goto(self.url("/notifications/"))
        grace_handle = safespace.pseudonym_for(space, grace, create=False)
        assert grace_handle is not None
        page.get_by_role(
            "link",
            name=f"New post by {grace_handle.handle} in “Is it my place to speak "
            "up in handovers?”",
        ).wait_for()
        self.assertNotRegex(page.content(), r'datetime="[^"]*T')
        self.assert_accessible()
