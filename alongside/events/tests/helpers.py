from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from alongside.accounts.models import User
from alongside.events.models import Event
from alongside.organizations.models import Organization


def make_event(
    organization: Organization,
    *,
    starts_at: datetime | None = None,
    duration: timedelta = timedelta(hours=2),
    created_by: User | None = None,
    **fields: Any,
) -> Event:
    starts_at = starts_at or timezone.now() + timedelta(days=7)
    fields.setdefault("title", "Bystander workshop")
    fields.setdefault("location", "Room 4")
    fields.setdefault("capacity", 2)
    fields.setdefault("time_zone", "Europe/London")
    return Event.objects.create(
        organization=organization,
        starts_at=starts_at,
        ends_at=starts_at + duration,
        created_by=created_by,
        **fields,
    )
