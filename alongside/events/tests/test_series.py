"""Scheduling an event as a series of sessions."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.urls import reverse

from alongside.events import services
from alongside.events.forms import NewEventForm, add_months_same_weekday
from alongside.events.models import RSVP, Event
from alongside.test import BaseTestCase

CREATE = reverse("events:create", kwargs={"org": "northwind"})

DATA = {
    "kind": "workshop",
    "title": "Interrupting interruptions",
    "description": "",
    "format": "in_person",
    "location": "Room 4",
    "meeting_url": "",
    "day": "2030-03-12",  # the second Tuesday of March
    "start_time": "09:00",
    "end_time": "10:00",
    "time_zone": "Europe/London",
    "capacity": "12",
}


class SeriesFormTestCase(BaseTestCase):
    def form(self, **changes: str) -> NewEventForm:
        return NewEventForm({**DATA, **changes})

    def test_weekly_sessions_keep_the_local_time_across_a_clock_change(self) -> None:
        form = self.form(repeat="weekly", session_count="4")
        self.assertTrue(form.is_valid(), form.errors)
        sessions = form.sessions()
        self.assertEqual(len(sessions), 4)
        # The UK moves to summer time on 31 March 2030: 09:00 is 09:00 UTC before and
        # 08:00 UTC after.
        self.assertEqual([s.hour for s, _e in sessions], [9, 9, 9, 8])
        self.assertEqual(
            [s.date() for s, _e in sessions],
            [date(2030, 3, 12), date(2030, 3, 19), date(2030, 3, 26), date(2030, 4, 2)],
        )

    def test_fortnightly_and_monthly_steps(self) -> None:
        form = self.form(repeat="fortnightly", session_count="3")
        self.assertTrue(form.is_valid(), form.errors)
        self.assertEqual(
            [s.date().day for s, _e in form.sessions()], [12, 26, 9]
        )  # 9 April
        form = self.form(repeat="monthly", session_count="3")
        self.assertTrue(form.is_valid(), form.errors)
        # The second Tuesday of March, April and May 2030.
        self.assertEqual(
            [s.date() for s, _e in form.sessions()],
            [date(2030, 3, 12), date(2030, 4, 9), date(2030, 5, 14)],
        )

    def test_the_same_weekday_across_the_year_end(self) -> None:
        self.assertEqual(
            add_months_same_weekday(date(2030, 12, 10), 1), date(2031, 1, 14)
        )
        self.assertIsNone(add_months_same_weekday(date(2030, 4, 30), 1))

    def test_a_single_event_has_no_sessions(self) -> None:
        form = self.form()
        self.assertTrue(form.is_valid(), form.errors)
        self.assertEqual(form.sessions(), [])

    def test_bad_series_input_gets_a_message_on_the_right_field(self) -> None:
        cases = [
            ({"repeat": "weekly"}, "session_count", "how many sessions"),
            ({"repeat": "weekly", "session_count": "13"}, "session_count", "12"),
            ({"repeat": "weekly", "session_count": "1"}, "session_count", "2"),
            (
                {"repeat": "monthly", "session_count": "2", "day": "2030-04-30"},
                "repeat",
                "fifth Tuesday",
            ),
            (
                # 01:30 on 30 March 2031 does not exist in London (the third session).
                {
                    "repeat": "weekly",
                    "session_count": "3",
                    "day": "2031-03-16",
                    "start_time": "01:30",
                    "end_time": "02:30",
                },
                "start_time",
                "Session 3 (2031-03-30)",
            ),
            ({"repeat": "daily", "session_count": "2"}, "repeat", "valid choice"),
        ]
        for changes, field, words in cases:
            with self.subTest(changes):
                form = self.form(**changes)
                self.assertFalse(form.is_valid())
                self.assertIn(
                    words, " ".join(str(e) for e in form.errors.get(field, []))
                )


class SeriesViewTestCase(BaseTestCase):
    def test_a_facilitator_schedules_a_series_and_each_session_links_the_others(
        self,
    ) -> None:
        self.client.force_login(self.fiona)
        r = self.client.post(CREATE, {**DATA, "repeat": "weekly", "session_count": "3"})
        events = list(Event.objects.order_by("starts_at"))
        self.assertEqual(len(events), 3)
        self.assertRedirects(r, events[0].get_absolute_url())
        self.assertEqual(len({e.series for e in events}), 1)
        self.assertIsNotNone(events[0].series)
        self.assertEqual({e.title for e in events}, {DATA["title"]})

        services.rsvp_create(event=events[1], user=self.alice)
        self.client.force_login(self.alice)
        page = self.client.get(events[0].get_absolute_url())
        self.assertContains(page, "Other sessions of this series")
        for other in events[1:]:
            self.assertContains(page, other.get_absolute_url())
        self.assertNotContains(page, f'href="{events[0].get_absolute_url()}"')
        # Each session has its own places.
        self.assertEqual(RSVP.objects.filter(event=events[0]).count(), 0)

    def test_a_bad_series_changes_nothing(self) -> None:
        self.client.force_login(self.fiona)
        r = self.client.post(
            CREATE, {**DATA, "repeat": "weekly", "session_count": "40"}
        )
        self.assertEqual(r.status_code, 200)
        self.assertFalse(Event.objects.exists())

    def test_the_service_creates_all_sessions_or_none(self) -> None:
        form = NewEventForm({**DATA, "repeat": "weekly", "session_count": "3"})
        self.assertTrue(form.is_valid(), form.errors)
        fields = {**form.event_fields(), "capacity": 0}  # invalid for the model
        with self.assertRaises(ValidationError):
            services.event_series_create(
                organization=self.org,
                created_by=self.fiona,
                sessions=form.sessions(),
                **fields,
            )
        self.assertFalse(Event.objects.exists())

    def test_the_edit_form_has_no_series_choice_and_single_events_no_series(
        self,
    ) -> None:
        self.client.force_login(self.fiona)
        self.client.post(CREATE, DATA)
        event = Event.objects.get()
        self.assertIsNone(event.series)
        page = self.client.get(
            reverse("events:edit", kwargs={"org": "northwind", "event_id": event.pk})
        )
        self.assertNotContains(page, 'name="repeat"')
        self.assertNotContains(self.client.get(event.get_absolute_url()), "series")
