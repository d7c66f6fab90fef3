"""Journey 4 in a real browser: a facilitator schedules a workshop; members RSVP (the
third is waitlisted), one cancels and the third is promoted; members check in with the
code, and the attendance shows on their record."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from alongside.events.models import RSVP, Attendance, Event
from alongside.notifications.models import Notification
from alongside.organizations.models import Role
from alongside.test import BrowserTestCase, make_member, make_organization


def _start_in_a_quiet_zone() -> tuple[str, datetime]:
    """A zone where 20 minutes from now and an hour later fall on the same local day."""
    soon = timezone.now() + timedelta(minutes=20)
    for name in ("Europe/London", "Asia/Tokyo", "America/New_York"):
        local = soon.astimezone(ZoneInfo(name))
        if 1 <= local.hour <= 21:
            return name, local
    raise AssertionError("unreachable: the three zones are far enough apart")


class EventJourneyBrowserTestCase(BrowserTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.org = make_organization("Northwind Collective", slug="northwind")
        make_member(
            self.org,
            Role.FACILITATOR,
            email="fiona@example.org",
            display_name="Fiona Facilitator",
        )
        for key, name in (
            ("alice", "Alice Ally"),
            ("bob", "Bob Member"),
            ("carl", "Carl Third"),
        ):
            make_member(self.org, email=f"{key}@example.org", display_name=name)

    def _as(self, email: str) -> None:
        """Start a fresh browser session signed in as `email`."""
        self.context.close()
        self.context = self.browser.new_context()
        self.page = self.context.new_page()
        self.page.set_default_timeout(15_000)
        self.page.on(
            "console",
            lambda m: self.console_errors.append(m.text) if m.type == "error" else None,
        )
        self.log_in(email)

    def _open_event(self, event: Event) -> None:
        self.page.goto(self.url(event.get_absolute_url()))
        self.page.get_by_role("heading", name=event.title).wait_for()

    def _rsvp_with_the_keyboard(self, button: str) -> None:
        """Tab to the RSVP button and press Enter: it must be reachable and usable."""
        page = self.page
        for _ in range(60):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.textContent.trim()") == button:
                break
        else:
            self.fail(f"the {button!r} button cannot be reached with Tab")
        page.keyboard.press("Enter")
        page.wait_for_load_state()

    def test_journey_4(self) -> None:
        page = self.page
        zone, start = _start_in_a_quiet_zone()
        end = start + timedelta(hours=1)

        # A facilitator schedules a workshop with two places.
        self.log_in("fiona@example.org")
        page.goto(self.url("/o/northwind/events/"))
        page.get_by_text("No events are coming up.").wait_for()
        self.assert_accessible()
        page.get_by_role("button", name="Schedule the first one").click()
        page.get_by_role("heading", name="Schedule an event").wait_for()
        self.assert_accessible()
        page.get_by_label("Title").fill("Speaking up in meetings")
        page.get_by_label("Description").fill("Practise *short* interventions.")
        page.get_by_label("In person").check()
        page.get_by_label("Location").fill("Room 4, second floor")
        page.get_by_label("Time zone").select_option(zone)
        page.get_by_label("Date").fill(start.strftime("%Y-%m-%d"))
        page.get_by_label("Starts at").fill(start.strftime("%H:%M"))
        page.get_by_label("Ends at").fill(end.strftime("%H:%M"))
        page.get_by_label("Places").fill("2")
        page.get_by_role("button", name="Schedule", exact=True).click()
        page.get_by_role("heading", name="Speaking up in meetings").wait_for()
        self.assert_accessible()
        event = Event.objects.get()
        self.assertEqual(event.capacity, 2)
        self.assertEqual(event.time_zone, zone)
        code = page.locator("strong.check-in-code").inner_text()
        self.assertEqual(code, event.check_in_code)

        # Three members reply, with the keyboard; the third is waitlisted.
        for email in ("alice@example.org", "bob@example.org"):
            self._as(email)
            self._open_event(event)
            self.assert_accessible()
            self._rsvp_with_the_keyboard("Reserve a seat")
            self.page.get_by_text("You have a seat. See you there!").wait_for()
            self.assert_accessible()
        self._as("carl@example.org")
        self._open_event(event)
        self.page.get_by_text("All places are taken.").wait_for()
        self._rsvp_with_the_keyboard("Join the waitlist")
        self.page.get_by_text("The event is full, so you are number 1").wait_for()
        self.assert_accessible()

        # Alice gives up her seat; Carl is promoted and told.
        self._as("alice@example.org")
        self._open_event(event)
        self.page.get_by_role("link", name="Give up my seat").click()
        self.page.get_by_role("heading", name="Give up your seat?").wait_for()
        self.assert_accessible()
        self.page.get_by_role("button", name="Give up my seat").click()
        self.page.get_by_text("Your seat is given up.").wait_for()
        self.assertEqual(
            RSVP.objects.get(user__email="carl@example.org").status, RSVP.Status.SEATED
        )
        self.assertTrue(
            Notification.objects.filter(
                user__email="carl@example.org", message__contains="seat opened up"
            ).exists()
        )

        # Bob and Carl check in with the code the facilitator shows.
        for email in ("bob@example.org", "carl@example.org"):
            self._as(email)
            self._open_event(event)
            self.page.get_by_label("Check-in code").fill(code.lower())
            self.page.get_by_role("button", name="Check in").click()
            self.page.get_by_text("You are checked in. Welcome!").wait_for()
            self.assert_accessible()

        # The attendance counts toward Carl's record.
        self.page.goto(self.url("/o/northwind/events/mine/"))
        self.page.get_by_text(
            "You attended 1 event in Northwind Collective."
        ).wait_for()
        self.assert_accessible()
        self.assertEqual(
            set(Attendance.objects.values_list("user__email", flat=True)),
            {"bob@example.org", "carl@example.org"},
        )

        # The facilitator sees them ticked on the list.
        self._as("fiona@example.org")
        self.page.goto(self.url(f"/o/northwind/events/{event.pk}/attendees/"))
        self.page.get_by_role(
            "heading", name="Attendees of “Speaking up in meetings”"
        ).wait_for()
        self.assert_accessible()
        self.assertTrue(self.page.get_by_label("Carl Third").is_checked())
        self.assertFalse(self.page.get_by_label("Alice Ally").is_visible())
