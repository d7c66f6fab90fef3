from __future__ import annotations

from datetime import timedelta
from io import StringIO
from typing import Any

from django.core import mail
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.test import TestCase
from django.utils import timezone

from alongside.audit.models import AuditEvent
from alongside.dialogue import services
from alongside.dialogue.models import (
    DigestSubscription,
    Post,
    Reaction,
    Subscription,
)
from alongside.dialogue.tests.helpers import (
    establish,
    make_circle,
    make_space,
    start,
)
from alongside.notifications.models import Notification
from alongside.organizations.models import Membership
from alongside.test import BaseTestCase


class GuidelinesTestCase(BaseTestCase):
    def test_a_first_post_needs_the_current_guidelines(self) -> None:
        space = make_space(self.org)
        establish(self.org, self.alice)
        with self.assertRaises(services.GuidelinesNotAccepted):
            start(space, self.alice)
        services.guidelines_accept(space, self.alice)
        post = start(space, self.alice)
        post.thread.refresh_from_db()
        self.assertEqual(post.thread.post_count, 1)

    def test_a_material_change_asks_everyone_again(self) -> None:
        space = make_space(self.org, accepted=(self.alice,))
        thread = start(space, self.alice).thread
        services.space_update(
            space,
            actor=self.paula,
            name=space.name,
            description="",
            guidelines="Be kind. And brief.",
            material_change=True,
        )
        self.assertEqual(space.guidelines_version, 2)
        self.assertFalse(space.has_accepted_guidelines(self.alice))
        with self.assertRaises(services.GuidelinesNotAccepted):
            services.reply(thread=thread, author=self.alice, body="again")
        services.guidelines_accept(space, self.alice)
        services.reply(thread=thread, author=self.alice, body="again")
        self.assertTrue(
            AuditEvent.objects.filter(action="dialogue.guidelines_changed").exists()
        )

    def test_a_typo_fix_keeps_acceptances(self) -> None:
        space = make_space(self.org, accepted=(self.alice,))
        services.space_update(
            space,
            actor=self.paula,
            name=space.name,
            description="",
            guidelines="Be kind!",
            material_change=False,
        )
        self.assertEqual(space.guidelines_version, 1)
        self.assertTrue(space.has_accepted_guidelines(self.alice))


class SpaceCreationTestCase(BaseTestCase):
    def test_program_admins_open_org_spaces_and_facilitators_circle_spaces(
        self,
    ) -> None:
        paula = Membership.objects.of_user(self.paula).get()
        alice = Membership.objects.of_user(self.alice).get()
        kwargs: dict[str, Any] = {"name": "S", "description": "", "guidelines": "G"}
        services.space_create(
            organization=self.org, membership=paula, circle=None, **kwargs
        )
        with self.assertRaises(PermissionDenied):
            services.space_create(
                organization=self.org, membership=alice, circle=None, **kwargs
            )
        circle = make_circle(self.org, facilitator=self.alice, members=(self.bob,))
        services.space_create(
            organization=self.org, membership=alice, circle=circle, **kwargs
        )
        # A program admin has no power inside a circle.
        with self.assertRaises(PermissionDenied):
            services.space_create(
                organization=self.org, membership=paula, circle=circle, **kwargs
            )


class CircleSpaceTestCase(BaseTestCase):
    def test_only_circle_members_post_and_archived_circles_are_read_only(self) -> None:
        circle = make_circle(self.org, facilitator=self.fiona, members=(self.alice,))
        space = make_space(self.org, circle=circle, accepted=(self.alice, self.bob))
        with self.assertRaises(PermissionDenied):
            start(space, self.bob)
        start(space, self.alice)
        circle.is_archived = True
        circle.save()
        with self.assertRaises(PermissionDenied):
            start(space, self.alice)


class MentionTestCase(BaseTestCase):
    def test_mentions_notify_only_members_who_can_see_the_space(self) -> None:
        circle = make_circle(self.org, facilitator=self.fiona, members=(self.alice,))
        space = make_space(self.org, circle=circle, accepted=(self.alice,))
        start(
            space,
            self.alice,
            "@fiona-facilitator and @bob-member and @oscar-outsider, see this",
        )
        notified = set(Notification.objects.values_list("user__email", flat=True))
        self.assertEqual(notified, {"fiona@example.org"})
        self.assertIn("mentioned you", Notification.objects.get().message)

    def test_an_org_wide_mention_ignores_emails_and_self(self) -> None:
        space = make_space(self.org, accepted=(self.alice,))
        start(space, self.alice, "mail bob@bob-member.org, @alice-ally @Bob-Member")
        self.assertEqual(
            list(Notification.objects.values_list("user__email", flat=True)),
            ["bob@example.org"],
        )


class ReactionTestCase(BaseTestCase):
    def test_reactions_are_unique_and_setting_twice_is_harmless(self) -> None:
        space = make_space(self.org, accepted=(self.alice,))
        post = start(space, self.alice)
        services.reaction_set(post, user=self.bob, kind="heart", on=True)
        # A second identical request (double click, or a concurrent one) hits the
        # constraint inside the service and ends in the same state.
        services.reaction_set(post, user=self.bob, kind="heart", on=True)
        services.reaction_set(post, user=self.bob, kind="bulb", on=True)
        self.assertEqual(Reaction.objects.filter(post=post, user=self.bob).count(), 2)
        with self.assertRaises(IntegrityError), transaction.atomic():
            Reaction.objects.create(post=post, user=self.bob, kind="heart")
        services.reaction_set(post, user=self.bob, kind="heart", on=False)
        services.reaction_set(post, user=self.bob, kind="heart", on=False)
        self.assertEqual(
            list(Reaction.objects.values_list("kind", flat=True)), ["bulb"]
        )

    def test_unknown_kinds_are_refused(self) -> None:
        from django.core.exceptions import ValidationError

        space = make_space(self.org, accepted=(self.alice,))
        post = start(space, self.alice)
        with self.assertRaises(ValidationError):
            services.reaction_set(post, user=self.bob, kind="skull", on=True)
        self.assertFalse(Reaction.objects.exists())


class EditDeleteTestCase(BaseTestCase):
    def test_only_the_author_edits_and_deletes(self) -> None:
        space = make_space(self.org, accepted=(self.alice,))
        post = start(space, self.alice, "first")
        with self.assertRaises(PermissionDenied):
            services.post_edit(post, user=self.bob, body="hijack")
        services.post_edit(post, user=self.alice, body="second")
        post.refresh_from_db()
        self.assertEqual(post.body, "second")
        self.assertIsNotNone(post.edited_at)
        services.reaction_set(post, user=self.bob, kind="heart", on=True)
        with self.assertRaises(PermissionDenied):
            services.post_delete(post, user=self.bob)
        services.post_delete(post, user=self.alice)
        post.refresh_from_db()
        self.assertTrue(post.is_deleted)
        self.assertEqual(post.body, "")
        self.assertFalse(post.reactions.exists())


class SubscriptionTestCase(BaseTestCase):
    def test_posting_subscribes_and_followers_hear_of_new_posts(self) -> None:
        space = make_space(self.org, accepted=(self.alice, self.bob))
        thread = start(space, self.alice).thread
        self.assertTrue(Subscription.objects.filter(thread=thread, user=self.alice))
        with self.captureOnCommitCallbacks(execute=True):
            services.reply(thread=thread, author=self.bob, body="Reply")
        notification = Notification.objects.get(user=self.alice)
        self.assertIn("New post by Bob Member", notification.message)
        reply = Post.objects.get(author=self.bob)
        self.client.force_login(self.alice)
        response = self.client.get(notification.url)
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].startswith(thread.get_absolute_url()))
        self.assertTrue(response["Location"].endswith(f"#post-{reply.uid}"))
        self.assertEqual([m.to for m in mail.outbox], [["alice@example.org"]])
        # Bob is subscribed now; alice unsubscribes and hears nothing more.
        services.subscription_set(thread, user=self.alice, on=False)
        services.subscription_set(thread, user=self.alice, on=False)
        services.reply(thread=thread, author=self.bob, body="Again")
        self.assertEqual(Notification.objects.filter(user=self.alice).count(), 1)

    def test_followers_who_left_the_circle_hear_nothing(self) -> None:
        circle = make_circle(
            self.org, facilitator=self.fiona, members=(self.alice, self.bob)
        )
        space = make_space(self.org, circle=circle, accepted=(self.alice, self.bob))
        thread = start(space, self.bob).thread
        circle.memberships.filter(user=self.bob).delete()
        services.reply(thread=thread, author=self.alice, body="Still there?")
        self.assertFalse(Notification.objects.filter(user=self.bob).exists())


class DigestTestCase(BaseTestCase):
    def test_digest_subscribers_get_one_email_once(self) -> None:
        space = make_space(self.org, accepted=(self.alice, self.bob))
        services.digest_set(space, user=self.alice, on=True)
        services.digest_set(space, user=self.alice, on=True)
        digest = DigestSubscription.objects.get()
        digest.covered_until = timezone.now() - timedelta(hours=1)
        digest.save()
        thread = start(space, self.alice, title="Rotas").thread
        with self.captureOnCommitCallbacks(execute=True):
            services.reply(thread=thread, author=self.bob, body="A reply for you")
        # In the app at once, but no per-post email: the digest carries it.
        self.assertTrue(Notification.objects.filter(user=self.alice).exists())
        self.assertEqual(mail.outbox, [])
        with self.captureOnCommitCallbacks(execute=True):
            self.assertEqual(services.send_digests(), 1)
        self.assertEqual(len(mail.outbox), 1)
        self.assertIn("A reply for you", mail.outbox[0].body)
        self.assertNotIn("* Alice Ally", mail.outbox[0].body)  # not her own post
        with self.captureOnCommitCallbacks(execute=True):
            self.assertEqual(services.send_digests(), 0)
        self.assertEqual(len(mail.outbox), 1)

    def test_the_command_runs(self) -> None:
        out = StringIO()
        call_command("send_dialogue_digests", stdout=out)
        self.assertIn("0 digest", out.getvalue())


class DisplayAuthorTestCase(TestCase):
    def test_a_post_without_author_shows_a_former_member(self) -> None:
        self.assertEqual(Post(body="x").display_author_for(None), "A former member")


class StoredHtmlTestCase(BaseTestCase):
    """Post.body_rendered: written whenever the body is, shown as it is."""

    def test_the_html_follows_the_body_through_edit_and_delete(self) -> None:
        space = make_space(self.org, accepted=(self.alice,))
        post = start(space, self.alice, "**bold** <script>alert(1)</script>")
        post.refresh_from_db()
        self.assertIn("<strong>bold</strong>", post.body_rendered)
        self.assertNotIn("<script", post.body_rendered)
        services.post_edit(post, user=self.alice, body="_now_ [x](javascript:alert(1))")
        post.refresh_from_db()
        self.assertIn("<em>now</em>", post.body_rendered)
        self.assertNotIn('href="javascript', post.body_rendered)
        # A save of other fields leaves it alone; the author's delete empties it.
        post.state = Post.State.HIDDEN
        post.save(update_fields=("state",))
        post.refresh_from_db()
        self.assertIn("<em>now</em>", post.body_rendered)
        services.post_delete(post, user=self.alice)
        post.refresh_from_db()
        self.assertEqual(post.body_rendered, "")
        self.assertEqual(str(post.body_html()), "")

    def test_rows_written_around_save_render_at_read_and_the_command_fills_them(
        self,
    ) -> None:
        space = make_space(self.org, accepted=(self.alice,))
        post = start(space, self.alice, "*one*")
        Post.objects.filter(pk=post.pk).update(body_rendered="")
        post.refresh_from_db()
        self.assertIn("<em>one</em>", post.body_html())
        out = StringIO()
        call_command("dialogue_rerender", stdout=out)
        self.assertIn("1 post(s) rendered again.", out.getvalue())
        post.refresh_from_db()
        self.assertIn("<em>one</em>", post.body_rendered)
        # Up to date: a second run changes nothing.
        call_command("dialogue_rerender", stdout=out)
        self.assertIn("0 post(s) rendered again.", out.getvalue())
