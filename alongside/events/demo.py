"""Riverside's events: a workshop coming up (full, with a waitlist), a seminar last month
with attendance and feedback, and an online listening circle. Dated relative to today."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.utils import timezone

from alongside.events import services
from alongside.events.models import RSVP, Attendance, Event, Feedback

if TYPE_CHECKING:
    from alongside.accounts.models import User
    from alongside.organizations.models import Organization

ZONE = "Europe/London"
WORKSHOP_TITLE = "Interrupting interruptions: a practice workshop"


def _at(days: int, hour: int, minute: int = 0) -> datetime:
    day = timezone.localdate() + timedelta(days=days)
    return datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo(ZONE)).astimezone(
        UTC
    )


def load(organization: Organization, users: dict[str, User]) -> None:
    if Event.objects.filter(organization=organization).exists():
        return
    facilitator = users.get("sofia") or users["amara"]
    people = [
        users[key]
        for key in (
            "daniel",
            "kwame",
            "priya",
            "tom",
            "marcus",
            "raj",
            "oliver",
            "fatima",
        )
        if key in users
    ]

    workshop = services.event_create(
        organization=organization,
        created_by=facilitator,
        kind=Event.Kind.WORKSHOP,
        title=WORKSHOP_TITLE,
        description=(
            "Ninety minutes of practice, not theory. In small groups we rehearse short, "
            "calm ways to hand the floor back to someone who was talked over, in "
            "handovers, ward rounds and meetings.\n\n"
            "Bring one real moment you wish had gone differently."
        ),
        format=Event.Format.IN_PERSON,
        location="Education Centre, Seminar Room 2 (ground floor, by the library)",
        starts_at=_at(6, 14),
        ends_at=_at(6, 15, 30),
        time_zone=ZONE,
        capacity=4,
    )
    for person in people[:6]:
        services.rsvp_create(event=workshop, user=person)  # the last two wait

    circle = services.event_create(
        organization=organization,
        created_by=facilitator,
        kind=Event.Kind.LISTENING_CIRCLE,
        title="Listening circle: what we heard on the night shift",
        description=(
            "An hour to listen, not to fix. Women colleagues who volunteered share what "
            "night shifts are like for them; everyone else listens. Cameras optional."
        ),
        format=Event.Format.ONLINE,
        meeting_url="https://meet.riverside.test/listening-circle",
        starts_at=_at(9, 18),
        ends_at=_at(9, 19),
        time_zone=ZONE,
        capacity=12,
    )
    for person in people[2:4]:
        services.rsvp_create(event=circle, user=person)

    # The past seminar is written directly: replies to an event that is over are refused.
    seminar = services.event_create(
        organization=organization,
        created_by=facilitator,
        kind=Event.Kind.SEMINAR,
        title="Seminar: what the staff survey says about who gets heard",
        description=(
            "The people team walks through last year's staff survey results on voice "
            "and credit, and what other trusts changed after similar findings."
        ),
        format=Event.Format.IN_PERSON,
        location="Lecture Theatre, Education Centre",
        starts_at=_at(-12, 12, 30),
        ends_at=_at(-12, 13, 30),
        time_zone=ZONE,
        capacity=30,
    )
    replied_at = seminar.starts_at - timedelta(days=5)
    for position, person in enumerate(people, start=1):
        RSVP.objects.create(
            event=seminar,
            user=person,
            status=RSVP.Status.SEATED,
            position=position,
            created_at=replied_at,
            seated_at=replied_at,
        )
    for index, person in enumerate(people[:6]):
        Attendance.objects.create(
            event=seminar,
            user=person,
            method=Attendance.Method.CODE if index < 5 else Attendance.Method.LIST,
            checked_in_at=seminar.starts_at + timedelta(minutes=index),
            recorded_by=facilitator if index >= 5 else None,
            feedback_given=index < 4,
        )
    answers = [
        (5, "The part on credit in meetings was an eye-opener. More like this please."),
        (4, "Useful figures. I'd have liked more time for questions."),
        (4, ""),
        (3, "Good content, but the room was too warm to concentrate."),
    ]
    for rating, comment in answers:
        Feedback.objects.create(
            event=seminar,
            rating=rating,
            comment=comment,
            given_on=timezone.localdate(seminar.ends_at),
        )
