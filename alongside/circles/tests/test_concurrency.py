"""Simultaneous joins, requests and approvals leave one row each (PostgreSQL only:
SQLite serializes writers, so it can't show the race)."""

from __future__ import annotations

import unittest
from collections import Counter

from django.db import connection
from django.test import Client, TransactionTestCase
from django.urls import reverse

from alongside.accounts.models import User
from alongside.circles.models import CircleMembership, JoinRequest
from alongside.circles.tests.helpers import make_circle
from alongside.notifications.models import Notification
from alongside.organizations.models import Role
from alongside.pledges.tests.test_concurrency import run_together
from alongside.test import make_member, make_organization

THREADS = 20


@unittest.skipUnless(connection.vendor == "postgresql", "PostgreSQL only")
class ConcurrentCircleTestCase(TransactionTestCase):
    def setUp(self) -> None:
        self.org = make_organization(slug="race")
        self.facilitator = make_member(self.org, Role.FACILITATOR)
        self.member = make_member(self.org)

    def _client(self, user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    def test_simultaneous_joins_leave_one_membership(self) -> None:
        circle = make_circle(self.org, self.facilitator, join_policy="open")
        path = reverse("circles:join", kwargs={"org": "race", "circle": circle.slug})

        def join(i: int) -> int:
            return self._client(self.member).post(path).status_code

        statuses, errors = run_together(THREADS, join)
        self.assertEqual(errors, [])
        self.assertEqual(Counter(statuses), Counter({302: THREADS}))
        self.assertEqual(
            CircleMembership.objects.filter(circle=circle, user=self.member).count(), 1
        )

    def test_simultaneous_requests_leave_one_and_one_approval_wins(self) -> None:
        circle = make_circle(self.org, self.facilitator, join_policy="request")
        path = reverse("circles:request", kwargs={"org": "race", "circle": circle.slug})

        def ask(i: int) -> int:
            return (
                self._client(self.member).post(path, {"message": f"m{i}"}).status_code
            )

        statuses, errors = run_together(THREADS, ask)
        self.assertEqual(errors, [])
        self.assertEqual(Counter(statuses), Counter({302: THREADS}))
        join_request = JoinRequest.objects.get()
        decide = reverse(
            "circles:request_decide",
            kwargs={
                "org": "race",
                "circle": circle.slug,
                "join_request_id": join_request.pk,
            },
        )

        def approve(i: int) -> int:
            return (
                self._client(self.facilitator)
                .post(decide, {"decision": "approve"})
                .status_code
            )

        statuses, errors = run_together(THREADS, approve)
        self.assertEqual(errors, [])
        self.assertEqual(
            CircleMembership.objects.filter(circle=circle, user=self.member).count(), 1
        )
        # The member hears once that he was approved.
        self.assertEqual(
            Notification.objects.filter(
                user=self.member, message__contains="approved"
            ).count(),
            1,
        )
