from __future__ import annotations

from datetime import timedelta

from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from alongside.audit.models import AuditEvent
from alongside.events import services
from alongside.events.models import RSVP, Attendance, Event, Feedback
from alongside.events.tests.helpers import make_event
from alongside.test import BaseTestCase, make_member


def url(name: str, event: Event | None = None) -> str:
    kwargs: dict[str, object] = {"org": "northwind"}
    if event is not None:
        kwargs["event_id"] = event.pk
    return reverse(f"events:{name}", kwargs=kwargs)


class ListTestCase(BaseTestCase):
    def test_it_lists_upcoming_and_past_separately(self) -> None:
        make_event(self.org, title="Coming soon")
        make_event(
            self.org, title="Long done", starts_at=timezone.now() - timedelta(days=3)
        )
        make_event(self.other_org, title="Elsewhere")
        self.client.force_login(self.alice)
        r = self.client.get(url("list"))
        self.assertContains(r, "Coming soon")
        self.assertNotContains(r, "Long done")
        self.assertNotContains(r, "Elsewhere")
        self.assertNotContains(r, "Schedule an event")
        r = self.client.get(url("list") + "?when=past")
        self.assertContains(r, "Long done")
        self.assertNotContains(r, "Coming soon")

    def test_it_paginates(self) -> None:
        for i in range(12):
            make_event(
                self.org,
                title=f"Session {i:02}",
                starts_at=timezone.now() + timedelta(days=i + 1),
            )
        self.client.force_login(self.alice)
        r = self.client.get(url("list"))
        self.assertContains(r, "Session 09")
        self.assertNotContains(r, "Session 10")
        r = self.client.get(url("list") + "?page=2")
        self.assertContains(r, "Session 11")

    def test_empty_states(self) -> None:
        self.client.force_login(self.alice)
        self.assertContains(self.client.get(url("list")), "No events are coming up.")
        self.assertContains(self.client.get(url("mine")), "No attendance recorded yet.")
        self.client.force_login(self.fiona)
        self.assertContains(self.client.get(url("list")), "Schedule the first one")


class SchedulingTestCase(BaseTestCase):
    data = {
        "kind": "seminar",
        "title": "Credit where it's due",
        "description": "**Bring** a story.",
        "format": "online",
        "location": "",
        "meeting_url": "https://meet.example.org/credit",
        "day": "2030-05-14",
        "start_time": "12:30",
        "end_time": "13:30",
        "time_zone": "Europe/Paris",
        "capacity": "25",
    }

    def test_members_cannot_schedule(self) -> None:
        self.client.force_login(self.alice)
        self.assertEqual(self.client.get(url("create")).status_code, 404)
        self.assertEqual(self.client.post(url("create"), self.data).status_code, 404)
        self.assertFalse(Event.objects.exists())

    def test_facilitators_and_admins_schedule(self) -> None:
        for user in (self.fiona, self.paula):
            self.client.force_login(user)
            r = self.client.post(url("create"), self.data)
            event = Event.objects.latest("id")
            self.assertRedirects(r, event.get_absolute_url())
        self.assertEqual(Event.objects.count(), 2)
        self.assertEqual(event.local_start().hour, 12)
        self.assertEqual(event.starts_at.hour, 10)  # CEST is UTC+2
        self.assertTrue(AuditEvent.objects.filter(action="event.created").exists())

    def test_bad_input_names_the_field_and_changes_nothing(self) -> None:
        self.client.force_login(self.fiona)
        r = self.client.post(
            url("create"), {**self.data, "meeting_url": "", "capacity": "0"}
        )
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "An online event needs the link people will join by.")
        self.assertIn("capacity", r.context["form"].errors)
        self.assertFalse(Event.objects.exists())

    def test_a_capacity_below_the_seats_taken_is_refused_with_a_message(self) -> None:
        event = make_event(self.org, capacity=3)
        for user in (self.alice, self.bob):
            services.rsvp_create(event=event, user=user)
        self.client.force_login(self.fiona)
        r = self.client.post(url("edit", event), {**self.data, "capacity": "1"})
        self.assertContains(r, "2 people already have a seat")
        event.refresh_from_db()
        self.assertEqual((event.capacity, event.title), (3, "Bystander workshop"))

    def test_members_cannot_edit_or_see_the_code(self) -> None:
        event = make_event(self.org)
        self.client.force_login(self.alice)
        self.assertEqual(self.client.get(url("edit", event)).status_code, 404)
        self.assertEqual(self.client.get(url("attendees", event)).status_code, 404)
        self.assertEqual(
            self.client.post(url("new_check_in_code", event)).status_code, 404
        )
        r = self.client.get(url("detail", event))
        self.assertNotContains(r, event.check_in_code)
        self.client.force_login(self.fiona)
        self.assertContains(self.client.get(url("detail", event)), event.check_in_code)


class RSVPViewTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.event = make_event(
            self.org,
            capacity=1,
            format=Event.Format.ONLINE,
            meeting_url="https://meet.example.org/room-42",
        )

    def test_rsvp_then_waitlist_then_cancel_with_confirmation(self) -> None:
        self.client.force_login(self.alice)
        r = self.client.get(url("detail", self.event))
        self.assertContains(r, "Reserve a seat")
        self.assertNotContains(r, "room-42")
        self.assertEqual(self.client.get(url("rsvp", self.event)).status_code, 405)
        r = self.client.post(url("rsvp", self.event), follow=True)
        self.assertContains(r, "You have a seat")
        self.assertContains(r, "room-42")

        self.client.force_login(self.bob)
        r = self.client.get(url("detail", self.event))
        self.assertContains(r, "Join the waitlist")
        r = self.client.post(url("rsvp", self.event), follow=True)
        self.assertContains(r, "number 1 on the waitlist")
        self.assertNotContains(r, "room-42")

        self.client.force_login(self.alice)
        r = self.client.get(url("rsvp_cancel", self.event))
        self.assertContains(r, "Give up your seat?")
        self.assertEqual(RSVP.objects.get(user=self.alice).status, RSVP.Status.SEATED)
        self.client.post(url("rsvp_cancel", self.event))
        self.assertEqual(RSVP.objects.get(user=self.bob).status, RSVP.Status.SEATED)

        r = self.client.get(url("mine"))
        self.assertNotContains(r, self.event.title)

    def test_cancel_without_a_reply_is_404(self) -> None:
        self.client.force_login(self.alice)
        self.assertEqual(
            self.client.get(url("rsvp_cancel", self.event)).status_code, 404
        )


class CheckInViewTestCase(BaseTestCase):
    def setUp(self) -> None:
        cache.clear()
        self.event = make_event(
            self.org, starts_at=timezone.now() - timedelta(minutes=10), capacity=5
        )
        RSVP.objects.create(
            event=self.event, user=self.alice, status=RSVP.Status.SEATED, position=1
        )

    def test_wrong_right_and_rate_limited(self) -> None:
        self.client.force_login(self.alice)
        r = self.client.get(url("detail", self.event))
        self.assertContains(r, "Check-in code")
        r = self.client.post(url("check_in", self.event), {"code": "ZZZZZZ"})
        self.assertEqual(r.status_code, 400)
        self.assertContains(r, "not this event&#x27;s code", status_code=400)
        r = self.client.post(
            url("check_in", self.event), {"code": self.event.check_in_code}, follow=True
        )
        self.assertContains(r, "You are checked in")
        self.assertTrue(Attendance.objects.filter(user=self.alice).exists())
        r = self.client.get(url("mine"))
        self.assertContains(r, self.event.title)
        self.assertContains(r, "You attended 1 event in Northwind Collective.")

    def test_too_many_attempts_answer_429(self) -> None:
        self.client.force_login(self.alice)
        for _ in range(services.CHECK_IN_ATTEMPTS):
            self.client.post(url("check_in", self.event), {"code": "ZZZZZZ"})
        r = self.client.post(
            url("check_in", self.event), {"code": self.event.check_in_code}
        )
        self.assertEqual(r.status_code, 429)
        self.assertFalse(Attendance.objects.exists())

    def test_the_facilitator_ticks_the_list(self) -> None:
        self.client.force_login(self.fiona)
        r = self.client.get(url("attendees", self.event))
        self.assertContains(r, "Alice Ally")
        r = self.client.post(
            url("attendees", self.event), {"present": [str(self.alice.pk)]}, follow=True
        )
        self.assertContains(r, "1 added, 0 removed")
        self.assertEqual(
            Attendance.objects.get(user=self.alice).method, Attendance.Method.LIST
        )
        r = self.client.post(url("attendees", self.event), {"present": ["nonsense"]})
        self.assertEqual(r.status_code, 200)
        self.assertTrue(Attendance.objects.exists())


class FeedbackViewTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.event = make_event(
            self.org, starts_at=timezone.now() - timedelta(hours=3), capacity=5
        )
        self.attendees = [
            self.alice,
            self.bob,
            make_member(self.org),
            make_member(self.org),
        ]
        for user in self.attendees:
            Attendance.objects.create(
                event=self.event, user=user, method=Attendance.Method.CODE
            )

    def test_feedback_once_and_shown_only_from_three_answers(self) -> None:
        self.client.force_login(self.alice)
        r = self.client.post(url("feedback", self.event), {"rating": "9"})
        self.assertEqual(r.status_code, 200)
        self.assertIn("rating", r.context["form"].errors)
        self.client.post(
            url("feedback", self.event),
            {"rating": "5", "comment": "Loved the role plays"},
        )
        r = self.client.get(url("feedback", self.event), follow=True)
        self.assertContains(r, "already gave feedback")
        self.assertEqual(Feedback.objects.count(), 1)

        self.client.force_login(self.fiona)
        r = self.client.get(url("detail", self.event))
        self.assertContains(r, "1 answer so far")
        self.assertNotContains(r, "Loved the role plays")
        for user, rating in ((self.bob, "3"), (self.attendees[2], "4")):
            self.client.force_login(user)
            self.client.post(url("feedback", self.event), {"rating": rating})
        self.client.force_login(self.fiona)
        r = self.client.get(url("detail", self.event))
        self.assertContains(r, "3 answers, average rating 4.0 out of 5.")
        self.assertContains(r, "Loved the role plays")
        self.assertNotContains(r, "Alice Ally")

    def test_non_attendees_get_404(self) -> None:
        self.client.force_login(self.paula)
        self.assertEqual(self.client.get(url("feedback", self.event)).status_code, 404)


class TimeZoneViewTestCase(BaseTestCase):
    def test_the_viewer_zone_is_kept_in_the_session(self) -> None:
        make_event(self.org)
        self.client.force_login(self.alice)
        r = self.client.post(url("time_zone"), {"time_zone": "Asia/Tokyo"}, follow=True)
        self.assertContains(r, "Your time zone: Asia/Tokyo")
        self.assertContains(r, "Your time:")
        r = self.client.post(url("time_zone"), {"time_zone": "Mars/Olympus"})
        self.assertIn("time_zone", r.context["form"].errors)
