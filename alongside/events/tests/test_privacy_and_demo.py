from __future__ import annotations

import json
from datetime import timedelta

from django.utils import timezone

from alongside.events import privacy, services
from alongside.events.models import RSVP, Attendance, CalendarFeed, Event, Feedback
from alongside.events.tests.helpers import make_event
from alongside.test import BaseTestCase, make_member


class PrivacyTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.coming = make_event(
            self.org, title="Coming", capacity=1, created_by=self.fiona
        )
        services.rsvp_create(event=self.coming, user=self.alice)
        services.rsvp_create(event=self.coming, user=self.bob)  # waitlisted
        self.past = make_event(
            self.org, title="Done", starts_at=timezone.now() - timedelta(hours=4)
        )
        RSVP.objects.create(
            event=self.past, user=self.alice, status=RSVP.Status.SEATED, position=1
        )
        Attendance.objects.create(
            event=self.past, user=self.alice, method=Attendance.Method.CODE
        )
        services.feedback_give(
            event=self.past, user=self.alice, rating=5, comment="Great"
        )
        services.calendar_feed_issue(organization=self.org, user=self.alice)

    def test_export_has_the_members_rows_and_nobody_elses(self) -> None:
        data = privacy.export_user_data(self.alice)
        json.dumps(data)  # serializable
        self.assertEqual({r["event"] for r in data["event_rsvps"]}, {"Coming", "Done"})
        self.assertEqual(len(data["event_attendance"]), 1)
        self.assertTrue(data["event_attendance"][0]["feedback_given"])
        self.assertEqual(len(data["event_calendar_feeds"]), 1)
        self.assertNotIn("Great", json.dumps(data))  # feedback is not linked to her
        self.assertEqual(
            [
                e["title"]
                for e in privacy.export_user_data(self.fiona)["events_scheduled"]
            ],
            ["Coming"],
        )

    def test_erase_frees_coming_seats_and_deletes_her_rows(self) -> None:
        privacy.erase_user_data(self.alice)
        self.assertFalse(RSVP.objects.filter(user=self.alice).exists())
        self.assertFalse(Attendance.objects.filter(user=self.alice).exists())
        self.assertFalse(CalendarFeed.objects.filter(user=self.alice).exists())
        self.assertEqual(RSVP.objects.get(user=self.bob).status, RSVP.Status.SEATED)
        # The anonymous answer stays, so the facilitator's figures don't change.
        self.assertEqual(Feedback.objects.count(), 1)


class DemoTestCase(BaseTestCase):
    def test_it_loads_once(self) -> None:
        from alongside.events import demo

        users = {
            key: make_member(self.org, display_name=key.title())
            for key in (
                "sofia",
                "amara",
                "daniel",
                "kwame",
                "priya",
                "tom",
                "marcus",
                "raj",
                "oliver",
                "fatima",
            )
        }
        demo.load(self.org, users)
        demo.load(self.org, users)
        events = Event.objects.for_organization(self.org)
        self.assertEqual(events.count(), 3)
        workshop = events.get(title=demo.WORKSHOP_TITLE)
        self.assertEqual((workshop.seated_count(), workshop.waitlist_count()), (4, 2))
        seminar = events.get(kind=Event.Kind.SEMINAR)
        self.assertTrue(seminar.has_ended)
        self.assertEqual(seminar.attendances.count(), 6)
        self.assertEqual(seminar.feedback.count(), 4)
        self.assertTrue(events.filter(format=Event.Format.ONLINE).exists())
