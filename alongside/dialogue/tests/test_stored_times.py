"""Issue 14, "Exact times" and "no timestamp finer than the day where it could be
matched": from a copy of the database, without PSEUDONYM_KEY, no stored time about
safe-space content can be matched against a member's sign-in (audited to the second,
and `User.last_login`). Every such time is the start of its day; what needed exact
recent times (the posting rate limits, the daily digest, the 48-hour alert) works
from the day, or from a short-lived sealed cache entry.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import time_machine
from django.apps import apps
from django.core import mail
from django.db import models
from django.db.models import Q
from django.utils import timezone

from alongside.accounts.models import User
from alongside.audit.models import AuditEvent
from alongside.dialogue import moderation, safespace, services, trust
from alongside.dialogue.models import (
    Appeal,
    DigestSubscription,
    Flag,
    GuidelinesAcceptance,
    Post,
    Reaction,
    Sanction,
    Space,
    Subscription,
    Thread,
)
from alongside.dialogue.tests.helpers import make_space, reviewed, start
from alongside.test import BaseTestCase

# A Wednesday morning; the sign-in is audited to the second.
SIGN_IN = datetime(2026, 3, 4, 10, 31, 5, tzinfo=UTC)


def _safe_rows(space: Space) -> dict[type[models.Model], Any]:
    """Every dialogue row about the safe space's content (and its conversations')."""
    return {
        GuidelinesAcceptance: GuidelinesAcceptance.objects.filter(space=space),
        Thread: Thread.objects.filter(space=space),
        Post: Post.objects.filter(thread__space=space),
        Reaction: Reaction.objects.filter(post__thread__space=space),
        Subscription: Subscription.objects.filter(thread__space=space),
        Flag: Flag.objects.filter(post__thread__space=space),
        Sanction: Sanction.objects.filter(
            Q(space=space) | Q(pseudonym__space=space) | Q(post__thread__space=space)
        ),
        Appeal: Appeal.objects.filter(
            Q(post__thread__space=space) | Q(sanction__pseudonym__space=space)
        ),
        AuditEvent: AuditEvent.objects.filter(
            Q(data__space_id=space.pk) | Q(data__space=space.name)
        ),
    }


# Dialogue models with a time that are not about safe-space content, and why.
NOT_ABOUT_CONTENT = {
    "space": "the space itself, set up by an administrator",
    "revealrequest": "administrators' request and decision, timed for the 72-hour "
    "window; it names the pseudonym, never who is behind it",
    "digestsubscription": "a member's own digest schedule under his name",
    "membertrust": "a member's real-name trust level",
}


class DatabaseDumpTestCase(BaseTestCase):
    """Alice signs in at 10:31:05 and acts as her pseudonym 35 seconds later."""

    def setUp(self) -> None:
        self.safe = make_space(
            self.org,
            name="Questions without judgment",
            accepted=(self.alice, self.bob, self.fiona),
            is_safe=True,
        )
        reviewed(self.safe, self.bob)

    def _sign_in(self, user: User) -> None:
        response = self.client.post(
            "/accounts/login/",
            {"login": user.email, "password": "correct horse battery staple"},
        )
        self.assertEqual(response.status_code, 302)

    def _scenario(self, clock: Any) -> None:
        self._sign_in(self.alice)
        clock.shift(timedelta(seconds=35))
        opening = start(self.safe, self.alice, "My question, after signing in.")
        clock.shift(timedelta(seconds=20))
        moderation.approve(opening, moderator=self.paula)
        clock.shift(timedelta(seconds=20))
        answer = services.reply(
            thread=opening.thread, author=self.bob, body="An answer for you."
        )
        clock.shift(timedelta(seconds=40))
        mine = services.reply(
            thread=opening.thread, author=self.alice, body="Thank you, that helps."
        )
        services.reaction_set(answer, user=self.alice, kind="heart", on=True)
        services.post_edit(mine, user=self.alice, body="Thank you, it helps.")
        moderation.flag_post(answer, reporter=self.alice, reason="off_topic")
        moderation.restore(answer, moderator=self.paula)
        services.subscription_set(opening.thread, user=self.fiona, on=True)
        warning = moderation.sanction(
            mine, moderator=self.paula, kind="warning", reason="Stay on topic."
        )
        moderation.appeal_file(
            user=self.alice, statement="I was on topic.", sanction=warning
        )
        moderation.hide(answer, moderator=self.paula, reason="Off topic")
        moderation.lock_set(opening.thread, moderator=self.paula, locked=True)
        services.post_delete(mine, user=self.alice)

    def test_every_stored_time_about_safe_space_content_is_a_day_start(self) -> None:
        with (
            time_machine.travel(SIGN_IN, tick=False) as clock,
            self.captureOnCommitCallbacks(execute=True),
        ):
            self._scenario(clock)
        # The sign-in itself is recorded to the second...
        signed_in = AuditEvent.objects.get(action="account.signed_in", actor=self.alice)
        self.assertEqual(signed_in.created_at, SIGN_IN)
        self.alice.refresh_from_db()
        self.assertEqual(self.alice.last_login, SIGN_IN)
        # ...and nothing about the safe space's content is finer than its day.
        day = safespace.day_start(SIGN_IN)
        self.assertEqual(day.time().isoformat(), "00:00:00")
        checked = 0
        for model, rows in _safe_rows(self.safe).items():
            fields = [
                f.name
                for f in model._meta.concrete_fields
                if isinstance(f, models.DateTimeField)
            ]
            self.assertTrue(rows.exists(), model.__name__)
            for row in rows.values("pk", *fields):
                for name in fields:
                    value = row[name]
                    if value is None:
                        continue
                    checked += 1
                    self.assertEqual(
                        safespace.day_start(value),
                        value,
                        f"{model.__name__}.{name} = {value.isoformat()}",
                    )
        self.assertGreater(checked, 20)
        # Every dialogue model with a time is checked above or is not about content.
        timed = {
            m._meta.model_name
            for m in apps.get_app_config("dialogue").get_models()
            if any(isinstance(f, models.DateTimeField) for f in m._meta.concrete_fields)
        }
        covered = {m._meta.model_name for m in _safe_rows(self.safe)}
        self.assertEqual(timed - covered, set(NOT_ABOUT_CONTENT))

    def test_the_conversation_keeps_its_order_within_the_day(self) -> None:
        reviewed(self.safe, self.alice)
        with time_machine.travel(SIGN_IN, tick=False) as clock:
            opening = start(self.safe, self.alice, "one")
            bodies = ["one"]
            for n, author in enumerate((self.bob, self.alice, self.bob, self.alice)):
                clock.shift(timedelta(minutes=1))
                body = f"reply {n}"
                services.reply(thread=opening.thread, author=author, body=body)
                bodies.append(body)
        posts = Post.objects.filter(thread=opening.thread).in_order()
        self.assertEqual([p.body for p in posts], bodies)
        self.assertEqual({p.created_at for p in posts}, {safespace.day_start(SIGN_IN)})
        self.client.force_login(self.bob)
        page = self.client.get(opening.thread.get_absolute_url()).content.decode()
        positions = [page.index(body) for body in bodies]
        self.assertEqual(positions, sorted(positions))


class PseudonymRateLimitTestCase(BaseTestCase):
    """The limits still hold for a pseudonym, although its posts carry the day only."""

    def setUp(self) -> None:
        self.safe = make_space(
            self.org, accepted=(self.alice, self.bob), is_safe=True, established=False
        )

    def test_a_new_pseudonyms_second_topic_within_120_s_is_refused(self) -> None:
        with time_machine.travel(SIGN_IN, tick=False) as clock:
            first = start(self.safe, self.bob, "one", title="1")
            self.assertEqual(first.created_at, safespace.day_start(SIGN_IN))
            clock.shift(timedelta(seconds=119))
            with self.assertRaises(trust.RateLimited) as caught:
                start(self.safe, self.bob, "two", title="2")
            self.assertEqual(caught.exception.retry_after, 1)
            clock.shift(timedelta(seconds=1))
            start(self.safe, self.bob, "two", title="2")

    def test_a_new_pseudonyms_reply_within_30_s_is_refused(self) -> None:
        reviewed(self.safe, self.alice)
        with time_machine.travel(SIGN_IN, tick=False) as clock:
            thread = start(self.safe, self.alice, "open").thread
            clock.shift(timedelta(minutes=3))
            services.reply(thread=thread, author=self.bob, body="first")
            clock.shift(timedelta(seconds=29))
            with self.assertRaises(trust.RateLimited) as caught:
                services.reply(thread=thread, author=self.bob, body="second")
            self.assertEqual(caught.exception.retry_after, 1)
            clock.shift(timedelta(seconds=1))
            services.reply(thread=thread, author=self.bob, body="second")

    def test_a_duplicate_within_five_minutes_is_refused(self) -> None:
        reviewed(self.safe, self.alice, self.bob)
        with time_machine.travel(SIGN_IN, tick=False) as clock:
            thread = start(self.safe, self.alice, "open").thread
            services.reply(thread=thread, author=self.bob, body="Same words")
            clock.shift(timedelta(minutes=4, seconds=59))
            with self.assertRaises(trust.PostingRefused) as caught:
                services.reply(thread=thread, author=self.bob, body=" Same words ")
            self.assertNotIsInstance(caught.exception, trust.RateLimited)
            # Someone else may say it; so may he after five minutes.
            services.reply(thread=thread, author=self.alice, body="Same words")
            clock.shift(timedelta(seconds=2))
            services.reply(thread=thread, author=self.bob, body="Same words")

    def test_a_deleted_post_is_no_duplicate(self) -> None:
        reviewed(self.safe, self.alice, self.bob)
        with time_machine.travel(SIGN_IN, tick=False):
            thread = start(self.safe, self.alice, "open").thread
            post = services.reply(thread=thread, author=self.bob, body="Oops")
            services.post_delete(post, user=self.bob)
            services.reply(thread=thread, author=self.bob, body="Oops")

    def test_a_new_pseudonyms_first_day_caps_until_the_next_day(self) -> None:
        reviewed(self.safe, self.alice)
        with time_machine.travel(SIGN_IN, tick=False) as clock:
            thread = start(self.safe, self.alice, "open").thread
            for n in range(3):
                start(self.safe, self.bob, f"topic {n}", title=f"{n}")
                clock.shift(timedelta(minutes=3))
            with self.assertRaises(trust.RateLimited) as caught:
                start(self.safe, self.bob, "topic 4", title="4")
            tomorrow = safespace.day_start(SIGN_IN + timedelta(days=1))
            self.assertEqual(
                caught.exception.retry_after,
                int((tomorrow - timezone.now()).total_seconds()),
            )
            for n in range(10):
                services.reply(thread=thread, author=self.bob, body=f"reply {n}")
                clock.shift(timedelta(seconds=31))
            with self.assertRaises(trust.RateLimited) as caught:
                services.reply(thread=thread, author=self.bob, body="reply 11")
            self.assertIn("first day", caught.exception.message)
            clock.move_to(tomorrow + timedelta(seconds=1))
            services.reply(thread=thread, author=self.bob, body="reply 11")
            start(self.safe, self.bob, "topic 4", title="4")

    def test_the_daily_topic_cap_holds(self) -> None:
        reviewed(self.safe, self.bob)
        with time_machine.travel(SIGN_IN, tick=False) as clock:
            for n in range(trust.MAX_TOPICS_PER_DAY):
                start(self.safe, self.bob, f"topic {n}", title=f"{n}")
                clock.shift(timedelta(minutes=1))
            with self.assertRaises(trust.RateLimited):
                start(self.safe, self.bob, "one too many", title="x")
            clock.move_to(safespace.day_start(SIGN_IN + timedelta(days=1)))
            start(self.safe, self.bob, "one too many", title="x")

    def test_the_cache_entry_names_no_pseudonym_and_holds_no_time_in_clear(
        self,
    ) -> None:
        from django.core.cache import cache

        reviewed(self.safe, self.bob)
        with time_machine.travel(SIGN_IN, tick=False):
            post = start(self.safe, self.bob, "A question with words", title="q")
            assert post.pseudonym is not None
            key = safespace.window_cache_key(post.pseudonym.pk)
            value = cache.get(key)
        self.assertIsInstance(value, str)
        self.assertNotIn(str(post.pseudonym.pk), key)
        for clear in (str(post.pseudonym.pk), "words", "1772"):
            self.assertNotIn(clear, value)


class SafeSpaceDigestTestCase(BaseTestCase):
    """A safe space's digest covers whole past days: no post is skipped or repeated,
    however late in the day it was made."""

    def test_a_post_made_after_the_days_digest_comes_in_the_next_one(self) -> None:
        safe = make_space(self.org, accepted=(self.alice, self.bob), is_safe=True)
        reviewed(safe, self.alice, self.bob)
        monday = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)
        DigestSubscription.objects.create(
            space=safe, user=self.alice, covered_until=monday - timedelta(days=1)
        )

        def digest_at(moment: datetime) -> str:
            mail.outbox.clear()
            with (
                time_machine.travel(moment, tick=False),
                self.captureOnCommitCallbacks(execute=True),
            ):
                services.send_digests()
            self.assertLessEqual(len(mail.outbox), 1)
            return str(mail.outbox[0].body) if mail.outbox else ""

        with time_machine.travel(monday - timedelta(hours=8), tick=False):
            start(safe, self.bob, "SUNDAY-POST", "Sunday")
        first = digest_at(monday)
        self.assertIn("SUNDAY-POST", first)
        # Posted on Monday after Monday's digest ran, and late on Monday.
        for hour, body in ((9, "MONDAY-MORNING"), (23, "MONDAY-NIGHT")):
            with time_machine.travel(monday.replace(hour=hour), tick=False):
                start(safe, self.bob, body, body.title())
        # A second run the same day sends nothing again.
        self.assertEqual(digest_at(monday.replace(hour=12)), "")
        tuesday = digest_at(monday + timedelta(days=1))
        self.assertIn("MONDAY-MORNING", tuesday)
        self.assertIn("MONDAY-NIGHT", tuesday)
        self.assertNotIn("SUNDAY-POST", tuesday)
        # Skipped days are caught up (within the week), never repeated.
        with time_machine.travel(monday + timedelta(days=1, hours=5), tick=False):
            start(safe, self.bob, "TUESDAY-POST", "Tuesday")
        thursday = digest_at(monday + timedelta(days=3))
        self.assertIn("TUESDAY-POST", thursday)
        self.assertNotIn("MONDAY-NIGHT", thursday)
        self.assertEqual(digest_at(monday + timedelta(days=4)), "")

    def test_an_open_spaces_digest_is_unchanged(self) -> None:
        space = make_space(self.org, accepted=(self.alice, self.bob))
        at = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)
        DigestSubscription.objects.create(
            space=space, user=self.alice, covered_until=at - timedelta(hours=2)
        )
        with time_machine.travel(at - timedelta(hours=1), tick=False):
            start(space, self.bob, "OPEN-POST", "Open")
        with (
            time_machine.travel(at, tick=False),
            self.captureOnCommitCallbacks(execute=True),
        ):
            self.assertEqual(services.send_digests(), 1)
        self.assertIn("OPEN-POST", str(mail.outbox[0].body))
        digest = DigestSubscription.objects.get()
        self.assertEqual(digest.covered_until, at)


class HeldPostAlertTestCase(BaseTestCase):
    def test_a_held_pseudonymous_post_is_alerted_from_its_day(self) -> None:
        safe = make_space(self.org, accepted=(self.bob,), is_safe=True)
        with time_machine.travel(SIGN_IN, tick=False):
            held = start(safe, self.bob, "Waiting")
        self.assertEqual(held.state, Post.State.HELD)
        day = safespace.day_start(SIGN_IN)
        self.assertEqual(
            moderation.waiting_items(day + moderation.SLA - timedelta(seconds=1)), []
        )
        with time_machine.travel(day + moderation.SLA, tick=False):
            self.assertEqual(moderation.send_alerts(), 1)
            self.assertEqual(moderation.send_alerts(), 0)
