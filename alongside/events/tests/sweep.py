"""Events routes for the cross-organization sweep."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from alongside.events.models import RSVP, Event

KWARG_OBJECTS = {"event_id": "event"}

PUBLIC_ROUTES = {
    "events:feed": (
        "A member's calendar subscription: the unguessable token in the URL is the only "
        "key (calendar apps cannot log in). Forged and revoked tokens answer 404; "
        "tested in alongside/events/tests/test_calendar.py."
    ),
}


def create_objects(case: Any) -> dict[str, int]:
    start = timezone.now() + timedelta(days=3)
    event = Event.objects.create(
        organization=case.org,
        title="CANARY-N workshop",
        location="Room 1",
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        time_zone="Europe/London",
        capacity=5,
        created_by=case.fiona,
    )
    RSVP.objects.create(
        event=event, user=case.alice, status=RSVP.Status.SEATED, position=1
    )
    return {"event": event.pk}
