"""200 simultaneous RSVPs for 50 places seat exactly 50 and waitlist the rest, in order
(PostgreSQL only: SQLite serializes writers, so it can't show the race)."""

from __future__ import annotations

import threading
import unittest
from collections import Counter

from django.db import connection
from django.test import Client, TransactionTestCase
from django.urls import reverse

from alongside.events import services
from alongside.events.models import RSVP, Event
from alongside.events.tests.helpers import make_event
from alongside.pledges.tests.test_concurrency import run_together
from alongside.test import make_member, make_organization

MEMBERS = 200
PLACES = 50


@unittest.skipUnless(connection.vendor == "postgresql", "PostgreSQL only")
class ConcurrentRSVPTestCase(TransactionTestCase):
    def _assert_exact(self, event: Event) -> None:
        rsvps = list(RSVP.objects.filter(event=event).order_by("position"))
        self.assertEqual(len(rsvps), MEMBERS)
        self.assertEqual(
            Counter(r.status for r in rsvps),
            Counter(
                {RSVP.Status.SEATED: PLACES, RSVP.Status.WAITLISTED: MEMBERS - PLACES}
            ),
        )
        # Positions are unique and gapless, and the first 50 in line hold the seats.
        self.assertEqual([r.position for r in rsvps], list(range(1, MEMBERS + 1)))
        self.assertTrue(all(r.is_seated for r in rsvps[:PLACES]))
        self.assertTrue(all(r.is_waitlisted for r in rsvps[PLACES:]))

    def test_200_simultaneous_rsvps_seat_exactly_50_in_order(self) -> None:
        org = make_organization(slug="race-rsvp")
        members = [make_member(org) for _ in range(MEMBERS)]
        event = make_event(org, capacity=PLACES)

        def reply(i: int) -> str:
            return services.rsvp_create(event=event, user=members[i]).status

        # 50 threads at once (the connection limit), each replying for 4 members.
        lock = threading.Lock()
        queue = list(range(MEMBERS))

        def worker(_i: int) -> list[str]:
            statuses: list[str] = []
            while True:
                with lock:
                    if not queue:
                        return statuses
                    i = queue.pop()
                statuses.append(reply(i))

        results, errors = run_together(50, worker)
        self.assertEqual(errors, [])
        self.assertEqual(sum(len(r) for r in results), MEMBERS)
        self._assert_exact(event)

        # Cancelling promotes the first in line, also under concurrency.
        seated = list(RSVP.objects.filter(event=event, status=RSVP.Status.SEATED))[:10]
        first_waiting = list(
            RSVP.objects.waitlisted()
            .filter(event=event)
            .values_list("user_id", flat=True)[:10]
        )
        _, errors = run_together(
            10, lambda i: services.rsvp_cancel(event=event, user=seated[i].user)
        )
        self.assertEqual(errors, [])
        now_seated = set(
            RSVP.objects.seated().filter(event=event).values_list("user_id", flat=True)
        )
        self.assertEqual(len(now_seated), PLACES)
        self.assertTrue(set(first_waiting) <= now_seated)

    def test_simultaneous_posts_through_the_view(self) -> None:
        org = make_organization(slug="race-rsvp-view")
        members = [make_member(org) for _ in range(40)]
        event = make_event(org, capacity=15)
        path = reverse("events:rsvp", kwargs={"org": org.slug, "event_id": event.pk})

        def post(i: int) -> int:
            client = Client()
            client.force_login(members[i])
            # Each member clicks twice: the second reply returns the first.
            client.post(path)
            return client.post(path).status_code

        statuses, errors = run_together(len(members), post)
        self.assertEqual(errors, [])
        self.assertEqual(set(statuses), {302})
        self.assertEqual(RSVP.objects.filter(event=event).count(), 40)
        self.assertEqual(RSVP.objects.seated().filter(event=event).count(), 15)
        seated_positions = sorted(
            RSVP.objects.seated().filter(event=event).values_list("position", flat=True)
        )
        self.assertEqual(seated_positions, list(range(1, 16)))
