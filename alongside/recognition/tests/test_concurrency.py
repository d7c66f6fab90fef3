"""Fifty simultaneous identical requests leave one row (PostgreSQL only).

SQLite serializes writers, so it cannot exercise the race these tests are about.
"""

from __future__ import annotations

import threading
import unittest
from collections.abc import Callable
from typing import Any

from django.db import connection
from django.test import TransactionTestCase

from alongside.notifications.models import Notification
from alongside.pledges.models import Action
from alongside.recognition.models import BadgeAward, Kudos
from alongside.recognition.services import badges_evaluate, kudos_give
from alongside.recognition.tests.helpers import make_action, make_pledge
from alongside.test import make_member, make_organization

THREADS = 50


def run_together(work: Callable[[], Any]) -> list[BaseException]:
    """Run `work` in THREADS threads released at the same instant; return the errors."""
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def target() -> None:
        try:
            barrier.wait()
            work()
        except BaseException as e:  # reported by the test
            errors.append(e)
        finally:
            connection.close()

    threads = [threading.Thread(target=target) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


@unittest.skipUnless(connection.vendor == "postgresql", "needs PostgreSQL")
class ConcurrencyTestCase(TransactionTestCase):
    def setUp(self) -> None:
        self.org = make_organization()
        self.ally = make_member(self.org)
        self.giver = make_member(self.org)
        self.action: Action = make_action(
            make_pledge(self.ally, self.org), confirmed=True
        )

    def test_fifty_simultaneous_kudos_leave_one(self) -> None:
        results: list[bool] = []

        def give() -> None:
            _, created = kudos_give(
                giver=self.giver, organization=self.org, action=self.action
            )
            results.append(created)

        errors = run_together(give)
        self.assertEqual(errors, [])
        self.assertEqual(Kudos.objects.count(), 1)
        self.assertEqual(results.count(True), 1)
        self.assertEqual(len(results), THREADS)
        self.assertEqual(
            Notification.objects.filter(user=self.ally, kind="kudos").count(), 1
        )

    def test_fifty_simultaneous_evaluations_award_once(self) -> None:
        errors = run_together(
            lambda: badges_evaluate(organization=self.org, member=self.ally)
        )
        self.assertEqual(errors, [])
        self.assertEqual(
            list(BadgeAward.objects.values_list("badge", flat=True)),
            ["first-confirmed-action"],
        )
        self.assertEqual(
            Notification.objects.filter(user=self.ally, kind="badge").count(), 1
        )
