"""Events: workshops, seminars and listening circles with seats, a waitlist and attendance.

Times are stored in UTC. Each event also carries the IANA time zone it takes place in,
so it can be shown (and its reminders reasoned about) in local time across daylight
saving changes.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from alongside.lib.markdown import render_markdown
from alongside.lib.tokens import new_token, token_digest

if TYPE_CHECKING:
    from alongside.accounts.models import User
    from alongside.organizations.models import Membership, Organization

# Members may enter the check-in code from this long before the start until this long
# after the end.
CHECK_IN_OPENS_BEFORE = timedelta(minutes=30)
CHECK_IN_CLOSES_AFTER = timedelta(minutes=30)
# Feedback can be given for this long after the event ends.
FEEDBACK_DAYS = 14
# Facilitators see ratings and comments only once this many attendees answered, so
# that no single answer can be pinned on the one person who gave it.
FEEDBACK_MIN_RESPONSES = 3
# Unambiguous characters only: no 0/O, 1/I/L.
CHECK_IN_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CHECK_IN_CODE_LENGTH = 6


def new_check_in_code() -> str:
    return "".join(
        secrets.choice(CHECK_IN_ALPHABET) for _ in range(CHECK_IN_CODE_LENGTH)
    )


def normalize_check_in_code(code: str) -> str:
    return "".join(code.split()).replace("-", "").upper()


def _user_of(member: User | Membership) -> User:
    from alongside.organizations.models import Membership

    return member.user if isinstance(member, Membership) else member


class EventQuerySet(models.QuerySet["Event"]):
    def for_organization(self, organization: Organization) -> EventQuerySet:
        return self.filter(organization=organization)

    def upcoming(self) -> EventQuerySet:
        """Not yet over (an event in progress still counts), soonest first."""
        return self.filter(ends_at__gt=timezone.now()).order_by("starts_at", "id")

    def past(self) -> EventQuerySet:
        return self.filter(ends_at__lte=timezone.now()).order_by("-starts_at", "-id")

    def with_counts(self) -> EventQuerySet:
        return self.annotate(
            num_seated=models.Count(
                "rsvps", filter=Q(rsvps__status=RSVP.Status.SEATED)
            ),
            num_waitlisted=models.Count(
                "rsvps", filter=Q(rsvps__status=RSVP.Status.WAITLISTED)
            ),
        )


class Event(models.Model):
    class Kind(models.TextChoices):
        WORKSHOP = "workshop", _("Workshop")
        SEMINAR = "seminar", _("Seminar")
        LISTENING_CIRCLE = "listening_circle", _("Listening circle")

    class Format(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        ONLINE = "online", _("Online")

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(
        _("kind"), max_length=20, choices=Kind.choices, default=Kind.WORKSHOP
    )
    title = models.CharField(_("title"), max_length=140)
    description = models.TextField(_("description"), max_length=5000, blank=True)
    format = models.CharField(
        _("format"), max_length=20, choices=Format.choices, default=Format.IN_PERSON
    )
    location = models.CharField(_("location"), max_length=200, blank=True)
    meeting_url = models.URLField(
        _("meeting link"),
        max_length=500,
        blank=True,
        help_text=_("Shown only to people with a seat."),
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC")
    capacity = models.PositiveIntegerField(
        _("places"), validators=[MinValueValidator(1), MaxValueValidator(10000)]
    )
    check_in_code = models.CharField(
        max_length=CHECK_IN_CODE_LENGTH, default=new_check_in_code
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancellation_note = models.CharField(
        _("message to the people who replied"), max_length=500, blank=True
    )
    # Sessions scheduled together as a series share this id. Each session is still an
    # event of its own, with its own seats, waitlist, check-in and feedback.
    series = models.UUIDField(null=True, blank=True, editable=False, db_index=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ("starts_at", "id")
        indexes = (models.Index(fields=("organization", "starts_at")),)
        constraints = (
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")),
                name="event_ends_after_start",
            ),
        )

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse(
            "events:detail", kwargs={"org": self.organization.slug, "event_id": self.pk}
        )

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def local_start(self) -> datetime:
        return self.starts_at.astimezone(self.zone)

    def local_end(self) -> datetime:
        return self.ends_at.astimezone(self.zone)

    def description_html(self) -> SafeString:
        return render_markdown(self.description)

    @property
    def is_online(self) -> bool:
        return self.format == self.Format.ONLINE

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None

    @property
    def has_ended(self) -> bool:
        return self.ends_at <= timezone.now()

    @property
    def has_started(self) -> bool:
        return self.starts_at <= timezone.now()

    def check_in_opens_at(self) -> datetime:
        return self.starts_at - CHECK_IN_OPENS_BEFORE

    def check_in_closes_at(self) -> datetime:
        return self.ends_at + CHECK_IN_CLOSES_AFTER

    def check_in_is_open(self, at: datetime | None = None) -> bool:
        at = at or timezone.now()
        return (
            not self.is_cancelled
            and self.check_in_opens_at() <= at <= self.check_in_closes_at()
        )

    def check_in_has_closed(self) -> bool:
        return self.is_cancelled or timezone.now() > self.check_in_closes_at()

    def feedback_is_open(self, at: datetime | None = None) -> bool:
        at = at or timezone.now()
        return self.ends_at <= at <= self.ends_at + timedelta(days=FEEDBACK_DAYS)

    def seated_count(self) -> int:
        return self.rsvps.filter(status=RSVP.Status.SEATED).count()

    def waitlist_count(self) -> int:
        return self.rsvps.filter(status=RSVP.Status.WAITLISTED).count()

    def other_sessions(self) -> EventQuerySet:
        """The other sessions of this event's series, in date order (none if it is
        not part of one)."""
        if self.series is None:
            return Event.objects.none()
        return (
            Event.objects.filter(
                organization_id=self.organization_id, series=self.series
            )
            .exclude(pk=self.pk)
            .order_by("starts_at", "id")
        )

    def can_be_managed_by(self, membership: Membership) -> bool:
        """Facilitators and program admins of the event's organization manage it."""
        return (
            membership.organization_id == self.organization_id
            and membership.is_facilitator
        )


class RSVPQuerySet(models.QuerySet["RSVP"]):
    def for_organization(self, organization: Organization) -> RSVPQuerySet:
        return self.filter(event__organization=organization)

    def seated(self) -> RSVPQuerySet:
        return self.filter(status=RSVP.Status.SEATED)

    def waitlisted(self) -> RSVPQuerySet:
        return self.filter(status=RSVP.Status.WAITLISTED).order_by("position", "id")

    def active(self) -> RSVPQuerySet:
        return self.filter(status__in=(RSVP.Status.SEATED, RSVP.Status.WAITLISTED))

    def of(self, member: User | Membership) -> RSVPQuerySet:
        return self.filter(user=_user_of(member))


class RSVP(models.Model):
    """One member's reply to one event: a seat, a place on the waitlist, or cancelled.

    `position` orders the replies: it is assigned under the event's row lock when the
    member replies (or replies again after cancelling), so the waitlist is first come,
    first served.
    """

    class Status(models.TextChoices):
        SEATED = "seated", _("Seat confirmed")
        WAITLISTED = "waitlisted", _("On the waitlist")
        CANCELLED = "cancelled", _("Cancelled")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="rsvps")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="event_rsvps"
    )
    status = models.CharField(max_length=20, choices=Status.choices)
    position = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    seated_at = models.DateTimeField(null=True, blank=True)
    promoted_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    reminded_day_before_at = models.DateTimeField(null=True, blank=True)
    reminded_hour_before_at = models.DateTimeField(null=True, blank=True)

    objects = RSVPQuerySet.as_manager()

    class Meta:
        verbose_name = "RSVP"
        ordering = ("position", "id")
        constraints = (
            models.UniqueConstraint(fields=("event", "user"), name="one_rsvp_per_user"),
        )
        indexes = (models.Index(fields=("event", "status", "position")),)

    def __str__(self) -> str:
        return f"{self.user} for {self.event} ({self.status})"

    @property
    def is_seated(self) -> bool:
        return self.status == self.Status.SEATED

    @property
    def is_waitlisted(self) -> bool:
        return self.status == self.Status.WAITLISTED

    def waitlist_place(self) -> int | None:
        """1 for the first person on the waitlist, and so on."""
        if not self.is_waitlisted:
            return None
        return (
            RSVP.objects.filter(
                event_id=self.event_id,
                status=self.Status.WAITLISTED,
                position__lt=self.position,
            ).count()
            + 1
        )


class AttendanceQuerySet(models.QuerySet["Attendance"]):
    def for_organization(self, organization: Organization) -> AttendanceQuerySet:
        return self.filter(event__organization=organization)

    def attended_by(
        self, organization: Organization, member: User | Membership
    ) -> AttendanceQuerySet:
        """The member's attendance records in the organization, newest event first.

        `member` is a User (a Membership is accepted too). Each record has its event
        loaded (`record.event`), so listing titles and dates costs no extra query.
        """
        return (
            self.filter(event__organization=organization, user=_user_of(member))
            .select_related("event")
            .order_by("-event__starts_at", "-id")
        )


class Attendance(models.Model):
    """A member was at an event: checked in by code or ticked by a facilitator."""

    class Method(models.TextChoices):
        CODE = "code", _("Checked in with the event code")
        LIST = "list", _("Marked present by a facilitator")

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="attendances"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="attendances"
    )
    method = models.CharField(max_length=10, choices=Method.choices)
    checked_in_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Whether this attendee has answered the feedback form. The answer itself is stored
    # without any link to the attendee (see Feedback).
    feedback_given = models.BooleanField(default=False)

    objects = AttendanceQuerySet.as_manager()

    class Meta:
        ordering = ("checked_in_at", "id")
        constraints = (
            models.UniqueConstraint(
                fields=("event", "user"), name="one_attendance_per_user"
            ),
        )

    def __str__(self) -> str:
        return f"{self.user} at {self.event}"


class FeedbackQuerySet(models.QuerySet["Feedback"]):
    def summary(self) -> dict[str, float | int | None]:
        result = self.aggregate(count=models.Count("id"), average=models.Avg("rating"))
        return {"count": result["count"], "average": result["average"]}


class Feedback(models.Model):
    """An attendee's rating and comment, deliberately not linked to the attendee.

    `Attendance.feedback_given` records that someone answered (so each attendee answers
    once); this row records what was said. Only the date is kept, so the two cannot be
    matched by time either.
    """

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="feedback")
    rating = models.PositiveSmallIntegerField(
        _("rating"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(_("comment"), max_length=2000, blank=True)
    given_on = models.DateField(default=timezone.localdate)

    objects = FeedbackQuerySet.as_manager()

    class Meta:
        ordering = ("-given_on", "-id")
        constraints = (
            models.CheckConstraint(
                condition=Q(rating__gte=1, rating__lte=5), name="feedback_rating_1_to_5"
            ),
        )

    def __str__(self) -> str:
        return f"{self.rating}/5 for {self.event}"


class CalendarFeedQuerySet(models.QuerySet["CalendarFeed"]):
    def by_token(self, token: str) -> CalendarFeedQuerySet:
        return self.filter(token_digest=token_digest(token))


class CalendarFeed(models.Model):
    """A member's private calendar subscription for one organization's events.

    Only the SHA-256 digest of the link's token is stored. Revoking deletes the row,
    so the old link stops working at once.
    """

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="event_calendar_feeds",
    )
    token_digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_fetched_at = models.DateTimeField(null=True, blank=True)

    objects = CalendarFeedQuerySet.as_manager()

    class Meta:
        constraints = (
            models.UniqueConstraint(
                fields=("organization", "user"), name="one_calendar_feed_per_member"
            ),
        )

    def __str__(self) -> str:
        return f"Calendar feed of {self.user} in {self.organization}"

    def issue_token(self) -> str:
        token, digest = new_token()
        self.token_digest = digest
        return token
