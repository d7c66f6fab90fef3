"""Trust levels: the gate matrix, new members' posts held for review, automatic
promotion, and posting rate limits at Discourse's defaults (frozen clock)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine
from django.core.exceptions import PermissionDenied

from alongside.dialogue import moderation, services, trust
from alongside.dialogue.models import MemberTrust, Post, Thread
from alongside.dialogue.tests.helpers import establish, make_space, start
from alongside.notifications.models import Notification
from alongside.organizations.models import Membership
from alongside.test import BaseTestCase, make_member

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class GateMatrixTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.space = make_space(
            self.org, accepted=(self.alice, self.bob), established=False
        )
        establish(self.org, self.bob)

    def test_a_new_member_cannot_flag_and_is_pointed_to_concerns(self) -> None:
        post = start(self.space, self.bob, "Rotas again")
        with self.assertRaises(moderation.ModerationRefused) as caught:
            moderation.flag_post(post, reporter=self.alice, reason="abusive")
        self.assertIn("raise a concern", caught.exception.message)
        self.client.force_login(self.alice)
        page = self.client.get(f"/o/northwind/posts/{post.uid}/flag/")
        self.assertContains(page, "New members can't flag posts yet.")
        self.assertContains(page, "/o/northwind/concerns/new/")
        self.client.post(f"/o/northwind/posts/{post.uid}/flag/", {"reason": "spam"})
        self.assertFalse(post.flags.exists())

    def test_a_third_link_or_mention_is_refused_for_a_new_member(self) -> None:
        two_links = "See https://a.example and https://b.example"
        start(self.space, self.alice, two_links, title="two links")
        with time_machine.travel(datetime.now(UTC) + timedelta(minutes=3)):
            with self.assertRaises(trust.PostingRefused) as caught:
                start(self.space, self.alice, two_links + " and www.c.example")
            self.assertIn("at most 2 links", caught.exception.message)
            with self.assertRaises(trust.PostingRefused) as caught:
                start(self.space, self.alice, "@bob-member @paula-admin @fiona-x hi")
            self.assertIn("at most 2 people", caught.exception.message)
            # A member past level 0 may.
            start(self.space, self.bob, two_links + " and www.c.example")
            start(self.space, self.bob, "@alice-ally @paula-admin @fiona-x", title="m")

    def test_the_view_shows_the_refusal_and_posts_nothing(self) -> None:
        self.client.force_login(self.alice)
        response = self.client.post(
            f"/o/northwind/spaces/{self.space.pk}/new/",
            {"title": "Links", "body": "http://a.x http://b.x http://c.x"},
        )
        self.assertContains(response, "at most 2 links")
        self.assertFalse(Thread.objects.exists())

    def test_leaders_pass_every_gate(self) -> None:
        services.guidelines_accept(self.space, self.paula)
        post = start(self.space, self.paula, "http://a.x http://b.x http://c.x")
        self.assertEqual(post.state, Post.State.PUBLISHED)
        self.assertEqual(trust.level_in_space(self.space, self.fiona), 4)


class HeldForReviewTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.space = make_space(
            self.org, accepted=(self.alice, self.bob), established=False
        )
        establish(self.org, self.bob)
        self.thread = start(self.space, self.bob, "Who covers nights?").thread
        self.thread.refresh_from_db()

    def test_a_new_members_post_waits_unseen_and_uncounted(self) -> None:
        before = self.thread.last_posted_at
        post = services.reply(thread=self.thread, author=self.alice, body="Me, often.")
        self.assertEqual(post.state, Post.State.HELD)
        self.assertEqual(post.held_because, Post.HeldBecause.NEW_MEMBER)
        self.thread.refresh_from_db()
        self.assertEqual(self.thread.post_count, 1)
        self.assertEqual(self.thread.last_posted_at, before)
        self.assertFalse(Notification.objects.filter(user=self.bob).exists())
        # Bob does not see it; alice sees it with the notice.
        self.client.force_login(self.bob)
        self.assertNotContains(self.client.get(self.thread.get_absolute_url()), "often")
        self.client.force_login(self.alice)
        page = self.client.get(self.thread.get_absolute_url())
        self.assertContains(page, "Me, often.")
        self.assertContains(page, "Waiting for review")
        # Nor does search or the digest find it.
        self.assertFalse(Post.objects.live().filter(pk=post.pk).exists())

    def test_the_view_tells_the_author_kindly(self) -> None:
        self.client.force_login(self.alice)
        response = self.client.post(
            self.thread.get_absolute_url(), {"body": "Me, often."}, follow=True
        )
        self.assertContains(response, "New members&#x27; first posts are read")

    def test_a_held_first_post_hides_its_thread_from_lists(self) -> None:
        held = start(self.space, self.alice, "My first", title="Alice asks")
        self.client.force_login(self.bob)
        self.assertNotContains(
            self.client.get(self.space.get_absolute_url()), "Alice asks"
        )
        self.client.force_login(self.alice)
        self.assertContains(
            self.client.get(self.space.get_absolute_url()), "Alice asks"
        )
        moderation.approve(held, moderator=self.paula)
        self.client.force_login(self.bob)
        self.assertContains(
            self.client.get(self.space.get_absolute_url()), "Alice asks"
        )

    def test_approval_publishes_counts_and_notifies(self) -> None:
        post = services.reply(thread=self.thread, author=self.alice, body="Me, often.")
        moderation.approve(post, moderator=self.paula)
        post.refresh_from_db()
        self.thread.refresh_from_db()
        self.assertEqual(post.state, Post.State.PUBLISHED)
        self.assertEqual(self.thread.post_count, 2)
        self.assertTrue(
            Notification.objects.filter(
                user=self.bob, message__contains="New post by Alice Ally"
            ).exists()
        )
        self.assertTrue(
            Notification.objects.filter(
                user=self.alice, message__contains="approved your post"
            ).exists()
        )
        self.assertEqual(
            MemberTrust.objects.get(
                organization=self.org, user=self.alice
            ).approved_posts,
            1,
        )

    def test_promotion_after_three_approved_posts_and_a_day(self) -> None:
        Membership.objects.of_user(self.alice).update(joined_at=T0)
        with time_machine.travel(T0 + timedelta(hours=2), tick=False) as clock:
            for n in range(3):
                clock.shift(timedelta(minutes=5))
                post = services.reply(
                    thread=self.thread, author=self.alice, body=f"Post {n}"
                )
                self.assertEqual(post.state, Post.State.HELD)
                moderation.approve(post, moderator=self.paula)
            # Three approved, but not yet a day a member.
            self.assertEqual(trust.level_of(self.org, self.alice), 0)
            clock.move_to(T0 + timedelta(days=1, minutes=1))
            post = services.reply(thread=self.thread, author=self.alice, body="Now")
        self.assertEqual(post.state, Post.State.PUBLISHED)
        self.assertEqual(trust.level_of(self.org, self.alice), 1)

    def test_promotion_rule(self) -> None:
        now = T0
        self.assertEqual(trust.automatic_level(2, now - timedelta(days=9), now), 0)
        self.assertEqual(trust.automatic_level(3, now - timedelta(hours=23), now), 0)
        self.assertEqual(trust.automatic_level(3, now - timedelta(days=1), now), 1)
        self.assertEqual(trust.automatic_level(20, now - timedelta(days=30), now), 2)
        self.assertEqual(trust.automatic_level(50, now - timedelta(days=90), now), 3)
        self.assertEqual(trust.automatic_level(500, now - timedelta(days=29), now), 1)

    def test_a_moderator_sets_a_level_and_it_sticks(self) -> None:
        moderation.trust_set(
            self.org, self.alice, level=2, moderator=self.paula, space=self.space
        )
        self.assertEqual(trust.level_of(self.org, self.alice), 2)
        trust.recompute(self.org, self.alice, published=1)
        self.assertEqual(trust.level_of(self.org, self.alice), 2)
        with self.assertRaises(PermissionDenied):
            moderation.trust_set(
                self.org, self.bob, level=3, moderator=self.alice, space=self.space
            )


class RateLimitTestCase(BaseTestCase):
    """Discourse's defaults, adopted as ours (RELIABILITY "Posting rate limits")."""

    def setUp(self) -> None:
        self.newbie = make_member(self.org, display_name="Nina New")
        Membership.objects.of_user(self.newbie).update(joined_at=T0)
        self.regular = make_member(self.org, display_name="Rex Regular")
        Membership.objects.of_user(self.regular).update(
            joined_at=T0 - timedelta(days=400)
        )
        self.space = make_space(
            self.org, accepted=(self.newbie, self.regular), established=False
        )
        establish(self.org, self.regular, level=3)

    def test_new_member_second_topic_within_120_s(self) -> None:
        with time_machine.travel(T0 + timedelta(minutes=1), tick=False) as clock:
            start(self.space, self.newbie, "one", title="1")
            clock.shift(timedelta(seconds=119))
            with self.assertRaises(trust.RateLimited) as caught:
                start(self.space, self.newbie, "two", title="2")
            self.assertEqual(caught.exception.retry_after, 1)
            clock.shift(timedelta(seconds=1))
            start(self.space, self.newbie, "two", title="2")

    def test_new_member_second_reply_within_30_s_is_429(self) -> None:
        with time_machine.travel(T0 + timedelta(minutes=1), tick=False) as clock:
            thread = start(self.space, self.regular, "open", title="t").thread
            self.client.force_login(self.newbie)
            url = thread.get_absolute_url()
            self.assertEqual(self.client.post(url, {"body": "first"}).status_code, 302)
            clock.shift(timedelta(seconds=29))
            response = self.client.post(url, {"body": "second"})
            self.assertEqual(response.status_code, 429)
            self.assertEqual(response["Retry-After"], "1")
            self.assertContains(response, "second", status_code=429)
            clock.shift(timedelta(seconds=1))
            self.assertEqual(self.client.post(url, {"body": "second"}).status_code, 302)

    def test_new_member_first_day_caps(self) -> None:
        with time_machine.travel(T0 + timedelta(minutes=1), tick=False) as clock:
            thread = start(self.space, self.regular, "open", title="t").thread
            for n in range(3):
                start(self.space, self.newbie, f"topic {n}", title=f"{n}")
                clock.shift(timedelta(minutes=3))
            with self.assertRaises(trust.RateLimited):
                start(self.space, self.newbie, "topic 4", title="4")
            for n in range(10):
                services.reply(thread=thread, author=self.newbie, body=f"reply {n}")
                clock.shift(timedelta(seconds=31))
            with self.assertRaises(trust.RateLimited) as caught:
                services.reply(thread=thread, author=self.newbie, body="reply 11")
            self.assertIn("first day", caught.exception.message)
            # The day over, both open again.
            clock.move_to(T0 + timedelta(days=1, seconds=1))
            services.reply(thread=thread, author=self.newbie, body="reply 11")
            start(self.space, self.newbie, "topic 4", title="4")

    def test_regular_21st_topic_in_a_day_is_blocked(self) -> None:
        with time_machine.travel(T0, tick=False) as clock:
            for n in range(20):
                start(self.space, self.regular, f"topic {n}", title=f"{n}")
                clock.shift(timedelta(minutes=1))
            with self.assertRaises(trust.RateLimited):
                start(self.space, self.regular, "topic 21", title="21")
            # Replies are not topics.
            thread = Thread.objects.first()
            assert thread is not None
            services.reply(thread=thread, author=self.regular, body="a reply")
            clock.move_to(T0 + timedelta(days=1, seconds=1))
            start(self.space, self.regular, "topic 21", title="21")

    def test_a_duplicate_within_five_minutes_is_rejected(self) -> None:
        with time_machine.travel(T0, tick=False) as clock:
            thread = start(self.space, self.regular, "open", title="t").thread
            services.reply(thread=thread, author=self.regular, body="Same words")
            clock.shift(timedelta(minutes=4, seconds=59))
            with self.assertRaises(trust.PostingRefused) as caught:
                services.reply(thread=thread, author=self.regular, body=" Same words ")
            self.assertNotIsInstance(caught.exception, trust.RateLimited)
            # Elsewhere is fine; so is the same thread after five minutes.
            other = start(self.space, self.regular, "other", title="o").thread
            services.reply(thread=other, author=self.regular, body="Same words")
            clock.shift(timedelta(seconds=2))
            services.reply(thread=thread, author=self.regular, body="Same words")
