from __future__ import annotations

from datetime import timedelta

from django.core import mail
from django.urls import reverse
from django.utils import timezone

from alongside.audit.models import AuditEvent
from alongside.events import services
from alongside.events.models import RSVP, Event
from alongside.events.tests.helpers import make_event
from alongside.notifications.models import Notification
from alongside.test import BaseTestCase


class EventCancellationTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.event = make_event(self.org, capacity=1, title="Called off")
        services.rsvp_create(event=self.event, user=self.alice)
        services.rsvp_create(event=self.event, user=self.bob)  # waitlisted

    def test_everyone_who_replied_is_told_once(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            services.event_cancel(
                event=self.event, actor=self.fiona, note="Room flooded."
            )
            services.event_cancel(event=self.event, actor=self.fiona)
        self.assertEqual(
            sorted(m.to[0] for m in mail.outbox), [self.alice.email, self.bob.email]
        )
        self.assertIn("Room flooded.", mail.outbox[0].body)
        self.assertEqual(
            Notification.objects.filter(message__startswith="Cancelled").count(), 2
        )
        self.assertEqual(AuditEvent.objects.filter(action="event.cancelled").count(), 1)

    def test_a_cancelled_event_takes_no_replies_reminders_or_check_ins(self) -> None:
        services.event_cancel(event=self.event, actor=self.fiona)
        self.event.refresh_from_db()
        with self.assertRaisesMessage(services.EventError, "cancelled"):
            services.rsvp_create(event=self.event, user=self.paula)
        with self.assertRaises(services.EventError):
            services.event_update(event=self.event, actor=self.fiona, capacity=5)
        services.rsvp_cancel(event=self.event, user=self.alice)
        self.assertEqual(RSVP.objects.get(user=self.bob).status, RSVP.Status.WAITLISTED)
        self.assertEqual(
            services.send_due_reminders(
                now=self.event.starts_at - timedelta(minutes=30)
            ),
            0,
        )
        self.assertFalse(self.event.check_in_is_open(self.event.starts_at))

    def test_an_event_that_is_over_cannot_be_cancelled(self) -> None:
        past = make_event(self.org, starts_at=timezone.now() - timedelta(days=1))
        with self.assertRaises(services.EventError):
            services.event_cancel(event=past, actor=self.fiona)
        past.refresh_from_db()
        self.assertFalse(past.is_cancelled)

    def test_the_pages(self) -> None:
        url = reverse(
            "events:cancel", kwargs={"org": "northwind", "event_id": self.event.pk}
        )
        self.client.force_login(self.alice)
        self.assertEqual(self.client.get(url).status_code, 404)
        self.assertEqual(self.client.post(url).status_code, 404)
        self.client.force_login(self.fiona)
        r = self.client.get(url)
        self.assertContains(
            r, "The 2 people holding a seat or a waitlist place are told"
        )
        self.assertFalse(Event.objects.get().is_cancelled)
        r = self.client.post(url, {"note": "Sorry, new date soon."}, follow=True)
        self.assertContains(r, "This event is cancelled and will not take place.")
        self.assertContains(r, "Sorry, new date soon.")
        edit = reverse(
            "events:edit", kwargs={"org": "northwind", "event_id": self.event.pk}
        )
        self.assertRedirects(self.client.get(edit), self.event.get_absolute_url())
        self.client.force_login(self.alice)
        r = self.client.get(self.event.get_absolute_url())
        self.assertNotContains(r, "Reserve a seat")
        self.assertNotContains(r, "Give up my seat")
        ics = self.client.get(
            reverse(
                "events:ics", kwargs={"org": "northwind", "event_id": self.event.pk}
            )
        ).content.decode()
        self.assertIn("STATUS:CANCELLED\r\n", ics)
        r = self.client.get(reverse("events:list", kwargs={"org": "northwind"}))
        self.assertContains(r, "Will not take place")
