"""Writes of the recognition app: kudos, badge awards and revocations."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from alongside.audit.services import audit_record
from alongside.notifications.models import Notification
from alongside.notifications.services import notification_send
from alongside.organizations.models import Membership
from alongside.pledges.models import Pledge
from alongside.recognition.badges import BADGE_RULES, MemberRecord
from alongside.recognition.models import (
    KUDOS_MESSAGE_MAX_LENGTH,
    BadgeAward,
    Kudos,
    target_title,
)
from alongside.recognition.visibility import visible_actions

if TYPE_CHECKING:
    from alongside.accounts.models import User
    from alongside.organizations.models import Organization
    from alongside.pledges.models import Action


class KudosError(ValidationError):
    """A kudos that the rules do not allow; the message says why, for the giver."""


def _profile_url(organization: Organization, member: User, anchor: str) -> str:
    path = reverse(
        "recognition:profile", kwargs={"org": organization.slug, "user_id": member.pk}
    )
    return f"{path}#{anchor}"


def kudos_give(
    *,
    giver: User,
    organization: Organization,
    action: Action | None = None,
    pledge: Pledge | None = None,
    message: str = "",
) -> tuple[Kudos, bool]:
    """Give kudos for one action or one pledge; return (kudos, created).

    Giving twice (a double click, two tabs, concurrent requests) is not an error: the
    first kudos is returned with created=False, and nobody is notified again. Only
    members may give kudos, for what they can see, to other current members.
    """
    if (action is None) == (pledge is None):
        raise ValueError("kudos need exactly one target: an action or a pledge")
    target: Action | Pledge = action if action is not None else pledge  # type: ignore[assignment]
    if target.organization_id != organization.pk:
        raise KudosError(_("This is not part of this organization."))
    receiver = target.member
    if receiver.pk == giver.pk:
        raise KudosError(
            _("Kudos are for other members: you can't give them to yourself.")
        )
    members = Membership.objects.for_organization(organization)
    if not members.filter(user=giver).exists():
        raise KudosError(_("Only members of this organization can give kudos here."))
    visible = (
        visible_actions(giver, organization).filter(pk=target.pk)
        if action is not None
        else Pledge.objects.visible_to(giver, organization).filter(pk=target.pk)
    )
    if not visible.exists():
        raise KudosError(_("You can only give kudos for what you can see."))
    if not receiver.is_active or not members.filter(user=receiver).exists():
        raise KudosError(
            _("%(name)s is no longer a member here.") % {"name": receiver.name}
        )
    message = " ".join(message.split())
    if len(message) > KUDOS_MESSAGE_MAX_LENGTH:
        raise KudosError(
            _("Keep the message to %(max)d characters or fewer.")
            % {"max": KUDOS_MESSAGE_MAX_LENGTH}
        )

    with transaction.atomic():
        try:
            # A savepoint, so a lost race leaves the outer transaction usable.
            with transaction.atomic():
                kudos = Kudos.objects.create(
                    organization=organization,
                    giver=giver,
                    receiver=receiver,
                    action=action,
                    pledge=pledge,
                    message=message,
                )
        except IntegrityError:
            existing = Kudos.objects.filter(giver=giver, action=action, pledge=pledge)
            return existing.get(), False

        what = target_title(target)
        notification_send(
            user=receiver,
            organization=organization,
            kind=Notification.Kind.KUDOS,
            message=_("%(giver)s gave you kudos for “%(what)s”.")
            % {"giver": giver.name, "what": what},
            url=_profile_url(organization, receiver, "kudos"),
            email_template="recognition/email/kudos",
            email_context={
                "giver_name": giver.name,
                "what": what,
                "for_action": action is not None,
                "kudos_message": message,
            },
        )
        badges_evaluate_later(organization_id=organization.pk, member_id=giver.pk)
    return kudos, True


def badges_evaluate_later(*, organization_id: int, member_id: int) -> None:
    """Evaluate the member's badges in the task queue once the transaction commits."""
    from alongside.recognition.tasks import evaluate_badges

    transaction.on_commit(
        lambda: evaluate_badges.enqueue(
            organization_id=organization_id, member_id=member_id
        )
    )


def badges_evaluate(*, organization: Organization, member: User) -> list[BadgeAward]:
    """Award every badge whose rule the member's record now meets; return the new awards.

    Idempotent: a badge already awarded, or awarded and revoked, is left alone, so
    evaluating again (or concurrently) awards and notifies nothing twice. Only current
    members of the organization earn badges in it.
    """
    if not (
        member.is_active
        and Membership.objects.for_organization(organization)
        .filter(user=member)
        .exists()
    ):
        return []
    record = MemberRecord.load(organization=organization, member=member)
    held = set(
        BadgeAward.objects.for_organization(organization)
        .filter(member=member)
        .values_list("badge", flat=True)
    )
    awarded: list[BadgeAward] = []
    for rule in BADGE_RULES:
        if rule.slug in held or not rule.earned(record):
            continue
        with transaction.atomic():
            try:
                with transaction.atomic():
                    award = BadgeAward.objects.create(
                        organization=organization, member=member, badge=rule.slug
                    )
            except IntegrityError:
                continue  # awarded meanwhile by a concurrent evaluation
            notification_send(
                user=member,
                organization=organization,
                kind=Notification.Kind.BADGE,
                message=_("You earned the badge “%(badge)s”.") % {"badge": rule.name},
                url=_profile_url(organization, member, "badges"),
                email_template="recognition/email/badge_awarded",
                email_context={
                    "badge_name": str(rule.name),
                    "badge_description": str(rule.description),
                },
            )
        awarded.append(award)
    return awarded


def badge_revoke(
    *,
    award: BadgeAward,
    actor: User,
    reason: str,
    request: HttpRequest | None = None,
) -> BadgeAward:
    """Revoke a badge with a recorded reason; the rules will not award it again.

    `actor` must be a program admin of the award's organization (checked here too, not
    only by the view). The member is told, with the reason.
    """
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Give the reason for revoking this badge."))
    if len(reason) > 500:
        raise ValidationError(_("Keep the reason to 500 characters or fewer."))
    organization = award.organization
    if not (
        Membership.objects.for_organization(organization)
        .admins()
        .filter(user=actor)
        .exists()
    ):
        raise PermissionError("only program admins may revoke badges")

    with transaction.atomic():
        # Lock the row so two admins revoking at once record one revocation.
        award = BadgeAward.objects.select_for_update().get(pk=award.pk)
        if award.is_revoked:
            return award
        award.revoked_at = timezone.now()
        award.revoked_by = actor
        award.revoke_reason = reason
        award.save(update_fields=("revoked_at", "revoked_by", "revoke_reason"))
        audit_record(
            action="badge.revoke",
            actor=actor,
            organization=organization,
            target=award,
            data={"badge": award.badge, "member_id": award.member_id, "reason": reason},
            request=request,
        )
        notification_send(
            user=award.member,
            organization=organization,
            kind=Notification.Kind.BADGE,
            message=_(
                "Your badge “%(badge)s” was revoked by a program admin: %(reason)s"
            )
            % {"badge": award.name, "reason": reason},
            url=_profile_url(organization, award.member, "badges"),
            email_template="recognition/email/badge_revoked",
            email_context={"badge_name": award.name, "reason": reason},
        )
    return award
