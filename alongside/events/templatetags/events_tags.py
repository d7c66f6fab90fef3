from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django import template
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from alongside.events.models import Event

register = template.Library()


def _range(start: datetime, end: datetime) -> str:
    day = date_format(start, "D j M Y")
    return f"{day}, {start:%H:%M}–{end:%H:%M} {start.tzname()}"


def local_range(event: Event, zone: ZoneInfo) -> str:
    """ "Sun 25 Oct 2026, 10:00–12:00 GMT" in the given zone."""
    return _range(event.starts_at.astimezone(zone), event.ends_at.astimezone(zone))


@register.simple_tag
def event_when(event: Event, viewer_zone: str | None = None) -> SafeString:
    """The event's time in its own zone and, when different, in the viewer's."""
    own = format_html(
        '<time datetime="{}">{}</time> <small>({})</small>',
        event.starts_at.isoformat(),
        local_range(event, event.zone),
        event.time_zone.replace("_", " "),
    )
    if not viewer_zone or viewer_zone == event.time_zone:
        return own
    zone = ZoneInfo(viewer_zone)
    if event.starts_at.astimezone(
        zone
    ).utcoffset() == event.local_start().utcoffset() and (
        event.ends_at.astimezone(zone).utcoffset() == event.local_end().utcoffset()
    ):
        return own
    return format_html(
        "{}<br><small>{} {} ({})</small>",
        own,
        _("Your time:"),
        local_range(event, zone),
        viewer_zone.replace("_", " "),
    )


@register.simple_tag
def event_local(event: Event) -> str:
    """Plain text for emails: the time in the event's own zone."""
    return f"{local_range(event, event.zone)} ({event.time_zone})"
