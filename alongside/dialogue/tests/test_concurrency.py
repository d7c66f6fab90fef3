"""Simultaneous reactions and replies (PostgreSQL only: SQLite serializes writers, so it
can't show the race)."""

from __future__ import annotations

import unittest
from collections import Counter

from django.db import connection
from django.test import Client, TransactionTestCase
from django.urls import reverse

from alongside.dialogue.models import Reaction, Subscription, Thread
from alongside.dialogue.tests.helpers import make_space, start
from alongside.pledges.tests.test_concurrency import run_together
from alongside.test import make_member, make_organization

THREADS = 20


@unittest.skipUnless(connection.vendor == "postgresql", "PostgreSQL only")
class ConcurrentDialogueTestCase(TransactionTestCase):
    def setUp(self) -> None:
        self.org = make_organization(slug="race")
        self.author = make_member(self.org)
        self.reader = make_member(self.org)
        self.space = make_space(self.org, accepted=(self.author, self.reader))
        self.post = start(self.space, self.author)

    def _client(self) -> Client:
        client = Client()
        client.force_login(self.reader)
        return client

    def test_a_double_toggle_leaves_one_reaction(self) -> None:
        path = reverse("dialogue:react", args=["race", self.post.uid])

        def react(i: int) -> int:
            return self._client().post(path, {"reaction": "heart:1"}).status_code

        statuses, errors = run_together(THREADS, react)
        self.assertEqual(errors, [])
        self.assertEqual(Counter(statuses), Counter({302: THREADS}))
        self.assertEqual(Reaction.objects.filter(post=self.post).count(), 1)

    def test_simultaneous_replies_count_every_post(self) -> None:
        path = self.post.thread.get_absolute_url()

        def reply(i: int) -> int:
            return self._client().post(path, {"body": f"reply {i}"}).status_code

        statuses, errors = run_together(THREADS, reply)
        self.assertEqual(errors, [])
        self.assertEqual(Counter(statuses), Counter({302: THREADS}))
        thread = Thread.objects.get()
        self.assertEqual(thread.post_count, THREADS + 1)
        self.assertEqual(Subscription.objects.filter(user=self.reader).count(), 1)
