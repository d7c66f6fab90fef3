"""iCalendar (RFC 5545) text for events, written by hand: it is a small format.

The rules kept here: lines end with CRLF (3.1); content lines longer than 75 octets are
folded, the continuation starting with one space, never splitting a UTF-8 character
(3.1); TEXT values escape backslash, semicolon, comma and newlines (3.3.11); every
VEVENT has a UID and a DTSTAMP (3.6.1); times are written in UTC with a "Z" (3.3.5).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

MAX_OCTETS = 75
CRLF = "\r\n"


def escape_text(value: str) -> str:
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\r", "\\n")
        .replace("\n", "\\n")
    )


def format_utc(value: datetime) -> str:
    if value.tzinfo is None:
        raise ValueError("iCalendar times must be aware datetimes")
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def fold(line: str) -> str:
    """Fold one content line into chunks of at most 75 octets joined by CRLF + space."""
    chunks: list[str] = []
    current = ""
    size = 0
    limit = MAX_OCTETS
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            chunks.append(current)
            current, size = "", 0
            limit = MAX_OCTETS - 1  # the leading space counts toward the 75
        current += char
        size += width
    chunks.append(current)
    return (CRLF + " ").join(chunks)


@dataclass(frozen=True)
class CalendarEvent:
    uid: str
    starts_at: datetime
    ends_at: datetime
    summary: str
    description: str = ""
    location: str = ""
    url: str = ""
    last_modified: datetime | None = None
    cancelled: bool = False


def _property(name: str, value: str) -> str:
    return fold(f"{name}:{value}")


def _vevent(event: CalendarEvent, stamp: datetime) -> list[str]:
    lines = [
        "BEGIN:VEVENT",
        _property("UID", escape_text(event.uid)),
        _property("DTSTAMP", format_utc(stamp)),
        _property("DTSTART", format_utc(event.starts_at)),
        _property("DTEND", format_utc(event.ends_at)),
        _property("SUMMARY", escape_text(event.summary)),
    ]
    if event.description:
        lines.append(_property("DESCRIPTION", escape_text(event.description)))
    if event.location:
        lines.append(_property("LOCATION", escape_text(event.location)))
    if event.url:
        # URL is a URI value, not TEXT: no escaping (3.3.13).
        lines.append(_property("URL", event.url))
    if event.last_modified is not None:
        lines.append(_property("LAST-MODIFIED", format_utc(event.last_modified)))
    lines += [
        "STATUS:CANCELLED" if event.cancelled else "STATUS:CONFIRMED",
        "TRANSP:TRANSPARENT" if event.cancelled else "TRANSP:OPAQUE",
        "END:VEVENT",
    ]
    return lines


def build_calendar(
    events: Iterable[CalendarEvent], *, stamp: datetime, name: str = ""
) -> str:
    """A complete VCALENDAR object, ready to serve as text/calendar."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Alongside//Events//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
    ]
    if name:
        lines.append(_property("X-WR-CALNAME", escape_text(name)))
    for event in events:
        lines += _vevent(event, stamp)
    lines.append("END:VCALENDAR")
    return CRLF.join(lines) + CRLF
