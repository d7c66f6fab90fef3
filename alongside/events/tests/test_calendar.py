from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from django.urls import reverse
from django.utils import timezone

from alongside.events import services
from alongside.events.ics import CalendarEvent, build_calendar, escape_text, fold
from alongside.events.models import CalendarFeed, Event
from alongside.events.tests.helpers import make_event
from alongside.lib.tokens import token_digest
from alongside.organizations.models import Membership
from alongside.test import BaseTestCase


def unfold(text: str) -> list[str]:
    return text.replace("\r\n ", "").split("\r\n")


class ICalendarTextTestCase(BaseTestCase):
    def _calendar(self, **fields: object) -> str:
        event = CalendarEvent(
            uid="event-1@alongside.example",
            starts_at=datetime(2026, 10, 25, 10, tzinfo=UTC),
            ends_at=datetime(2026, 10, 25, 12, tzinfo=UTC),
            summary=str(fields.get("summary", "Workshop")),
            description=str(fields.get("description", "")),
            location=str(fields.get("location", "")),
        )
        return build_calendar([event], stamp=datetime(2026, 10, 1, 8, tzinfo=UTC))

    def test_every_line_ends_with_crlf_and_fits_75_octets(self) -> None:
        text = self._calendar(
            summary="Ally skills: " + "très long titre, avec des virgules; " * 8,
            description="Line one\nLine two " + "é€😀" * 60,
        )
        self.assertTrue(text.endswith("\r\n"))
        self.assertNotIn("\n", text.replace("\r\n", ""))
        self.assertNotIn("\r", text.replace("\r\n", ""))
        for line in text.split("\r\n")[:-1]:
            self.assertLessEqual(len(line.encode("utf-8")), 75, line)
            line.encode("utf-8").decode("utf-8")  # no character split across lines
        self.assertIn(
            "SUMMARY:"
            + escape_text("Ally skills: " + "très long titre, avec des virgules; " * 8),
            unfold(text),
        )

    def test_text_is_escaped(self) -> None:
        self.assertEqual(escape_text("a,b;c\\d\ne\r\nf"), "a\\,b\\;c\\\\d\\ne\\nf")
        lines = unfold(self._calendar(location="Room 1, Floor 2; East\\West"))
        self.assertIn("LOCATION:Room 1\\, Floor 2\\; East\\\\West", lines)

    def test_folding_keeps_multibyte_characters_whole(self) -> None:
        folded = fold("DESCRIPTION:" + "€" * 40)
        parts = folded.split("\r\n")
        self.assertGreater(len(parts), 1)
        self.assertTrue(all(p.startswith(" ") for p in parts[1:]))
        self.assertEqual(
            "".join([parts[0], *(p[1:] for p in parts[1:])]), "DESCRIPTION:" + "€" * 40
        )
        for part in parts:
            self.assertLessEqual(len(part.encode()), 75)

    def test_required_properties_in_utc(self) -> None:
        lines = unfold(self._calendar())
        for expected in (
            "BEGIN:VCALENDAR",
            "VERSION:2.0",
            "PRODID:-//Alongside//Events//EN",
            "BEGIN:VEVENT",
            "UID:event-1@alongside.example",
            "DTSTAMP:20261001T080000Z",
            "DTSTART:20261025T100000Z",
            "DTEND:20261025T120000Z",
            "END:VEVENT",
            "END:VCALENDAR",
        ):
            self.assertIn(expected, lines)
        self.assertEqual(lines[0], "BEGIN:VCALENDAR")
        self.assertEqual(lines[-2], "END:VCALENDAR")


class EventIcsViewTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.event = make_event(
            self.org,
            format=Event.Format.ONLINE,
            meeting_url="https://meet.example.org/secret-room",
            capacity=1,
        )
        self.url = reverse(
            "events:ics", kwargs={"org": "northwind", "event_id": self.event.pk}
        )

    def test_the_meeting_link_is_only_in_a_seated_members_file(self) -> None:
        services.rsvp_create(event=self.event, user=self.alice)
        services.rsvp_create(event=self.event, user=self.bob)  # waitlisted
        self.client.force_login(self.alice)
        r = self.client.get(self.url)
        self.assertEqual(r["Content-Type"], "text/calendar; charset=utf-8")
        self.assertIn("secret-room", "".join(unfold(r.content.decode())))
        self.client.force_login(self.bob)
        r = self.client.get(self.url)
        self.assertNotIn("secret-room", "".join(unfold(r.content.decode())))
        self.assertIn(f"UID:event-{self.event.pk}@", r.content.decode())

    def test_outsiders_get_404(self) -> None:
        self.client.force_login(self.oscar)
        self.assertEqual(self.client.get(self.url).status_code, 404)


class CalendarFeedTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.seated = make_event(self.org, title="Seated one", capacity=5)
        self.waiting = make_event(self.org, title="Waiting one", capacity=1)
        self.other = make_event(self.org, title="Not replied")
        services.rsvp_create(event=self.seated, user=self.alice)
        services.rsvp_create(event=self.waiting, user=self.bob)
        services.rsvp_create(event=self.waiting, user=self.alice)
        self.token = services.calendar_feed_issue(
            organization=self.org, user=self.alice
        )
        self.url = reverse("events:feed", kwargs={"token": self.token})

    def test_it_lists_only_events_with_a_seat_without_logging_in(self) -> None:
        r = self.client.get(self.url)
        self.assertEqual(r.status_code, 200)
        text = "".join(unfold(r.content.decode()))
        self.assertIn("SUMMARY:Seated one", text)
        self.assertNotIn("Waiting one", text)
        self.assertNotIn("Not replied", text)
        self.assertIsNotNone(CalendarFeed.objects.get().last_fetched_at)

    def test_only_the_digest_is_stored(self) -> None:
        feed = CalendarFeed.objects.get()
        self.assertEqual(feed.token_digest, token_digest(self.token))
        self.assertNotIn(self.token, str(CalendarFeed.objects.values().get()))

    def test_a_forged_token_is_404(self) -> None:
        forged = reverse("events:feed", kwargs={"token": self.token[:-2] + "xx"})
        self.assertEqual(self.client.get(forged).status_code, 404)

    def test_a_revoked_or_replaced_token_is_404(self) -> None:
        new = services.calendar_feed_issue(organization=self.org, user=self.alice)
        self.assertEqual(self.client.get(self.url).status_code, 404)
        new_url = reverse("events:feed", kwargs={"token": new})
        self.assertEqual(self.client.get(new_url).status_code, 200)
        services.calendar_feed_revoke(organization=self.org, user=self.alice)
        self.assertEqual(self.client.get(new_url).status_code, 404)

    def test_a_former_member_s_feed_is_404(self) -> None:
        Membership.objects.filter(organization=self.org, user=self.alice).delete()
        self.assertEqual(self.client.get(self.url).status_code, 404)

    def test_the_page_shows_the_link_once_and_revokes(self) -> None:
        self.client.force_login(self.bob)
        page = reverse("events:calendar_feed", kwargs={"org": "northwind"})
        r = self.client.post(page, {"action": "issue"})
        match = re.search(r"/calendar/([\w-]+)\.ics", r.content.decode())
        assert match is not None
        feed_url = match.group(0)
        self.assertEqual(self.client.get(feed_url).status_code, 200)
        r = self.client.get(page)
        self.assertNotIn(match.group(1), r.content.decode())
        self.client.post(page, {"action": "revoke"})
        self.assertEqual(self.client.get(feed_url).status_code, 404)

    def test_old_events_drop_out_of_the_feed(self) -> None:
        old = make_event(
            self.org,
            title="Long ago",
            starts_at=timezone.now() - timedelta(days=200),
        )
        from alongside.events.models import RSVP

        RSVP.objects.create(
            event=old, user=self.alice, status=RSVP.Status.SEATED, position=1
        )
        self.assertNotIn("Long ago", self.client.get(self.url).content.decode())
