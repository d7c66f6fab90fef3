"""A member's events data: exported on request, deleted when the account is erased.

Feedback answers are stored without any link to the person who gave them (see
`Feedback`), so they are not anyone's data: the export says only whether the member
answered, and erasure leaves the anonymous answers (rating and comment) in place.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from alongside.events.models import RSVP, Attendance, CalendarFeed, Event

if TYPE_CHECKING:
    from datetime import datetime

    from alongside.accounts.models import User


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def export_user_data(user: User) -> dict[str, Any]:
    rsvps = (
        RSVP.objects.filter(user=user)
        .select_related("event__organization")
        .order_by("created_at", "id")
    )
    attendances = (
        Attendance.objects.filter(user=user)
        .select_related("event__organization")
        .order_by("checked_in_at", "id")
    )
    feeds = CalendarFeed.objects.filter(user=user).select_related("organization")
    scheduled = (
        Event.objects.filter(created_by=user)
        .select_related("organization")
        .order_by("starts_at", "id")
    )
    return {
        "events_scheduled": [
            {
                "organization": e.organization.slug,
                "event_id": e.pk,
                "title": e.title,
                "starts_at": _iso(e.starts_at),
                "created_at": _iso(e.created_at),
            }
            for e in scheduled
        ],
        "event_rsvps": [
            {
                "organization": r.event.organization.slug,
                "event_id": r.event_id,
                "event": r.event.title,
                "event_starts_at": _iso(r.event.starts_at),
                "status": r.status,
                "replied_at": _iso(r.created_at),
                "seated_at": _iso(r.seated_at),
                "promoted_from_waitlist_at": _iso(r.promoted_at),
                "cancelled_at": _iso(r.cancelled_at),
                "reminded_day_before_at": _iso(r.reminded_day_before_at),
                "reminded_hour_before_at": _iso(r.reminded_hour_before_at),
            }
            for r in rsvps
        ],
        "event_attendance": [
            {
                "organization": a.event.organization.slug,
                "event_id": a.event_id,
                "event": a.event.title,
                "event_starts_at": _iso(a.event.starts_at),
                "method": a.method,
                "checked_in_at": _iso(a.checked_in_at),
                "feedback_given": a.feedback_given,
            }
            for a in attendances
        ],
        "event_calendar_feeds": [
            {
                "organization": f.organization.slug,
                "created_at": _iso(f.created_at),
                "last_fetched_at": _iso(f.last_fetched_at),
                # Only a digest of the link is stored; the link itself cannot be shown.
            }
            for f in feeds
        ],
    }


@transaction.atomic
def erase_user_data(user: User) -> None:
    """Give up the member's coming seats (so the waitlist moves up), then delete their
    replies, attendance and calendar links."""
    from alongside.events.services import rsvp_cancel

    coming = (
        RSVP.objects.active()
        .filter(user=user, event__starts_at__gt=timezone.now())
        .select_related("event")
    )
    for rsvp in coming:
        rsvp_cancel(event=rsvp.event, user=user)
    CalendarFeed.objects.filter(user=user).delete()
    Attendance.objects.filter(user=user).delete()
    RSVP.objects.filter(user=user).delete()
    # Events the member created stay for the others (`created_by` becomes empty).
