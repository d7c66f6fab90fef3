"""Writes on events: scheduling, RSVPs and the waitlist, check-in, feedback, reminders.

Seats are exact under concurrency: every write that changes who holds a seat first
locks the event row (`select_for_update()`), then counts and assigns inside the lock.
On PostgreSQL concurrent RSVPs queue on that lock; on SQLite the IMMEDIATE transactions
already serialize writers.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from alongside.audit.services import audit_record
from alongside.events.models import (
    RSVP,
    Attendance,
    CalendarFeed,
    Event,
    Feedback,
    new_check_in_code,
    normalize_check_in_code,
)
from alongside.events.signals import attendance_recorded
from alongside.lib.ratelimit import rate_limit_hit
from alongside.notifications.models import Notification
from alongside.notifications.services import notification_send

if TYPE_CHECKING:
    from alongside.accounts.models import User
    from alongside.organizations.models import Organization

# Check-in code attempts per member and event in any CHECK_IN_WINDOW seconds.
CHECK_IN_ATTEMPTS = 5
CHECK_IN_WINDOW = 600

REMINDER_DAY_BEFORE = timedelta(hours=24)
REMINDER_HOUR_BEFORE = timedelta(hours=1)
# The calendar feed lists events that ended up to this long ago, and all later ones.
FEED_HISTORY = timedelta(days=90)


class EventError(Exception):
    """A business rule refused the request; the message is for the member."""


class CheckInError(EventError):
    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


# Scheduling ------------------------------------------------------------------------


EDITABLE_FIELDS = (
    "kind",
    "title",
    "description",
    "format",
    "location",
    "meeting_url",
    "starts_at",
    "ends_at",
    "time_zone",
    "capacity",
)


@transaction.atomic
def event_create(
    *,
    organization: Organization,
    created_by: User,
    series: uuid.UUID | None = None,
    **fields: Any,
) -> Event:
    event = Event(organization=organization, created_by=created_by, series=series)
    for name in EDITABLE_FIELDS:
        if name in fields:
            setattr(event, name, fields[name])
    event.full_clean()
    event.save()
    audit_record(
        action="event.created",
        actor=created_by,
        organization=organization,
        target=event,
        data={"title": event.title},
    )
    return event


@transaction.atomic
def event_series_create(
    *,
    organization: Organization,
    created_by: User,
    sessions: Sequence[tuple[datetime, datetime]],
    **fields: Any,
) -> list[Event]:
    """Schedule the same event at each (start, end) of `sessions`, all or none. The
    sessions share a series id; each keeps its own seats, waitlist and check-in."""
    if len(sessions) < 2:
        raise ValueError("A series has at least two sessions.")
    series = uuid.uuid4()
    return [
        event_create(
            organization=organization,
            created_by=created_by,
            series=series,
            **{**fields, "starts_at": starts_at, "ends_at": ends_at},
        )
        for starts_at, ends_at in sessions
    ]


@transaction.atomic
def event_update(*, event: Event, actor: User, **fields: Any) -> Event:
    """Change an event. Capacity may not drop below the seats already given.

    Raising the capacity seats people from the waitlist, in order, at once.
    """
    locked = Event.objects.select_for_update().get(pk=event.pk)
    if locked.is_cancelled:
        raise EventError(_("A cancelled event cannot be changed."))
    seated = locked.seated_count()
    capacity = fields.get("capacity", locked.capacity)
    if capacity < seated:
        raise EventError(
            _(
                "%(seated)s people already have a seat, so the event needs at least "
                "%(seated)s places. Ask some of them to cancel first, or keep the "
                "capacity at %(seated)s or more."
            )
            % {"seated": seated}
        )
    changed = [name for name in EDITABLE_FIELDS if name in fields]
    for name in changed:
        setattr(locked, name, fields[name])
    locked.full_clean()
    locked.save()
    promoted = _fill_free_seats(locked)
    audit_record(
        action="event.updated",
        actor=actor,
        organization=locked.organization,
        target=locked,
        data={"fields": changed, "promoted": len(promoted)},
    )
    return locked


@transaction.atomic
def event_new_check_in_code(*, event: Event, actor: User) -> str:
    event.check_in_code = new_check_in_code()
    event.save(update_fields=("check_in_code", "updated_at"))
    audit_record(
        action="event.check_in_code_changed",
        actor=actor,
        organization=event.organization,
        target=event,
    )
    return event.check_in_code


@transaction.atomic
def event_cancel(*, event: Event, actor: User, note: str = "") -> Event:
    """Call the event off and tell everyone holding a seat or a waitlist place.

    Replies and attendance are kept (as history); the event stays listed, marked
    cancelled, and calendar files and feeds carry STATUS:CANCELLED so calendar apps
    remove it.
    """
    locked = Event.objects.select_for_update().get(pk=event.pk)
    if locked.is_cancelled:
        return locked
    if locked.has_ended:
        raise EventError(_("This event is over; there is nothing left to cancel."))
    locked.cancelled_at = timezone.now()
    locked.cancellation_note = note.strip()
    locked.save(update_fields=("cancelled_at", "cancellation_note", "updated_at"))
    told = 0
    for rsvp in RSVP.objects.active().filter(event=locked).select_related("user"):
        notification_send(
            user=rsvp.user,
            organization=locked.organization,
            kind=Notification.Kind.ORGANIZATION,
            message=_("Cancelled: “%(title)s” will not take place.")
            % {"title": locked.title},
            url=locked.get_absolute_url(),
            email_template="events/email/cancelled",
            email_context={"event": locked},
        )
        told += 1
    audit_record(
        action="event.cancelled",
        actor=actor,
        organization=locked.organization,
        target=locked,
        data={"title": locked.title, "told": told},
    )
    return locked


# RSVPs and the waitlist -------------------------------------------------------------


def rsvp_create(*, event: Event, user: User) -> RSVP:
    """Give the member a seat if one is free, else the next place on the waitlist.

    Replying twice returns the existing reply unchanged. A member who cancelled and
    replies again goes to the back of the queue.
    """
    try:
        return _rsvp_create(event=event, user=user)
    except IntegrityError:
        # Only reachable if the same member's two requests raced past the lock on a
        # database without row locks; the first one won.
        return RSVP.objects.get(event=event, user=user)


@transaction.atomic
def _rsvp_create(*, event: Event, user: User) -> RSVP:
    locked = Event.objects.select_for_update().get(pk=event.pk)
    if locked.is_cancelled:
        raise EventError(_("This event is cancelled, so it no longer takes replies."))
    if locked.has_ended:
        raise EventError(_("This event is over, so it no longer takes replies."))
    existing = RSVP.objects.filter(event=locked, user=user).first()
    if existing is not None and existing.status != RSVP.Status.CANCELLED:
        return existing
    now = timezone.now()
    last = RSVP.objects.filter(event=locked).aggregate(last=Max("position"))["last"]
    position = (last or 0) + 1
    seat_free = locked.seated_count() < locked.capacity
    # Someone already waiting keeps their turn: a newcomer is seated only when nobody
    # waits (free seats are filled from the waitlist the moment they open).
    if (
        seat_free
        and not RSVP.objects.filter(
            event=locked, status=RSVP.Status.WAITLISTED
        ).exists()
    ):
        status = RSVP.Status.SEATED
    else:
        status = RSVP.Status.WAITLISTED
    rsvp = existing or RSVP(event=locked, user=user)
    rsvp.status = status
    rsvp.position = position
    rsvp.created_at = now
    rsvp.seated_at = now if status == RSVP.Status.SEATED else None
    rsvp.promoted_at = None
    rsvp.cancelled_at = None
    rsvp.reminded_day_before_at = None
    rsvp.reminded_hour_before_at = None
    rsvp.save()
    return rsvp


@transaction.atomic
def rsvp_cancel(*, event: Event, user: User) -> RSVP | None:
    """Give up a seat or a waitlist place; the first waitlisted member takes the seat.

    Returns the cancelled reply, or None if the member had none.
    """
    locked = Event.objects.select_for_update().get(pk=event.pk)
    rsvp = RSVP.objects.active().filter(event=locked, user=user).first()
    if rsvp is None:
        return None
    rsvp.status = RSVP.Status.CANCELLED
    rsvp.cancelled_at = timezone.now()
    rsvp.save(update_fields=("status", "cancelled_at", "updated_at"))
    if not locked.has_started:
        _fill_free_seats(locked)
    return rsvp


def _fill_free_seats(event: Event) -> list[RSVP]:
    """Seat waitlisted members, first come first served, while seats are free.

    Call with the event row locked. Each promoted member is notified (and emailed after
    the transaction commits).
    """
    free = event.capacity - event.seated_count()
    if free <= 0 or event.has_ended or event.is_cancelled:
        return []
    promoted = list(
        RSVP.objects.waitlisted().filter(event=event).select_related("user")[:free]
    )
    now = timezone.now()
    for rsvp in promoted:
        rsvp.status = RSVP.Status.SEATED
        rsvp.seated_at = now
        rsvp.promoted_at = now
        rsvp.save(update_fields=("status", "seated_at", "promoted_at", "updated_at"))
        notification_send(
            user=rsvp.user,
            organization=event.organization,
            kind=Notification.Kind.ORGANIZATION,
            message=_("A seat opened up: you now have a place at “%(title)s”.")
            % {"title": event.title},
            url=event.get_absolute_url(),
            email_template="events/email/promoted",
            email_context={"event": event},
        )
    return promoted


# Check-in and attendance --------------------------------------------------------------


def _send_after_commit(attendance: Attendance) -> None:
    """Signal a new attendance once the transaction commits.

    Listeners (recognition's badges) are a side concern: send_robust logs their failures
    and never lets them break a check-in.
    """
    transaction.on_commit(
        lambda: attendance_recorded.send_robust(
            sender=Attendance, attendance=attendance
        )
    )


def check_in_with_code(
    *, event: Event, user: User, code: str, at: datetime | None = None
) -> Attendance:
    """Record the member's attendance if the code is right and check-in is open.

    Every attempt counts toward the rate limit, so the code cannot be guessed by trying.
    Not atomic on purpose: a refused attempt must still count, and with the database
    cache a rolled-back transaction would take the count with it.
    """
    at = at or timezone.now()
    existing = Attendance.objects.filter(event=event, user=user).first()
    if existing is not None:
        return existing
    if not event.check_in_is_open(at):
        raise CheckInError(
            "closed",
            _(
                "Check-in is open from 30 minutes before the start until 30 minutes after the end."
            ),
        )
    if not RSVP.objects.seated().filter(event=event, user=user).exists():
        raise CheckInError(
            "no_seat",
            _(
                "Only people with a seat can check in. Ask the facilitator to mark you present."
            ),
        )
    if not rate_limit_hit(
        f"events:check-in:{event.pk}:{user.pk}",
        limit=CHECK_IN_ATTEMPTS,
        window=CHECK_IN_WINDOW,
    ):
        raise CheckInError(
            "rate_limited",
            _(
                "Too many attempts. Wait ten minutes, or ask the facilitator to mark you present."
            ),
        )
    if normalize_check_in_code(code) != event.check_in_code:
        raise CheckInError(
            "wrong_code",
            _(
                "That is not this event's code. Check the code the facilitator shows and try again."
            ),
        )
    attendance, created = Attendance.objects.get_or_create(
        event=event,
        user=user,
        defaults={"method": Attendance.Method.CODE, "checked_in_at": at},
    )
    if created:
        _send_after_commit(attendance)
    return attendance


@dataclass(frozen=True)
class AttendanceChange:
    added: int
    removed: int


@transaction.atomic
def attendance_record_list(
    *, event: Event, actor: User, present_user_ids: set[int]
) -> AttendanceChange:
    """Make the attendance list match the facilitator's ticks.

    Only people who replied (seated or waitlisted) or already checked in can be ticked;
    other ids are ignored.
    """
    eligible = set(
        RSVP.objects.active().filter(event=event).values_list("user_id", flat=True)
    ) | set(Attendance.objects.filter(event=event).values_list("user_id", flat=True))
    wanted = present_user_ids & eligible
    current = set(
        Attendance.objects.filter(event=event).values_list("user_id", flat=True)
    )
    to_add = wanted - current
    to_remove = current - wanted
    Attendance.objects.filter(event=event, user_id__in=to_remove).delete()
    now = timezone.now()
    added = Attendance.objects.bulk_create(
        [
            Attendance(
                event=event,
                user_id=user_id,
                method=Attendance.Method.LIST,
                checked_in_at=now,
                recorded_by=actor,
            )
            for user_id in sorted(to_add)
        ]
    )
    for attendance in added:
        _send_after_commit(attendance)
    if to_add or to_remove:
        audit_record(
            action="event.attendance_marked",
            actor=actor,
            organization=event.organization,
            target=event,
            data={"added": len(to_add), "removed": len(to_remove)},
        )
    return AttendanceChange(added=len(to_add), removed=len(to_remove))


# Feedback ------------------------------------------------------------------------------


@transaction.atomic
def feedback_give(
    *, event: Event, user: User, rating: int, comment: str = ""
) -> Feedback:
    """Store one attendee's answer, once; the answer is not linked to the attendee."""
    if not event.feedback_is_open():
        raise EventError(
            _("Feedback opens when the event ends and closes two weeks later.")
        )
    if not 1 <= rating <= 5:
        raise EventError(_("Choose a rating from 1 to 5."))
    if not Attendance.objects.filter(event=event, user=user).exists():
        raise EventError(_("Only people who attended can give feedback."))
    claimed = Attendance.objects.filter(
        event=event, user=user, feedback_given=False
    ).update(feedback_given=True)
    if claimed != 1:
        raise EventError(_("You already gave feedback on this event. Thank you!"))
    return Feedback.objects.create(event=event, rating=rating, comment=comment.strip())


# Calendar feed ------------------------------------------------------------------------


@transaction.atomic
def calendar_feed_issue(*, organization: Organization, user: User) -> str:
    """Create the member's feed link, replacing (and so revoking) any earlier one."""
    CalendarFeed.objects.filter(organization=organization, user=user).delete()
    feed = CalendarFeed(organization=organization, user=user)
    token = feed.issue_token()
    feed.save()
    return token


def calendar_feed_revoke(*, organization: Organization, user: User) -> bool:
    deleted, _rows = CalendarFeed.objects.filter(
        organization=organization, user=user
    ).delete()
    return deleted > 0


# Reminders ----------------------------------------------------------------------------


def send_due_reminders(*, now: datetime | None = None) -> int:
    """Remind seated members 24 hours and 1 hour before their events; return how many.

    Each reminder is claimed with a conditional UPDATE before it is sent, so running
    this twice (or twice at once) never sends one twice. When only the hour-before
    reminder is still useful, the day-before one is skipped.
    """
    now = now or timezone.now()
    due = (
        RSVP.objects.seated()
        .filter(
            event__starts_at__gt=now,
            event__starts_at__lte=now + REMINDER_DAY_BEFORE,
            event__cancelled_at__isnull=True,
            user__is_active=True,
        )
        .select_related("event__organization", "user")
        .order_by("event__starts_at", "id")
    )
    sent = 0
    for rsvp in due:
        event = rsvp.event
        if event.starts_at - now <= REMINDER_HOUR_BEFORE:
            claimed = RSVP.objects.filter(
                pk=rsvp.pk,
                status=RSVP.Status.SEATED,
                reminded_hour_before_at__isnull=True,
            ).update(
                reminded_hour_before_at=now,
                reminded_day_before_at=rsvp.reminded_day_before_at or now,
            )
            which = "hour"
        else:
            claimed = RSVP.objects.filter(
                pk=rsvp.pk,
                status=RSVP.Status.SEATED,
                reminded_day_before_at__isnull=True,
            ).update(reminded_day_before_at=now)
            which = "day"
        if claimed != 1:
            continue
        with transaction.atomic():
            notification_send(
                user=rsvp.user,
                organization=event.organization,
                kind=Notification.Kind.REMINDER,
                message=(
                    _("Starting within the hour: “%(title)s”.")
                    if which == "hour"
                    else _("Coming up within a day: “%(title)s”.")
                )
                % {"title": event.title},
                url=event.get_absolute_url(),
                email_template="events/email/reminder",
                email_context={"event": event, "which": which},
            )
        sent += 1
    return sent
