"""Issue 14, "Trust levels as an oracle" and "Join-date inference": in a safe space a
pseudonym is gated by its own pseudonymous history only.

The same script of pseudonymous posts is run for one member under many states of his
real account (trust level set by a moderator, roles, join date moved with a frozen
clock, a long real-name history). Everything the script can observe (held or not,
the hold reason the author and the moderators read, refusals, rate limits and their
waits, the edit screen) must be identical every time: nothing about the account
behind a pseudonym may change how it is gated or labelled.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import time_machine

from alongside.dialogue import moderation, services, thread_page, trust
from alongside.dialogue.models import Post, Space, Thread
from alongside.dialogue.tests.helpers import establish, make_space, start
from alongside.organizations.models import Membership, Role
from alongside.test import BaseTestCase

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SCREENED = "You are a whore and everyone knows it."


class PseudonymGateInvarianceTestCase(BaseTestCase):
    """Bob's pseudonym, in a fresh safe space per run; Paula approves."""

    runs = 0

    def _script(self) -> list[Any]:
        """Post as Bob's pseudonym and write down everything that could be seen."""
        type(self).runs += 1
        space = make_space(
            self.org,
            name=f"Safe {self.runs}",
            is_safe=True,
            accepted=(self.bob,),
            established=False,
        )
        seen: list[Any] = []

        def attempt(label: str, act: Callable[[], Post | None]) -> Post | None:
            try:
                post = act()
            except trust.RateLimited as e:
                seen.append((label, "rate-limited", e.message, e.retry_after))
                return None
            except trust.PostingRefused as e:
                seen.append((label, "refused", e.message))
                return None
            if post is None:
                seen.append((label, "ok"))
                return None
            post.refresh_from_db()
            seen.append(
                (
                    label,
                    post.state,
                    post.held_because,
                    post.get_held_because_display() if post.held_because else "",
                    moderation.held_message(post.held_because)
                    if post.state == Post.State.HELD
                    else "",
                    # What another reader (a moderator) is told about the post.
                    thread_page._notice(post, False),
                )
            )
            return post

        def topic(body: str) -> Callable[[], Post]:
            return lambda: start(space, self.bob, body, title="A question")

        with time_machine.travel(T0 + timedelta(days=400), tick=False) as clock:
            first = attempt("first topic", topic("Is this the place to ask?"))
            attempt("second topic at once", topic("Another question"))
            attempt("three links", topic("http://a.x http://b.x http://c.x"))
            attempt("three mentions", topic("@a-b @c-d @e-f hello"))
            clock.shift(timedelta(seconds=121))
            attempt("screened topic", topic(SCREENED))
            assert first is not None
            attempt(
                "reply at once",
                lambda: services.reply(
                    thread=first.thread, author=self.bob, body="Also this"
                ),
            )
            attempt(
                "reply again at once",
                lambda: services.reply(
                    thread=first.thread, author=self.bob, body="And this"
                ),
            )
            # A moderator approves his first post: his pseudonym's standing changes,
            # by its own history.
            moderation.approve(first, moderator=self.paula)
            clock.shift(timedelta(seconds=121))
            later = attempt("topic after an approval", topic("A third question"))
            attempt("screened after an approval", topic(SCREENED))
            clock.shift(timedelta(seconds=121))
            attempt(
                "three links after an approval",
                topic("http://a.x http://b.x http://c.x"),
            )
            assert later is not None
            attempt(
                "screened edit",
                lambda: (
                    services.post_edit(later, user=self.bob, body=SCREENED) and None
                ),
            )
            for n in range(25):
                clock.shift(timedelta(minutes=30))
                attempt(f"topic {n} of a busy day", topic(f"Question number {n}"))
        return seen

    def _real_thread(self) -> Thread:
        """A thread of an ordinary space, where he writes under his name."""
        space = make_space(self.org, name=f"Open {self.runs}")
        return Thread.objects.create(space=space, title="Under his name")

    def _membership(self) -> Membership:
        return Membership.objects.of(self.bob, self.org).get()

    def test_nothing_of_the_real_account_changes_the_pseudonyms_gates(self) -> None:
        establish(self.org, self.bob)
        baseline = self._script()
        # The gates did something, so equal runs mean something.
        outcomes = {entry[1] for entry in baseline}
        self.assertTrue({"held", "published", "rate-limited", "refused"} <= outcomes)
        # Every hold reads the same, whatever held it (newness or the screen).
        holds = [e for e in baseline if e[1] == Post.State.HELD]
        self.assertGreater(len(holds), 1)
        self.assertEqual({e[2:] for e in holds}, {holds[0][2:]})
        self.assertEqual(holds[0][3], "Held for review")

        changes: dict[str, Callable[[], object]] = {}

        def level(value: int) -> Callable[[], None]:
            def set_level() -> None:
                own = Post.objects.create(
                    thread=self._real_thread(), author=self.bob, body="Real name"
                )
                moderation.trust_set(
                    self.org,
                    self.bob,
                    level=value,
                    moderator=self.paula,
                    space=own.thread.space,
                )

            return set_level

        def role(value: str) -> Callable[[], object]:
            return lambda: Membership.objects.filter(pk=self._membership().pk).update(
                role=value
            )

        def joined(moment: datetime) -> Callable[[], object]:
            return lambda: Membership.objects.filter(pk=self._membership().pk).update(
                joined_at=moment
            )

        def history() -> None:
            thread = self._real_thread()
            for n in range(60):
                Post.objects.create(thread=thread, author=self.bob, body=f"mine {n}")

        changes["trust set to New by a moderator"] = level(0)
        changes["trust set to Regular by a moderator"] = level(3)
        changes["made a facilitator (a moderator)"] = role(Role.FACILITATOR)
        changes["made a program admin"] = role(Role.PROGRAM_ADMIN)
        changes["joined the day he posts"] = joined(T0 + timedelta(days=400))
        changes["joined a year earlier"] = joined(T0 + timedelta(days=35))
        changes["60 real-name posts"] = history
        for name, change in changes.items():
            with self.subTest(change=name):
                Membership.objects.filter(pk=self._membership().pk).update(
                    role=Role.MEMBER, joined_at=T0
                )
                change()
                self.assertEqual(self._script(), baseline)


class ModeratorPseudonymTestCase(BaseTestCase):
    def test_a_moderators_pseudonymous_post_is_screened_like_anyones(self) -> None:
        space = make_space(self.org, is_safe=True, accepted=(self.fiona, self.paula))
        for moderator in (self.fiona, self.paula):
            self.assertTrue(moderation.can_moderate(space, moderator))
            post = start(space, moderator, SCREENED, title=f"By {moderator.pk}")
            self.assertEqual(post.state, Post.State.HELD)
            self.assertEqual(post.held_because, Post.HeldBecause.REVIEW)
        # Once his pseudonym is approved, the screen still holds his words, and a
        # screened edit is refused, as for anyone.
        first = Post.objects.filter(thread__space=space).order_by("id").first()
        assert first is not None
        moderation.approve(first, moderator=self.paula)
        with time_machine.travel(datetime.now(UTC) + timedelta(minutes=5)):
            clean = start(space, self.fiona, "A clean question", title="Clean")
            self.assertEqual(clean.state, Post.State.PUBLISHED)
            again = start(space, self.fiona, SCREENED, title="Again")
            self.assertEqual(again.state, Post.State.HELD)
            with self.assertRaises(trust.PostingRefused):
                services.post_edit(clean, user=self.fiona, body=SCREENED)

    def test_a_moderators_pseudonym_has_the_same_limits(self) -> None:
        space: Space = make_space(self.org, is_safe=True, accepted=(self.fiona,))
        with self.assertRaises(trust.PostingRefused) as caught:
            start(space, self.fiona, "http://a.x http://b.x http://c.x")
        self.assertIn("at most 2 links", caught.exception.message)
