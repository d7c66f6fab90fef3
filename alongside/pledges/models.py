from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alongside.lib.visibility import Visibility

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


class CommitmentTemplateQuerySet(models.QuerySet["CommitmentTemplate"]):
    def for_organization(
        self, organization: Organization
    ) -> CommitmentTemplateQuerySet:
        return self.filter(organization=organization)

    def active(self) -> CommitmentTemplateQuerySet:
        return self.filter(is_active=True)


class CommitmentTemplate(models.Model):
    """An entry of an organization's commitment catalogue: a concrete, observable practice."""

    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.CASCADE,
        related_name="commitment_templates",
    )
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    title = models.CharField(_("title"), max_length=140)
    description = models.TextField(_("what it means"), max_length=1000)
    example = models.CharField(_("an example of an action"), max_length=300, blank=True)
    is_active = models.BooleanField(_("offered to members"), default=True)
    position = models.PositiveIntegerField(default=0)

    objects = CommitmentTemplateQuerySet.as_manager()

    class Meta:
        ordering = ("category", "position", "title")
        constraints = (
            models.UniqueConstraint(
                fields=("organization", "title"), name="unique_template_title"
            ),
        )

    def __str__(self) -> str:
        return self.title


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
    statement = models.TextField(_("your pledge, in your own words"), max_length=2000)
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

    objects = PledgeQuerySet.as_manager()

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = (
            models.Index(
                fields=("organization", "member", "status"), name="pledge_by_member"
            ),
        )

    def __str__(self) -> str:
        return self.statement[:60]


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
        _("what this will look like for you"), max_length=1000, blank=True
    )
    position = models.PositiveSmallIntegerField(default=0)
    outcome = models.CharField(
        max_length=12, choices=Outcome.choices, default=Outcome.OPEN
    )
    reflection = models.TextField(_("reflection"), max_length=2000, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("pledge", "position", "id")

    def __str__(self) -> str:
        return self.title


class ActionQuerySet(models.QuerySet["Action"]):
    def for_organization(self, organization: Organization) -> ActionQuerySet:
        return self.filter(organization=organization)

    def visible_to(
        self, viewer: User | None, organization: Organization
    ) -> ActionQuerySet:
        qs = self.filter(organization=organization)
        if viewer is None or not viewer.is_authenticated:
            return qs.filter(visibility=Visibility.PUBLIC)
        return qs.filter(
            Q(visibility__in=(Visibility.PUBLIC, Visibility.ORGANIZATION))
            | Q(member=viewer)
        )

    def confirmed(self) -> ActionQuerySet:
        return self.filter(confirmed_at__isnull=False)


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
    description = models.TextField(_("what happened"), max_length=5000)
    visibility = models.CharField(
        _("who can see it"),
        max_length=12,
        choices=Visibility.choices,
        default=Visibility.ORGANIZATION,
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmation_note = models.TextField(max_length=1000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

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

    def __str__(self) -> str:
        return f"{self.occurred_on}: {self.description[:40]}"

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None


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
    token_digest = models.CharField(max_length=64, unique=True)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    reminded_at = models.DateTimeField(null=True, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = (
            models.Index(
                fields=("recipient_email", "status"), name="confirmation_by_recipient"
            ),
            models.Index(
                fields=("requester", "created_at"), name="confirmation_by_requester"
            ),
        )

    def __str__(self) -> str:
        return f"confirmation request {self.pk}"


class RecipientOptOut(models.Model):
    """A recipient who asked never to receive confirmation requests again.

    Only a digest of the normalized address is stored.
    """

    email_digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return "opt-out"
