from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alongside.events.models import CHECK_IN_CODE_LENGTH, Event


@cache
def time_zone_choices() -> list[tuple[str, str]]:
    names = sorted(
        name
        for name in available_timezones()
        if "/" in name and not name.startswith(("Etc/", "SystemV/", "US/"))
    )
    return [("UTC", "UTC"), *((name, name.replace("_", " ")) for name in names)]


class LocalTimeError(ValueError):
    pass


def local_to_utc(day: date, wall: time, zone: ZoneInfo) -> datetime:
    """The UTC instant of a wall-clock time in `zone`.

    A time skipped when the clocks go forward, or repeated when they go back, has no
    single answer: it is refused rather than guessed.
    """
    first = datetime.combine(day, wall, tzinfo=zone)
    second = first.replace(fold=1)
    if first.utcoffset() != second.utcoffset():
        # In a gap the round trip lands on another wall time; in an overlap it doesn't.
        if first.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != first.replace(
            tzinfo=None
        ):
            raise LocalTimeError(
                _(
                    "%(time)s does not exist on %(date)s in %(zone)s: the clocks go "
                    "forward then. Choose another time."
                )
                % {"time": wall.strftime("%H:%M"), "date": day, "zone": zone.key}
            )
        raise LocalTimeError(
            _(
                "%(time)s happens twice on %(date)s in %(zone)s: the clocks go back "
                "then. Choose another time."
            )
            % {"time": wall.strftime("%H:%M"), "date": day, "zone": zone.key}
        )
    return first.astimezone(UTC)


class EventForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=Event.Kind.choices)
    title = forms.CharField(label=gettext_lazy("Title"), max_length=140)
    description = forms.CharField(
        label=gettext_lazy("Description"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy("What people will do and take away. Markdown works."),
    )
    format = forms.ChoiceField(
        label=gettext_lazy("Format"),
        choices=Event.Format.choices,
        widget=forms.RadioSelect,
    )
    location = forms.CharField(
        label=gettext_lazy("Location"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("For in-person events: the room and building."),
    )
    meeting_url = forms.URLField(
        label=gettext_lazy("Meeting link"),
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text=gettext_lazy(
            "For online events. Shown only to people with a seat, never on the list."
        ),
    )
    day = forms.DateField(
        label=gettext_lazy("Date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    start_time = forms.TimeField(
        label=gettext_lazy("Starts at"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    end_time = forms.TimeField(
        label=gettext_lazy("Ends at"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    time_zone = forms.ChoiceField(
        label=gettext_lazy("Time zone"),
        choices=time_zone_choices,
        help_text=gettext_lazy(
            "Where the event takes place (or the facilitator's, for online events). "
            "The date and times below are in this zone."
        ),
    )
    capacity = forms.IntegerField(
        label=gettext_lazy("Places"), min_value=1, max_value=10000
    )

    @classmethod
    def initial_for(cls, event: Event) -> dict[str, Any]:
        start, end = event.local_start(), event.local_end()
        return {
            "kind": event.kind,
            "title": event.title,
            "description": event.description,
            "format": event.format,
            "location": event.location,
            "meeting_url": event.meeting_url,
            "day": start.date(),
            "start_time": start.time().replace(tzinfo=None),
            "end_time": end.time().replace(tzinfo=None),
            "time_zone": event.time_zone,
            "capacity": event.capacity,
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("format") == Event.Format.IN_PERSON and not data.get("location"):
            self.add_error(
                "location", _("An in-person event needs a location people can find.")
            )
        if data.get("format") == Event.Format.ONLINE and not data.get("meeting_url"):
            self.add_error(
                "meeting_url", _("An online event needs the link people will join by.")
            )
        day, start, end = data.get("day"), data.get("start_time"), data.get("end_time")
        zone_name = data.get("time_zone")
        if day and start and end and zone_name:
            zone = ZoneInfo(zone_name)
            try:
                data["starts_at"] = local_to_utc(day, start, zone)
            except LocalTimeError as e:
                self.add_error("start_time", str(e))
            try:
                data["ends_at"] = local_to_utc(day, end, zone)
            except LocalTimeError as e:
                self.add_error("end_time", str(e))
            if (
                "starts_at" in data
                and "ends_at" in data
                and data["ends_at"] <= data["starts_at"]
            ):
                self.add_error(
                    "end_time",
                    _("The event must end after it starts, on the same day."),
                )
        return data

    def event_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "title": data["title"],
            "description": data["description"],
            "format": data["format"],
            "location": data["location"],
            "meeting_url": data["meeting_url"],
            "starts_at": data["starts_at"],
            "ends_at": data["ends_at"],
            "time_zone": data["time_zone"],
            "capacity": data["capacity"],
        }


MAX_SESSIONS = 12


def nth_weekday(day: date) -> int:
    """1 for the first Tuesday (or whichever weekday `day` is) of its month, 2 for the
    second, and so on."""
    return (day.day - 1) // 7 + 1


def add_months_same_weekday(day: date, months: int) -> date | None:
    """The same weekday at the same place in the month `months` later (the second
    Tuesday stays the second Tuesday), or None when that month has no such day."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    first = date(year, month, 1)
    offset = (day.weekday() - first.weekday()) % 7
    candidate = first + timedelta(days=offset + 7 * (nth_weekday(day) - 1))
    return candidate if candidate.month == month else None


class NewEventForm(EventForm):
    """Scheduling, with the choice to repeat the event as a series of sessions."""

    class Repeat:
        NONE = "none"
        WEEKLY = "weekly"
        FORTNIGHTLY = "fortnightly"
        MONTHLY = "monthly"

    repeat = forms.ChoiceField(
        label=gettext_lazy("Repeat"),
        choices=(
            (Repeat.NONE, gettext_lazy("Once")),
            (Repeat.WEEKLY, gettext_lazy("Every week")),
            (Repeat.FORTNIGHTLY, gettext_lazy("Every two weeks")),
            (Repeat.MONTHLY, gettext_lazy("Every month, on the same weekday")),
        ),
        initial=Repeat.NONE,
        required=False,
        help_text=gettext_lazy(
            "A series schedules each session as its own event, with its own places "
            "and waitlist, at the same local time."
        ),
    )
    session_count = forms.IntegerField(
        label=gettext_lazy("Number of sessions"),
        min_value=2,
        max_value=MAX_SESSIONS,
        required=False,
        help_text=gettext_lazy("For a series: from 2 to 12, the first one included."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        repeat = data.get("repeat") or self.Repeat.NONE
        if repeat == self.Repeat.NONE or self.errors:
            return data
        count = data.get("session_count")
        if not count:
            self.add_error(
                "session_count",
                _("Say how many sessions the series has, from 2 to 12."),
            )
            return data
        day, start, end = data["day"], data["start_time"], data["end_time"]
        if repeat == self.Repeat.MONTHLY and nth_weekday(day) == 5:
            self.add_error(
                "repeat",
                _(
                    "%(date)s is the fifth %(weekday)s of its month, and most months "
                    "have no fifth one. Choose another date or repeat every week."
                )
                % {"date": day, "weekday": day.strftime("%A")},
            )
            return data
        zone = ZoneInfo(data["time_zone"])
        sessions = []
        for n in range(count):
            if repeat == self.Repeat.MONTHLY:
                session_day = add_months_same_weekday(day, n)
                assert session_day is not None  # only a fifth weekday can miss
            else:
                step = 7 if repeat == self.Repeat.WEEKLY else 14
                session_day = day + timedelta(days=step * n)
            try:
                sessions.append(
                    (
                        local_to_utc(session_day, start, zone),
                        local_to_utc(session_day, end, zone),
                    )
                )
            except LocalTimeError as e:
                self.add_error(
                    "start_time",
                    _("Session %(number)s (%(date)s): %(problem)s")
                    % {"number": n + 1, "date": session_day, "problem": e},
                )
                return data
        data["sessions"] = sessions
        return data

    def sessions(self) -> list[tuple[datetime, datetime]]:
        """Each session's (start, end) in UTC, for a series; empty for a single event."""
        return list(self.cleaned_data.get("sessions", []))


class EventCancelForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("A word to the people who replied (optional)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "Sent with the cancellation notice, e.g. the reason or a new date."
        ),
    )


class CheckInForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Check-in code"),
        max_length=CHECK_IN_CODE_LENGTH + 4,
        help_text=gettext_lazy("The facilitator shows it at the event."),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters"}
        ),
    )


class FeedbackForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=gettext_lazy("How useful was it for you?"),
        choices=[
            (5, gettext_lazy("5 – very useful")),
            (4, "4"),
            (3, "3"),
            (2, "2"),
            (1, gettext_lazy("1 – not useful")),
        ],
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=gettext_lazy("Anything the facilitator should know? (optional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy(
            "Your answer is stored without your name. Facilitators see answers only "
            "once at least three people have replied."
        ),
    )


class AttendanceForm(forms.Form):
    present = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Present"),
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(
        self, *args: Any, people: list[tuple[int, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["present"].choices = people  # type: ignore[attr-defined]


class ViewerTimeZoneForm(forms.Form):
    time_zone = forms.ChoiceField(
        label=gettext_lazy("Your time zone"), choices=time_zone_choices
    )
