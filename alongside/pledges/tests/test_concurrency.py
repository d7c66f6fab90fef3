"""Simultaneous identical requests leave one row (PostgreSQL only: SQLite serializes
writers, so it can't show the race)."""

from __future__ import annotations

import threading
import unittest
import uuid
from collections import Counter
from collections.abc import Callable
from typing import Any

from django.core import mail
from django.db import connection
from django.test import Client, TransactionTestCase
from django.urls import reverse

from alongside.notifications.models import Notification
from alongside.pledges.models import Action, ConfirmationRequest, Pledge
from alongside.pledges.tests.helpers import make_action, make_pledge, make_request
from alongside.test import make_member, make_organization

THREADS = 50


def run_together(
    n: int, work: Callable[[int], Any]
) -> tuple[list[Any], list[BaseException]]:
    """Run `work(i)` in n threads released at the same moment by a barrier."""
    barrier = threading.Barrier(n)
    results: list[Any] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def target(i: int) -> None:
        try:
            barrier.wait()
            result = work(i)
            with lock:
                results.append(result)
        except BaseException as e:  # collected and asserted on below
            with lock:
                errors.append(e)
        finally:
            connection.close()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results, errors


@unittest.skipUnless(connection.vendor == "postgresql", "PostgreSQL only")
class ConcurrentConfirmationTestCase(TransactionTestCase):
    def test_fifty_simultaneous_confirmations_leave_one(self) -> None:
        org = make_organization(slug="race")
        ally = make_member(org, email="ally@example.org")
        action = make_action(make_pledge(ally, org))
        _request, token = make_request(action)
        path = f"/confirm/{token}/"

        def confirm(i: int) -> int:
            return (
                Client().post(path, {"confirm": "1", "note": f"note {i}"}).status_code
            )

        statuses, errors = run_together(THREADS, confirm)
        self.assertEqual(errors, [])
        self.assertEqual(Counter(statuses), Counter({200: 1, 410: THREADS - 1}))
        request = ConfirmationRequest.objects.get()
        self.assertEqual(request.status, ConfirmationRequest.Status.CONFIRMED)
        action = Action.objects.get()
        self.assertIsNotNone(action.confirmed_at)
        self.assertTrue(action.confirmation_note.startswith("note "))
        self.assertEqual(
            Notification.objects.filter(
                user=ally, kind=Notification.Kind.CONFIRMATION
            ).count(),
            1,
        )
        confirmed_emails = [m for m in mail.outbox if "confirmed your action" in m.body]
        self.assertEqual(len(confirmed_emails), 1)

    def test_simultaneous_identical_pledge_submits_make_one_pledge(self) -> None:
        org = make_organization(slug="race2")
        ally = make_member(org, email="ally2@example.org")
        data = {
            "statement": "One pledge, however often I click.",
            "cadence": "monthly",
            "visibility": "organization",
            "submission_key": str(uuid.uuid4()),
            "commitments-TOTAL_FORMS": "5",
            "commitments-INITIAL_FORMS": "0",
            "commitments-MIN_NUM_FORMS": "0",
            "commitments-MAX_NUM_FORMS": "5",
            "commitments-0-title": "Take the notes",
        }
        url = reverse("pledges:create", kwargs={"org": org.slug})

        def submit(i: int) -> tuple[int, str]:
            client = Client()
            client.force_login(ally)
            r = client.post(url, data)
            return r.status_code, r.get("Location", "")

        results, errors = run_together(20, submit)
        self.assertEqual(errors, [])
        self.assertEqual(Pledge.objects.count(), 1)
        pledge = Pledge.objects.get()
        self.assertEqual(pledge.commitments.count(), 1)
        self.assertEqual(set(results), {(302, pledge.get_absolute_url())})
