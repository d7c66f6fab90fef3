"""Journey 6 in a real browser: a member flags a post; a moderator works the queue with
the keyboard, hides the post and bans its author, and the log shows both acts; a new
member's held post is approved."""

from __future__ import annotations

from alongside.audit.models import AuditEvent
from alongside.dialogue import moderation, services
from alongside.dialogue.models import Post, Sanction, Space
from alongside.dialogue.tests.helpers import establish
from alongside.organizations.models import Role
from alongside.test import BrowserTestCase, make_member, make_organization


class ModerationJourneyTestCase(BrowserTestCase):
    def test_a_moderator_handles_a_flagged_post(self) -> None:
        org = make_organization("Northwind Collective", slug="northwind")
        alex = make_member(org, email="alex@example.org", display_name="Alex Ally")
        troll = make_member(org, email="troll@example.org", display_name="Tim Troll")
        newbie = make_member(org, email="nina@example.org", display_name="Nina New")
        make_member(
            org, Role.FACILITATOR, email="fiona@example.org", display_name="Fiona F"
        )
        establish(org, alex, troll)
        space = Space.objects.create(
            organization=org, name="Open conversation", guidelines="Be kind."
        )
        for user in (alex, troll, newbie):
            services.guidelines_accept(space, user)
        thread = services.thread_start(
            space=space, author=alex, title="Cover shifts", body="Who covers nights?"
        ).thread
        bad = services.reply(
            thread=thread, author=troll, body="Stop whining about shifts."
        )
        held = services.reply(thread=thread, author=newbie, body="New here, hello!")
        page = self.page

        # Alex flags the post.
        self.log_in("alex@example.org")
        page.goto(self.url(thread.get_absolute_url()))
        page.get_by_role("link", name="Flag the post by Tim Troll").click()
        page.get_by_role("heading", name="Flag a post").wait_for()
        self.assert_accessible()
        page.get_by_label("Abusive or harassing").check()
        page.get_by_label("Anything moderators should know").fill("Belittling")
        page.get_by_role("button", name="Flag it").click()
        page.get_by_text("nobody learns who flagged it").wait_for()
        self.assertEqual(bad.flags.count(), 1)

        # Fiona works the queue with the keyboard only.
        self.context.clear_cookies()
        self.log_in("fiona@example.org")
        page.goto(self.url("/o/northwind/moderation/"))
        page.get_by_role("heading", name="Moderation queue").wait_for()
        page.get_by_text("Abusive or harassing (1)").wait_for()
        self.assertEqual(page.get_by_text("Alex Ally").count(), 0)
        self.assert_accessible()

        # The held post first: approve it.
        page.get_by_role("link", name="Review the post by Nina New").focus()
        page.keyboard.press("Enter")
        page.get_by_role("heading", name="Moderate a post").wait_for()
        self.assert_accessible()
        page.get_by_role("button", name="Approve and publish").focus()
        page.keyboard.press("Enter")
        page.get_by_text("The post is published.").wait_for()
        held.refresh_from_db()
        self.assertEqual(held.state, Post.State.PUBLISHED)

        # Then the flagged one: hide it, then ban its author.
        page.goto(self.url("/o/northwind/moderation/"))
        page.get_by_role("link", name="Review the post by Tim Troll").focus()
        page.keyboard.press("Enter")
        page.get_by_text("Belittling").wait_for()
        page.get_by_role("button", name="Hide…").focus()
        page.keyboard.press("Enter")
        page.get_by_role("heading", name="Hide this post?").wait_for()
        self.assert_accessible()
        page.get_by_label("Reason for the author").fill("Belittles colleagues")
        page.get_by_role("button", name="Hide it").click()
        page.get_by_text("The post is hidden.").wait_for()
        page.get_by_role("link", name="Ban…").click()
        page.get_by_role("heading", name="Ban the author?").wait_for()
        self.assert_accessible()
        page.get_by_role("button", name="Ban").click()
        page.get_by_text("Say why: the member reads it.").wait_for()
        self.assert_accessible()
        page.get_by_label("Reason, as the member will read it").fill(
            "Repeated belittling after a warning"
        )
        page.get_by_role("button", name="Ban").click()
        page.get_by_text("The author is banned").wait_for()
        bad.refresh_from_db()
        self.assertEqual(bad.state, Post.State.HIDDEN)
        self.assertEqual(Sanction.objects.get().kind, Sanction.Kind.BAN)
        with self.assertRaises(moderation.Sanctioned):
            services.reply(thread=thread, author=troll, body="again")

        # The audit trail.
        page.get_by_role("link", name="Moderation log").click()
        page.get_by_role("heading", name="Moderation log").wait_for()
        page.get_by_role("cell", name="Hid a post").wait_for()
        page.get_by_role("cell", name="Banned a member").wait_for()
        page.get_by_role("cell", name="Approved a held post").wait_for()
        self.assert_accessible()
        # (Her sign-ins are audited too, as account.signed_in: left out here.)
        self.assertEqual(
            set(
                AuditEvent.objects.filter(actor__email="fiona@example.org")
                .exclude(action__startswith="account.")
                .values_list("action", flat=True)
            ),
            {
                "dialogue.mod_post_approved",
                "dialogue.mod_post_hidden",
                "dialogue.mod_member_banned",
            },
        )

        # Tim sees he is banned and can appeal.
        self.context.clear_cookies()
        self.log_in("troll@example.org")
        page.goto(self.url(thread.get_absolute_url()))
        page.get_by_text("You are banned from posting and reacting here.").wait_for()
        page.get_by_role("link", name="Why, and how to appeal").click()
        page.get_by_role("heading", name="You are banned").wait_for()
        self.assert_accessible()
        self.assertEqual(page.get_by_text("Alex Ally").count(), 0)
