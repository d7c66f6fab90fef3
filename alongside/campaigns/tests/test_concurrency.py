"""Simultaneous requests keep one signature per address and an exact counter
(PostgreSQL only: SQLite serializes writers, so it can't show the race)."""

from __future__ import annotations

import os
import unittest
from collections import Counter

from django.core import mail
from django.db import connection
from django.test import Client, TransactionTestCase, override_settings

from alongside.campaigns import services
from alongside.campaigns.models import Campaign, Signature
from alongside.campaigns.tests.helpers import make_campaign, sign_data, token_in
from alongside.pledges.tests.test_concurrency import run_together
from alongside.test import make_organization

THREADS = 50
# The concurrency target is 100 clean repetitions; CI runs one, a measurement run sets
# CAMPAIGN_RACE_REPEAT=100.
REPEAT = int(os.environ.get("CAMPAIGN_RACE_REPEAT", "1"))


@unittest.skipUnless(connection.vendor == "postgresql", "PostgreSQL only")
@override_settings(CAMPAIGN_SIGN_RATE_LIMIT=10_000)
class ConcurrentSigningTestCase(TransactionTestCase):
    def setUp(self) -> None:
        self.campaign = make_campaign(make_organization(slug="race-campaigns"))

    def test_fifty_identical_submissions_make_one_signature(self) -> None:
        path = f"/c/{self.campaign.slug}/sign/"
        data = sign_data("Race@Example.net")

        def submit(i: int) -> tuple[int, bytes]:
            response = Client().post(path, data, REMOTE_ADDR=f"10.0.0.{i}")
            return response.status_code, response.content.split(b"<main", 1)[-1]

        results, errors = run_together(THREADS, submit)
        self.assertEqual(errors, [])
        self.assertEqual(
            Counter(status for status, _body in results), Counter({200: THREADS})
        )
        self.assertEqual(len({body for _status, body in results}), 1)  # the same answer
        self.assertEqual(Signature.objects.count(), 1)
        self.assertEqual(len(mail.outbox), 1)

    def test_fifty_simultaneous_confirmations_count_once(self) -> None:
        services.signature_create(campaign=self.campaign, email="sam@example.net")
        token = token_in(mail.outbox[-1].body, "confirm")
        path = f"/c/{self.campaign.slug}/confirm/{token}/"

        results, errors = run_together(
            THREADS, lambda i: Client().post(path).status_code
        )
        self.assertEqual(errors, [])
        self.assertEqual(Counter(results), Counter({200: 1, 410: THREADS - 1}))
        self.campaign.refresh_from_db()
        self.assertEqual(self.campaign.confirmed_count, 1)

    def test_the_counter_stays_exact_under_concurrent_confirms_and_withdrawals(
        self,
    ) -> None:
        bodies = []
        for n in range(40):
            services.signature_create(campaign=self.campaign, email=f"p{n}@example.net")
            bodies.append(mail.outbox[-1].body)
        # Half are confirmed first; then confirm the rest while withdrawing a third of
        # all of them (some confirmed, some racing their own confirmation).
        for body in bodies[:20]:
            services.signature_confirm(token=token_in(body, "confirm"))
        work = [("confirm", b) for b in bodies[20:]] + [
            ("withdraw", b) for b in bodies[::3]
        ]

        def act(i: int) -> str:
            kind, body = work[i]
            try:
                if kind == "confirm":
                    services.signature_confirm(token=token_in(body, "confirm"))
                else:
                    services.signature_withdraw(token=token_in(body, "withdraw"))
            except services.LinkInvalid as e:
                return e.reason
            return "ok"

        _results, errors = run_together(len(work), act)
        self.assertEqual(errors, [])
        self.campaign.refresh_from_db()
        actual = Signature.objects.filter(campaign=self.campaign).confirmed().count()
        self.assertEqual(self.campaign.confirmed_count, actual)
        self.assertEqual(actual, 40 - len(bodies[::3]))
        self.assertEqual(services.reconcile_counters(), [])
        self.assertGreaterEqual(Campaign.objects.get().confirmed_count, 0)
