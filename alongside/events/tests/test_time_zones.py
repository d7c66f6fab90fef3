"""Events across a daylight saving change: Europe/London's clocks go back at 02:00 BST
on Sunday 25 October 2026 (to 01:00 GMT), and forward on Sunday 29 March 2026."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import time_machine
from django.core import mail
from django.template import Context, Template
from django.urls import reverse

from alongside.events import services
from alongside.events.forms import EventForm, LocalTimeError, local_to_utc
from alongside.events.models import Event
from alongside.events.tests.helpers import make_event
from alongside.test import BaseTestCase

LONDON = ZoneInfo("Europe/London")


def form_data(**overrides: str) -> dict[str, str]:
    data = {
        "kind": "workshop",
        "title": "Clocks-back workshop",
        "description": "",
        "format": "in_person",
        "location": "Room 4",
        "meeting_url": "",
        "day": "2026-10-25",
        "start_time": "10:00",
        "end_time": "12:00",
        "time_zone": "Europe/London",
        "capacity": "10",
    }
    data.update(overrides)
    return data


class LocalTimeTestCase(BaseTestCase):
    def test_the_sunday_clocks_go_back_is_in_gmt(self) -> None:
        self.assertEqual(
            local_to_utc(date(2026, 10, 25), time(10), LONDON),
            datetime(2026, 10, 25, 10, tzinfo=UTC),
        )
        # The day before is still summer time.
        self.assertEqual(
            local_to_utc(date(2026, 10, 24), time(10), LONDON),
            datetime(2026, 10, 24, 9, tzinfo=UTC),
        )

    def test_a_repeated_or_skipped_time_is_refused(self) -> None:
        with self.assertRaisesMessage(LocalTimeError, "happens twice"):
            local_to_utc(date(2026, 10, 25), time(1, 30), LONDON)
        with self.assertRaisesMessage(LocalTimeError, "does not exist"):
            local_to_utc(date(2026, 3, 29), time(1, 30), LONDON)

    def test_the_form_names_the_field_and_the_reason(self) -> None:
        form = EventForm(form_data(start_time="01:30", end_time="03:00"))
        self.assertFalse(form.is_valid())
        self.assertIn("happens twice", form.errors["start_time"][0])
        self.assertNotIn("end_time", form.errors)
        form = EventForm(form_data(start_time="12:00", end_time="11:00"))
        self.assertFalse(form.is_valid())
        self.assertIn("end after it starts", form.errors["end_time"][0])

    def test_an_event_across_the_change_keeps_its_real_length(self) -> None:
        # 00:30 BST to 02:30 GMT is three hours, not two.
        form = EventForm(form_data(start_time="00:30", end_time="02:30"))
        self.assertTrue(form.is_valid(), form.errors)
        fields = form.event_fields()
        self.assertEqual(fields["ends_at"] - fields["starts_at"], timedelta(hours=3))

    def test_editing_shows_the_local_wall_time(self) -> None:
        event = make_event(self.org, starts_at=datetime(2026, 10, 25, 10, tzinfo=UTC))
        initial = EventForm.initial_for(event)
        self.assertEqual(
            (initial["day"], initial["start_time"], initial["end_time"]),
            (date(2026, 10, 25), time(10), time(12)),
        )


class DaylightSavingEventTestCase(BaseTestCase):
    @time_machine.travel(datetime(2026, 10, 20, 9, tzinfo=UTC), tick=False)
    def test_scheduling_display_ics_and_reminders_across_the_change(self) -> None:
        self.client.force_login(self.fiona)
        r = self.client.post(
            reverse("events:create", kwargs={"org": "northwind"}), form_data()
        )
        event = Event.objects.get()
        self.assertRedirects(r, event.get_absolute_url())
        self.assertEqual(event.starts_at, datetime(2026, 10, 25, 10, tzinfo=UTC))
        self.assertEqual(event.time_zone, "Europe/London")

        rendered = Template("{% load events_tags %}{% event_when event zone %}").render(
            Context({"event": event, "zone": "America/New_York"})
        )
        self.assertIn("Sun 25 Oct 2026, 10:00–12:00 GMT", rendered)
        # New York changes its clocks a week later: still on EDT, UTC-4.
        self.assertIn("Sun 25 Oct 2026, 06:00–08:00 EDT", rendered)

        ics = self.client.get(
            reverse("events:ics", kwargs={"org": "northwind", "event_id": event.pk})
        ).content.decode()
        self.assertIn("DTSTART:20261025T100000Z\r\n", ics)
        self.assertIn("DTEND:20261025T120000Z\r\n", ics)

        services.rsvp_create(event=event, user=self.alice)
        # 24 hours before is 10:00 UTC on Saturday, which is 11:00 BST on the wall.
        with time_machine.travel(datetime(2026, 10, 24, 9, 59, tzinfo=UTC), tick=False):
            self.assertEqual(services.send_due_reminders(), 0)
        with (
            time_machine.travel(
                datetime(2026, 10, 24, 10, 0, 30, tzinfo=UTC), tick=False
            ),
            self.captureOnCommitCallbacks(execute=True),
        ):
            self.assertEqual(services.send_due_reminders(), 1)
        with time_machine.travel(datetime(2026, 10, 25, 8, 59, tzinfo=UTC), tick=False):
            self.assertEqual(services.send_due_reminders(), 0)
        with (
            time_machine.travel(
                datetime(2026, 10, 25, 9, 0, 30, tzinfo=UTC), tick=False
            ),
            self.captureOnCommitCallbacks(execute=True),
        ):
            self.assertEqual(services.send_due_reminders(), 1)
        self.assertEqual(len(mail.outbox), 2)
        self.assertIn("10:00–12:00 GMT", mail.outbox[1].body)

    def test_the_viewers_zone_is_not_repeated_when_it_matches(self) -> None:
        event = make_event(self.org, starts_at=datetime(2026, 7, 1, 9, tzinfo=UTC))
        rendered = Template("{% load events_tags %}{% event_when event zone %}").render(
            Context({"event": event, "zone": "Europe/London"})
        )
        self.assertIn("10:00–12:00 BST", rendered)
        self.assertNotIn("Your time", rendered)
