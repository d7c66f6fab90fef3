from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from alongside.pledges.models import Pledge
from alongside.recognition.visibility import SHARED, visible_actions

if TYPE_CHECKING:
    from alongside.accounts.models import User
    from alongside.organizations.models import Organization
    from alongside.pledges.models import Action
    from alongside.recognition.badges import BadgeRule

KUDOS_MESSAGE_MAX_LENGTH = 280


class KudosQuerySet(models.QuerySet["Kudos"]):
    def for_organization(self, organization: Organization) -> KudosQuerySet:
        return self.filter(organization=organization)

    def on_shared_targets(self) -> KudosQuerySet:
        """Kudos whose action or pledge (and the action's pledge) members may see.

        Visibility is read from the target now, so an item made private later
        disappears from the wall with its kudos.
        """
        return self.filter(
            Q(
                action__visibility__in=SHARED,
                action__commitment__pledge__visibility__in=SHARED,
            )
            | Q(pledge__visibility__in=SHARED)
        )

    def on_targets_visible_to(
        self, viewer: User | None, organization: Organization
    ) -> KudosQuerySet:
        """Kudos of `organization` whose target `viewer` may see (None: anonymous)."""
        return self.filter(organization=organization).filter(
            Q(action__in=visible_actions(viewer, organization))
            | Q(pledge__in=Pledge.objects.visible_to(viewer, organization))
        )


class Kudos(models.Model):
    """One member's acknowledgment of another member's action or pledge."""

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="+"
    )
    giver = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="kudos_given"
    )
    receiver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="kudos_received",
    )
    action = models.ForeignKey(
        "pledges.Action",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="kudos",
    )
    pledge = models.ForeignKey(
        "pledges.Pledge",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="kudos",
    )
    message = models.CharField(
        _("message (optional)"), max_length=KUDOS_MESSAGE_MAX_LENGTH, blank=True
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = KudosQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "kudos"
        ordering = ("-created_at", "-id")
        constraints = (
            models.CheckConstraint(
                condition=Q(action__isnull=False, pledge__isnull=True)
                | Q(action__isnull=True, pledge__isnull=False),
                name="kudos_has_one_target",
            ),
            models.CheckConstraint(
                condition=~Q(giver=models.F("receiver")), name="kudos_not_to_self"
            ),
            models.UniqueConstraint(
                fields=("giver", "action"),
                condition=Q(action__isnull=False),
                name="one_kudos_per_giver_and_action",
            ),
            models.UniqueConstraint(
                fields=("giver", "pledge"),
                condition=Q(pledge__isnull=False),
                name="one_kudos_per_giver_and_pledge",
            ),
        )
        indexes = (
            models.Index(fields=("organization", "-created_at"), name="kudos_by_org"),
            models.Index(
                fields=("receiver", "organization", "-created_at"),
                name="kudos_by_receiver",
            ),
        )

    def __str__(self) -> str:
        return f"kudos {self.pk}"

    @property
    def target(self) -> Action | Pledge:
        target = self.action if self.action_id is not None else self.pledge
        assert target is not None  # guaranteed by kudos_has_one_target
        return target

    @property
    def target_title(self) -> str:
        return target_title(self.target)


def target_title(target: Action | Pledge) -> str:
    """What kudos are for, in words: the action's commitment, or the start of the pledge."""
    if isinstance(target, Pledge):
        return Truncator(target.statement).chars(80)
    return target.commitment.title


class BadgeAwardQuerySet(models.QuerySet["BadgeAward"]):
    def for_organization(self, organization: Organization) -> BadgeAwardQuerySet:
        return self.filter(organization=organization)

    def current(self) -> BadgeAwardQuerySet:
        return self.filter(revoked_at__isnull=True)


class BadgeAward(models.Model):
    """A badge a member earned in an organization (see badges.py for the rules).

    The row stays when a program admin revokes it, so the rules never award it again.
    """

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="+"
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="badge_awards",
    )
    badge = models.CharField(max_length=40)
    awarded_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    revoke_reason = models.TextField(_("reason"), max_length=500, blank=True)

    objects = BadgeAwardQuerySet.as_manager()

    class Meta:
        ordering = ("-awarded_at", "-id")
        constraints = (
            models.UniqueConstraint(
                fields=("organization", "member", "badge"),
                name="one_award_per_badge_and_member",
            ),
        )

    def __str__(self) -> str:
        return f"{self.badge} for member {self.member_id}"

    @property
    def rule(self) -> BadgeRule | None:
        from alongside.recognition.badges import BADGES_BY_SLUG

        return BADGES_BY_SLUG.get(self.badge)

    @property
    def name(self) -> str:
        rule = self.rule
        return str(rule.name) if rule is not None else self.badge

    @property
    def description(self) -> str:
        rule = self.rule
        return str(rule.description) if rule is not None else ""

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None
