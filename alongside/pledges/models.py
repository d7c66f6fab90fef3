from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from alongside.lib.emailaddr import mailbox_key
from alongside.lib.markdown import render_markdown
from alongside.lib.tokens import token_digest
from alongside.lib.visibility import Visibility
from alongside.pledges import periods

if TYPE_CHECKING:
    from alongside.accounts.models import User
    from alongside.organizations.models import Organization


class Category(models.TextChoices):
    LISTEN_LEARN = "listen_learn", _("Listen and learn")
    SPEAK_UP = "speak_up", _("Speak up")
    SHARE_LOAD = "share_load", _("Share the load")
    SPONSOR_MENTOR = "sponsor_mentor", _("Sponsor and mentor")
    FAIR_DECISIONS = "fair_decisions", _("Fair decisions")
    CHALLENGE_NORMS = "challenge_norms", _("Challenge norms")


class Cadence(models.TextChoices):
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")


CATALOGUE_PATH = Path(__file__).resolve().parent / "catalogue.json"


def default_catalogue() -> list[dict[str, Any]]:
    """The default commitment catalogue shipped with Alongside (catalogue.json)."""
    with CATALOGUE_PATH.open(encoding="utf-8") as f:
        entries: list[dict[str, Any]] = json.load(f)
    return entries


class CommitmentTemplateQuerySet(models.QuerySet["CommitmentTemplate"]):
    def for_organization(
        self, organization: Organization
    ) -> CommitmentTemplateQuerySet:
        return self.filter(organization=organization)

    def active(self) -> CommitmentTemplateQuerySet:
        return self.filter(is_active=True)


_CommitmentTemplateBaseManager = models.Manager.from_queryset(
    CommitmentTemplateQuerySet
)


class CommitmentTemplateManager(_CommitmentTemplateBaseManager["CommitmentTemplate"]):
    def ensure_default_catalogue(self, organization: Organization) -> int:
        """Seed an organization whose catalogue is empty with the default catalogue.

        Idempotent and safe to call on every request that needs the catalogue: an
        organization that already has entries (even all deactivated) is left alone, and
        two simultaneous calls create each entry once. Returns how many were created.
        """
        if self.filter(organization=organization).exists():
            return 0
        entries = [
            CommitmentTemplate(
                organization=organization,
                category=entry["category"],
                title=entry["title"],
                description=entry["description"],
                example=entry["example"],
                position=position,
            )
            for position, entry in enumerate(default_catalogue())
        ]
        created = self.bulk_create(entries, ignore_conflicts=True)
        return len(created)


class CommitmentTemplate(models.Model):
    """An entry of an organization's commitment catalogue: a concrete, observable practice."""

    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.CASCADE,
        related_name="commitment_templates",
    )
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    title = models.CharField(_("title"), max_length=140)
    description = models.TextField(
        _("what it means"), max_length=1000, validators=[MaxLengthValidator(1000)]
    )
    example = models.CharField(_("an example of an action"), max_length=300, blank=True)
    is_active = models.BooleanField(_("offered to members"), default=True)
    position = models.PositiveIntegerField(default=0)

    objects = CommitmentTemplateManager()

    class Meta:
        ordering = ("category", "position", "title")
        constraints = (
            models.UniqueConstraint(
                fields=("organization", "title"), name="unique_template_title"
            ),
        )

    def __str__(self) -> str:
        return self.title

    def is_used(self) -> bool:
        """Whether any pledge chose this entry: then it can be deactivated, not deleted."""
        return PledgeCommitment.objects.filter(template=self).exists()

    def set_active(self, active: bool) -> None:
        self.is_active = active
        self.save(update_fields=("is_active",))


class PledgeQuerySet(models.QuerySet["Pledge"]):
    def for_organization(self, organization: Organization) -> PledgeQuerySet:
        return self.filter(organization=organization)

    def visible_to(
        self, viewer: User | None, organization: Organization
    ) -> PledgeQuerySet:
        """Pledges of `organization` that `viewer` may see (None: an anonymous visitor).

        The caller has already established whether `viewer` is a member of `organization`.
        """
        qs = self.filter(organization=organization)
        if viewer is None or not viewer.is_authenticated:
            return qs.filter(visibility=Visibility.PUBLIC)
        return qs.filter(
            Q(visibility__in=(Visibility.PUBLIC, Visibility.ORGANIZATION))
            | Q(member=viewer)
        )

    def active(self) -> PledgeQuerySet:
        return self.filter(status=Pledge.Status.ACTIVE)

    def of_member(self, member: User) -> PledgeQuerySet:
        return self.filter(member=member)


@dataclass(frozen=True)
class Period:
    """One cadence period of a pledge, clipped to the days the pledge covered."""

    first_day: date
    last_day: date
    has_action: bool
    paused: bool  # every day of it was paused
    current: bool  # the period is still running

    @property
    def counted(self) -> bool:
        """Whether the period counts toward consistency and streaks.

        A fully paused period without an action does not count, and neither does the
        running period until it has an action (nobody fails a month that isn't over).
        """
        if self.has_action:
            return True
        return not self.paused and not self.current


@dataclass(frozen=True)
class Consistency:
    """How many of the counted cadence periods had at least one action."""

    periods: int
    periods_with_actions: int
    cadence: str

    @property
    def percent(self) -> int | None:
        if not self.periods:
            return None
        return round(100 * self.periods_with_actions / self.periods)


class Pledge(models.Model):
    """An ally's promise in his own words, made concrete by one to five commitments."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        PAUSED = "paused", _("Paused")
        COMPLETED = "completed", _("Completed")

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="pledges"
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pledges"
    )
    statement = models.TextField(
        _("your pledge, in your own words"),
        max_length=2000,
        validators=[MaxLengthValidator(2000)],
    )
    cadence = models.CharField(
        _("how often you will act"),
        max_length=10,
        choices=Cadence.choices,
        default=Cadence.MONTHLY,
    )
    target_date = models.DateField(_("target date"), null=True, blank=True)
    visibility = models.CharField(
        _("who can see it"),
        max_length=12,
        choices=Visibility.choices,
        default=Visibility.ORGANIZATION,
    )
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    started_on = models.DateField(default=timezone.localdate)
    paused_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    renewed_at = models.DateTimeField(null=True, blank=True)
    # A random key from the pledge form: a second submit of the same form (double
    # click, retry) finds the pledge the first one created instead of making another.
    submission_key = models.UUIDField(null=True, blank=True, editable=False)
    # First day of the cadence period for which the last check-in reminder was sent.
    checkin_reminded_for = models.DateField(null=True, blank=True, editable=False)

    objects = PledgeQuerySet.as_manager()

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = (
            models.Index(
                fields=("organization", "member", "status"), name="pledge_by_member"
            ),
        )
        constraints = (
            models.UniqueConstraint(
                fields=("member", "submission_key"),
                condition=Q(submission_key__isnull=False),
                name="pledge_submitted_once",
            ),
        )

    def __str__(self) -> str:
        return self.statement[:60]

    def get_absolute_url(self) -> str:
        return reverse(
            "pledges:detail", kwargs={"org": self.organization.slug, "pk": self.pk}
        )

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE

    @property
    def is_paused(self) -> bool:
        return self.status == self.Status.PAUSED

    @property
    def is_completed(self) -> bool:
        return self.status == self.Status.COMPLETED

    def is_owned_by(self, user: User | None) -> bool:
        return user is not None and user.is_authenticated and user.pk == self.member_id

    def open_commitments(self) -> models.QuerySet[PledgeCommitment]:
        return self.commitments.filter(outcome=PledgeCommitment.Outcome.OPEN)

    @transaction.atomic
    def pause(self) -> None:
        if not self.is_active:
            raise ValidationError(_("Only an active pledge can be paused."))
        self.status = self.Status.PAUSED
        self.paused_at = timezone.now()
        self.save(update_fields=("status", "paused_at"))
        self.pauses.create(started_on=timezone.localdate())

    @transaction.atomic
    def resume(self) -> None:
        if not self.is_paused:
            raise ValidationError(_("Only a paused pledge can be resumed."))
        self.status = self.Status.ACTIVE
        self.paused_at = None
        self.save(update_fields=("status", "paused_at"))
        self.pauses.filter(ended_on__isnull=True).update(ended_on=timezone.localdate())

    def renew(self, target_date: date) -> None:
        """Give the pledge a new target date (an active or paused pledge only)."""
        if self.is_completed:
            raise ValidationError(_("A completed pledge can't be renewed."))
        if target_date <= timezone.localdate():
            raise ValidationError(
                {"target_date": _("Choose a new target date after today.")}
            )
        self.target_date = target_date
        self.renewed_at = timezone.now()
        self.save(update_fields=("target_date", "renewed_at"))

    def complete(self) -> None:
        """Close the pledge; every commitment must have ended (kept or not) first."""
        if self.is_completed:
            raise ValidationError(_("This pledge is already completed."))
        if self.open_commitments().exists():
            raise ValidationError(
                _("Say how each commitment went before completing the pledge.")
            )
        with transaction.atomic():
            if self.is_paused:
                self.pauses.filter(ended_on__isnull=True).update(
                    ended_on=timezone.localdate()
                )
            self.status = self.Status.COMPLETED
            self.paused_at = None
            self.completed_at = timezone.now()
            self.save(update_fields=("status", "paused_at", "completed_at"))

    # Consistency: the share of cadence periods (calendar weeks, months or quarters
    # since `started_on`) with at least one action. Fully paused periods without an
    # action are left out, and so is the running period until it has an action.

    def last_day(self, today: date | None = None) -> date:
        """The last day the record covers: today, or the day the pledge was completed."""
        if self.completed_at is not None:
            return timezone.localdate(self.completed_at)
        return today or timezone.localdate()

    def action_dates(self) -> list[date]:
        return list(
            Action.objects.filter(commitment__pledge=self).values_list(
                "occurred_on", flat=True
            )
        )

    def periods(
        self, *, today: date | None = None, action_dates: list[date] | None = None
    ) -> list[Period]:
        """Every cadence period from `started_on` to the last day, oldest first."""
        last = self.last_day(today)
        if last < self.started_on:
            return []
        dates = self.action_dates() if action_dates is None else action_dates
        with_actions = {periods.period_start(self.cadence, d) for d in dates}
        pauses: list[tuple[date, date | None]] = [
            (p.started_on, p.ended_on) for p in self.pauses.all()
        ]
        spans = periods.periods_between(self.cadence, self.started_on, last)
        result = []
        for index, (first_day, last_day) in enumerate(spans):
            is_last = index == len(spans) - 1
            result.append(
                Period(
                    first_day=first_day,
                    last_day=last_day,
                    has_action=periods.period_start(self.cadence, first_day)
                    in with_actions,
                    paused=periods.is_covered(first_day, last_day, pauses),
                    current=is_last and not self.is_completed,
                )
            )
        return result

    def consistency(
        self, *, today: date | None = None, action_dates: list[date] | None = None
    ) -> Consistency:
        counted = [
            p for p in self.periods(today=today, action_dates=action_dates) if p.counted
        ]
        return Consistency(
            periods=len(counted),
            periods_with_actions=sum(1 for p in counted if p.has_action),
            cadence=self.cadence,
        )

    def longest_streak(self, *, today: date | None = None) -> int:
        """The most consecutive counted cadence periods that each had an action.

        Recognition uses it for "three consecutive cadence periods with an action".
        Fully paused periods neither break nor extend a streak.
        """
        longest = run = 0
        for period in self.periods(today=today):
            if not period.counted:
                continue
            run = run + 1 if period.has_action else 0
            longest = max(longest, run)
        return longest

    def current_streak(self, *, today: date | None = None) -> int:
        """Consecutive counted periods with an action, up to the latest one.

        The running period only adds to the streak once it has an action; until then
        the streak is the one that ended with the previous period.
        """
        run = 0
        for period in self.periods(today=today):
            if not period.counted:
                continue
            run = run + 1 if period.has_action else 0
        return run

    def has_action_in_current_period(self, today: date | None = None) -> bool:
        today = today or timezone.localdate()
        start = periods.period_start(self.cadence, today)
        return Action.objects.filter(
            commitment__pledge=self,
            occurred_on__gte=start,
            occurred_on__lte=periods.period_end(self.cadence, today),
        ).exists()


class PledgePause(models.Model):
    """A stretch of days the ally paused his pledge: `[started_on, ended_on)`."""

    pledge = models.ForeignKey(Pledge, on_delete=models.CASCADE, related_name="pauses")
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ("pledge", "started_on", "id")

    def __str__(self) -> str:
        return f"pause from {self.started_on}"


class PledgeCommitment(models.Model):
    """One commitment of a pledge, with the ally's own specifics and an honest ending."""

    class Outcome(models.TextChoices):
        OPEN = "open", _("In progress")
        KEPT = "kept", _("Kept")
        NOT_MANAGED = "not_managed", _("Didn't manage it")

    pledge = models.ForeignKey(
        Pledge, on_delete=models.CASCADE, related_name="commitments"
    )
    template = models.ForeignKey(
        CommitmentTemplate,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    title = models.CharField(_("commitment"), max_length=140)
    specifics = models.TextField(
        _("what this will look like for you"),
        max_length=1000,
        blank=True,
        validators=[MaxLengthValidator(1000)],
    )
    position = models.PositiveSmallIntegerField(default=0)
    outcome = models.CharField(
        max_length=12, choices=Outcome.choices, default=Outcome.OPEN
    )
    reflection = models.TextField(
        _("reflection"),
        max_length=2000,
        blank=True,
        validators=[MaxLengthValidator(2000)],
    )
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("pledge", "position", "id")

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.outcome == self.Outcome.OPEN

    def end(self, outcome: str, reflection: str = "") -> None:
        """End the commitment honestly: kept, or not managed (with a reflection)."""
        if not self.is_open:
            raise ValidationError(_("This commitment has already ended."))
        reflection = reflection.strip()
        if outcome not in {self.Outcome.KEPT, self.Outcome.NOT_MANAGED}:
            raise ValidationError({"outcome": _("Say whether you kept it or not.")})
        if outcome == self.Outcome.NOT_MANAGED and not reflection:
            raise ValidationError(
                {
                    "reflection": _(
                        "Write a few words on what got in the way: it is part of the record."
                    )
                }
            )
        self.outcome = outcome
        self.reflection = reflection
        self.ended_at = timezone.now()
        self.full_clean(exclude=("pledge", "template"))
        self.save(update_fields=("outcome", "reflection", "ended_at"))


class ActionQuerySet(models.QuerySet["Action"]):
    def for_organization(self, organization: Organization) -> ActionQuerySet:
        return self.filter(organization=organization)

    def visible_to(
        self, viewer: User | None, organization: Organization
    ) -> ActionQuerySet:
        """Actions of `organization` that `viewer` may see (None: an anonymous visitor).

        An action is never shown more widely than its pledge: a public action of an
        organization-only pledge is seen by members only. The ally always sees his own.
        """
        qs = self.filter(organization=organization)
        if viewer is None or not viewer.is_authenticated:
            return qs.filter(
                visibility=Visibility.PUBLIC,
                commitment__pledge__visibility=Visibility.PUBLIC,
            )
        shared = (Visibility.PUBLIC, Visibility.ORGANIZATION)
        return qs.filter(
            Q(visibility__in=shared, commitment__pledge__visibility__in=shared)
            | Q(member=viewer)
        )

    def confirmed(self) -> ActionQuerySet:
        return self.filter(confirmed_at__isnull=False)

    def self_reported(self) -> ActionQuerySet:
        """Actions nobody has confirmed (yet)."""
        return self.filter(confirmed_at__isnull=True)


class Action(models.Model):
    """Something the ally actually did toward a commitment."""

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="actions"
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="actions"
    )
    commitment = models.ForeignKey(
        PledgeCommitment, on_delete=models.CASCADE, related_name="actions"
    )
    occurred_on = models.DateField(_("when it happened"))
    description = models.TextField(
        _("what happened"), max_length=5000, validators=[MaxLengthValidator(5000)]
    )
    visibility = models.CharField(
        _("who can see it"),
        max_length=12,
        choices=Visibility.choices,
        default=Visibility.ORGANIZATION,
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmation_note = models.TextField(
        max_length=1000, blank=True, validators=[MaxLengthValidator(1000)]
    )
    created_at = models.DateTimeField(default=timezone.now)
    # See Pledge.submission_key: makes logging the same form twice harmless.
    submission_key = models.UUIDField(null=True, blank=True, editable=False)

    objects = ActionQuerySet.as_manager()

    class Meta:
        ordering = ("-occurred_on", "-id")
        indexes = (
            models.Index(
                fields=("organization", "member", "-occurred_on"),
                name="action_by_member",
            ),
            models.Index(
                fields=("organization", "-confirmed_at"), name="action_confirmed"
            ),
        )
        constraints = (
            models.UniqueConstraint(
                fields=("member", "submission_key"),
                condition=Q(submission_key__isnull=False),
                name="action_submitted_once",
            ),
        )

    def __str__(self) -> str:
        return f"{self.occurred_on}: {self.description[:40]}"

    def get_absolute_url(self) -> str:
        return reverse(
            "pledges:action_detail",
            kwargs={"org": self.organization.slug, "pk": self.pk},
        )

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None

    def description_html(self) -> SafeString:
        """The Markdown description as safe HTML (see alongside.lib.markdown)."""
        return render_markdown(self.description)

    def is_owned_by(self, user: User | None) -> bool:
        return user is not None and user.is_authenticated and user.pk == self.member_id

    def confirmation_request_or_none(self) -> ConfirmationRequest | None:
        try:
            return self.confirmation_request
        except ConfirmationRequest.DoesNotExist:
            return None

    def can_request_confirmation(self) -> bool:
        """One person, once: an action without a request and not yet confirmed."""
        return not self.is_confirmed and self.confirmation_request_or_none() is None


def normalize_email(email: str) -> str:
    """The form of an address used for comparisons and opt-out digests."""
    return email.strip().lower()


def email_digest(email: str) -> str:
    return token_digest(normalize_email(email))


def confirmer_digest(email: str) -> str:
    """A keyed digest of the inbox `email` delivers to (alongside.lib.emailaddr.mailbox_key).

    Tells "the same person confirmed these" without storing or revealing who: without
    the SECRET_KEY it can't be matched against a list of addresses.
    """
    return salted_hmac(
        "alongside.pledges.confirmer", mailbox_key(email), algorithm="sha256"
    ).hexdigest()


def is_own_address(user: User, email: str) -> bool:
    """Whether `email` delivers to one of `user`'s inboxes: his account's address or
    any address he added (verified or not), compared by mailbox_key."""
    from allauth.account.models import EmailAddress

    addresses = [user.email]
    addresses.extend(
        EmailAddress.objects.filter(user=user).values_list("email", flat=True)
    )
    return mailbox_key(email) in {mailbox_key(a) for a in addresses}


@dataclass(frozen=True)
class ConfirmerConcentration:
    """How much of one ally's confirmed record a single confirmer stands behind.

    Never says who the confirmer is: only that one person confirmed `from_one` of the
    ally's `confirmed` actions.
    """

    member_id: int
    confirmed: int
    from_one: int

    @property
    def share(self) -> float:
        return self.from_one / self.confirmed if self.confirmed else 0.0

    @property
    def percent(self) -> int:
        return round(100 * self.share)

    @property
    def is_unusual(self) -> bool:
        """More than CONFIRMATION_FLAG_FROM_ONE actions from one confirmer, or (once the
        ally has at least that many confirmed) more than CONFIRMATION_FLAG_PERCENT
        percent of them."""
        limit = settings.CONFIRMATION_FLAG_FROM_ONE
        if self.from_one > limit:
            return True
        return (
            self.confirmed >= limit
            and 100 * self.from_one
            > settings.CONFIRMATION_FLAG_PERCENT * self.confirmed
        )


class ConfirmationRequestQuerySet(models.QuerySet["ConfirmationRequest"]):
    def unanswered_and_valid(
        self, now: datetime | None = None
    ) -> ConfirmationRequestQuerySet:
        """Requests that still hold a place under the caps: not confirmed, not expired.

        A declined request counts like an unanswered one, so that the caps never
        reveal a decline to the ally.
        """
        return self.filter(
            status__in=(
                ConfirmationRequest.Status.PENDING,
                ConfirmationRequest.Status.DECLINED,
            ),
            expires_at__gt=now or timezone.now(),
        )

    def for_token(self, token: str) -> ConfirmationRequestQuerySet:
        digest = token_digest(token)
        return self.filter(Q(token_digest=digest) | Q(reminder_token_digest=digest))

    def confirmer_concentration(
        self, organization: Organization
    ) -> list[ConfirmerConcentration]:
        """For each ally of `organization` with a confirmed action: how many of them
        the one confirmer who confirmed most of them confirmed. Program admins only."""
        confirmed = self.filter(
            action__organization=organization,
            status=ConfirmationRequest.Status.CONFIRMED,
        )
        totals: dict[int, int] = {}
        most: dict[int, int] = {}
        rows = confirmed.values_list("requester_id", "recipient_digest").annotate(
            n=models.Count("id")
        )
        for member_id, _digest, n in rows.order_by():
            totals[member_id] = totals.get(member_id, 0) + n
            most[member_id] = max(most.get(member_id, 0), n)
        return [
            ConfirmerConcentration(
                member_id=member_id, confirmed=total, from_one=most[member_id]
            )
            for member_id, total in totals.items()
        ]


class ConfirmationRequest(models.Model):
    """The ally's request that one person confirm one action, sent as a single-use link.

    Privacy: who an action was meant to help is visible only to the ally and that person.
    A decline is stored, but the ally sees it exactly like no answer.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for an answer")
        CONFIRMED = "confirmed", _("Confirmed")
        DECLINED = "declined", _("Declined")

    action = models.OneToOneField(
        Action, on_delete=models.CASCADE, related_name="confirmation_request"
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    recipient_email = models.EmailField()
    recipient_name = models.CharField(max_length=80, blank=True)
    # confirmer_digest(recipient_email): finds "one person confirmed many of his
    # actions" without comparing or showing addresses. Set on save.
    recipient_digest = models.CharField(
        max_length=64, blank=True, default="", editable=False
    )
    token_digest = models.CharField(max_length=64, unique=True)
    # The reminder carries a second link (only the first link's digest is kept, so the
    # first link can't be re-sent); both open the same request, both single-use.
    reminder_token_digest = models.CharField(
        max_length=64, unique=True, null=True, blank=True
    )
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    reminded_at = models.DateTimeField(null=True, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)

    objects = ConfirmationRequestQuerySet.as_manager()

    class Meta:
        indexes = (
            models.Index(
                fields=("recipient_email", "status"), name="confirmation_by_recipient"
            ),
            models.Index(
                fields=("requester", "created_at"), name="confirmation_by_requester"
            ),
            models.Index(
                fields=("requester", "recipient_digest"),
                name="confirmation_by_confirmer",
            ),
        )

    def __str__(self) -> str:
        return f"confirmation request {self.pk}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.recipient_digest and self.recipient_email:
            self.recipient_digest = confirmer_digest(self.recipient_email)
            update_fields = kwargs.get("update_fields")
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "recipient_digest"}
        super().save(*args, **kwargs)

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_confirmed(self) -> bool:
        return self.status == self.Status.CONFIRMED

    @property
    def awaits_answer(self) -> bool:
        """As the ally sees it: sent, not confirmed, link still valid.

        True for a declined request too: a decline looks exactly like no answer.
        """
        return not self.is_confirmed and not self.is_expired

    def recipient_label(self) -> str:
        """How the ally named the person; for the ally's eyes only."""
        return self.recipient_name or self.recipient_email

    @staticmethod
    def link_expiry() -> datetime:
        return timezone.now() + timedelta(days=settings.CONFIRMATION_LINK_DAYS)


class RecipientOptOut(models.Model):
    """A recipient who asked never to receive confirmation requests again.

    Only a digest of the normalized address is stored.
    """

    email_digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return "opt-out"

    @classmethod
    def covers(cls, email: str) -> bool:
        """Whether the owner of `email` opted out: under this address, or under the
        plain form of the inbox it reaches (an opt-out from `dana@` covers
        `Dana+again@`; see alongside.lib.emailaddr.mailbox_key)."""
        digests = {email_digest(email), email_digest(mailbox_key(email))}
        return cls.objects.filter(email_digest__in=digests).exists()
