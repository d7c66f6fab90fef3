"""Writes on organizations, memberships and invitations, each with its business rules."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from alongside.audit.services import audit_record
from alongside.notifications.email import queue_email
from alongside.notifications.models import Notification
from alongside.notifications.services import notification_send
from alongside.organizations.invitation_csv import Invitee
from alongside.organizations.models import Invitation, Membership, Organization, Role

if TYPE_CHECKING:
    from alongside.accounts.models import User


class InvitationUnavailable(Exception):
    """The invitation link cannot be used; `message` tells the visitor why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@transaction.atomic
def organization_create(
    *,
    creator: User,
    name: str,
    slug: str,
    description: str = "",
    request: HttpRequest | None = None,
) -> Organization:
    """Create an organization; its creator becomes its first program admin."""
    organization = Organization(name=name, slug=slug, description=description)
    organization.full_clean()
    organization.save()
    Membership.objects.create(
        organization=organization,
        user=creator,
        role=Role.PROGRAM_ADMIN,
        role_granted_by=creator,
    )
    audit_record(
        action="organization.created",
        actor=creator,
        organization=organization,
        target=organization,
        request=request,
    )
    return organization


@transaction.atomic
@transaction.atomic
def organization_settings_save(
    *,
    organization: Organization,
    actor: User,
    changed: Iterable[str],
    request: HttpRequest | None = None,
) -> Organization:
    """Save settings already set on `organization` (by a validated form).

    k (`min_group_size`) is the exception: a higher value applies at once and cancels
    a pending lowering; a lower one is stored as pending, applies only after
    MIN_GROUP_SIZE_LOWERING_DAYS, and is announced to every program admin
    (`Organization.effective_min_group_size` reads it). Whatever the form set, k is
    decided here from the stored row, locked, so no other save can slip between.
    """
    changed = sorted(changed)
    requested = organization.min_group_size
    now = timezone.now()
    stored = Organization.objects.select_for_update().get(pk=organization.pk)
    k_now = stored.effective_min_group_size(now)
    pending = stored.pending_min_group_size(now)
    # A lowering whose time has come is folded in; one still waiting is kept.
    organization.min_group_size = k_now
    organization.min_group_size_pending = pending[0] if pending else None
    organization.min_group_size_pending_at = pending[1] if pending else None
    k_change: tuple[int, int, datetime] | None = None  # (from, to, applies at)
    if "min_group_size" in changed and requested != k_now:
        if requested < k_now:
            applies_at = now + timedelta(days=settings.MIN_GROUP_SIZE_LOWERING_DAYS)
            organization.min_group_size_pending = requested
            organization.min_group_size_pending_at = applies_at
            k_change = (k_now, requested, applies_at)
        else:
            organization.min_group_size = requested
            organization.min_group_size_pending = None
            organization.min_group_size_pending_at = None
            k_change = (k_now, requested, now)
    elif "min_group_size" in changed and pending:
        # Set back to the k that applies: the lowering is cancelled.
        organization.min_group_size_pending = None
        organization.min_group_size_pending_at = None
        k_change = (k_now, k_now, now)
    organization.full_clean()
    organization.save()
    if changed:
        data: dict[str, object] = {"fields": changed}
        if k_change:
            data["min_group_size"] = {
                "from": k_change[0],
                "to": k_change[1],
                "applies_at": k_change[2].isoformat(),
            }
        audit_record(
            action="organization.settings_changed",
            actor=actor,
            organization=organization,
            target=organization,
            data=data,
            request=request,
        )
    if k_change and organization.min_group_size_pending is not None:
        _announce_k_lowering(
            organization=organization,
            actor=actor,
            old=k_now,
            new=organization.min_group_size_pending,
            applies_at=organization.min_group_size_pending_at or now,
        )
    return organization


def _announce_k_lowering(
    *,
    organization: Organization,
    actor: User,
    old: int,
    new: int,
    applies_at: datetime,
) -> None:
    """Tell every program admin, in the app and by email, that k is going down."""
    url = reverse("organizations:settings", kwargs={"org": organization.slug})
    when = date_format(timezone.localtime(applies_at), "DATETIME_FORMAT")
    message = _(
        "%(name)s lowered the smallest group shown in breakdowns from %(old)d to "
        "%(new)d. It applies on %(when)s unless a program admin sets it back before."
    ) % {"name": actor.name, "old": old, "new": new, "when": when}
    program_admins_notify(
        organization=organization,
        message=message,
        url=url,
        email_template="organizations/email/min_group_size_lowering",
        email_context={
            "actor_name": actor.name,
            "old": old,
            "new": new,
            "when": when,
            "full_url": settings.SITE_URL + url,
        },
    )


def _tell_admins_of_new_admin(
    membership: Membership, *, granted_by: User | None
) -> None:
    """Every other program admin hears that someone became one, and by whom, in the
    app and by email: a second account made admin (to approve one's own reveal, say)
    cannot go unseen."""
    organization = membership.organization
    if granted_by is not None:
        message = _("%(name)s was made a program admin of %(org)s by %(granter)s.") % {
            "name": membership.user.name,
            "org": organization.name,
            "granter": granted_by.name,
        }
    else:
        message = _("%(name)s was made a program admin of %(org)s.") % {
            "name": membership.user.name,
            "org": organization.name,
        }
    program_admins_notify(
        organization=organization,
        message=message,
        url=reverse("organizations:manage_members", kwargs={"org": organization.slug}),
        email_template="organizations/email/new_admin",
        exclude=membership,
    )


def program_admins_notify(
    *,
    organization: Organization,
    message: str,
    url: str,
    email_template: str,
    email_context: dict[str, Any] | None = None,
    exclude: Membership | None = None,
) -> int:
    """Tell every active program admin of `organization` (but `exclude`), in the app
    and by email: how changes that weaken a protection (a lower k, a new admin) are
    made visible to all of them. Returns how many were told."""
    admins = Membership.objects.for_organization(organization).admins().active()
    if exclude is not None:
        admins = admins.exclude(pk=exclude.pk)
    told = 0
    for admin in admins.select_related("user"):
        notification_send(
            user=admin.user,
            organization=organization,
            kind=Notification.Kind.ORGANIZATION,
            message=message,
            url=url,
            email_template=email_template,
            email_context=email_context,
        )
        told += 1
    return told


def _lock(organization: Organization) -> None:
    """Serialize changes to an organization's admins, so two admins cannot both step down."""
    Organization.objects.select_for_update().filter(pk=organization.pk).first()


def _ensure_another_admin(membership: Membership) -> None:
    others = (
        Membership.objects.for_organization(membership.organization)
        .admins()
        .exclude(pk=membership.pk)
    )
    if not others.exists():
        raise ValidationError(
            _(
                "%(name)s is the only program admin. Make someone else a program admin first."
            )
            % {"name": membership.user.name}
        )


@transaction.atomic
def membership_change_role(
    *,
    membership: Membership,
    role: str,
    actor: User,
    request: HttpRequest | None = None,
) -> Membership:
    if role not in Role.values:
        raise ValidationError(_("Unknown role."))
    _lock(membership.organization)
    membership.refresh_from_db(fields=("role",))
    if membership.role == role:
        return membership
    if membership.is_program_admin:
        _ensure_another_admin(membership)
    old = membership.role
    membership.role = role
    membership.role_granted_at = timezone.now()
    membership.role_granted_by = actor
    membership.save(update_fields=("role", "role_granted_at", "role_granted_by"))
    audit_record(
        action="membership.role_changed",
        actor=actor,
        organization=membership.organization,
        target=membership,
        data={"from": old, "to": role},
        request=request,
    )
    if role == Role.PROGRAM_ADMIN:
        _tell_admins_of_new_admin(membership, granted_by=actor)
    notification_send(
        user=membership.user,
        organization=membership.organization,
        kind=Notification.Kind.ORGANIZATION,
        message=_("Your role in %(org)s is now %(role)s.")
        % {"org": membership.organization.name, "role": membership.get_role_display()},
        url=reverse("organizations:home", kwargs={"org": membership.organization.slug}),
    )
    return membership


@transaction.atomic
def membership_remove(
    *, membership: Membership, actor: User, request: HttpRequest | None = None
) -> None:
    organization = membership.organization
    _lock(organization)
    membership.refresh_from_db(fields=("role",))
    if membership.is_program_admin:
        _ensure_another_admin(membership)
    user = membership.user
    audit_record(
        action="membership.removed",
        actor=actor,
        organization=organization,
        target=membership,
        data={"role": membership.role},
        request=request,
    )
    membership.delete()
    if user != actor:
        notification_send(
            user=user,
            organization=None,
            kind=Notification.Kind.ORGANIZATION,
            message=_("You are no longer a member of %(org)s.")
            % {"org": organization.name},
        )


@transaction.atomic
def organization_join(
    *, organization: Organization, user: User, request: HttpRequest | None = None
) -> Membership:
    """Join an organization open to one of the user's verified email domains."""
    if Membership.objects.filter(organization=organization, user=user).exists():
        raise ValidationError(
            _("You are already a member of %(org)s.") % {"org": organization.name}
        )
    if organization not in Organization.objects.filter(pk=organization.pk).joinable_by(
        user
    ):
        raise ValidationError(
            _("None of your verified email addresses lets you join %(org)s.")
            % {"org": organization.name}
        )
    membership = Membership.objects.create(
        organization=organization, user=user, role=Role.MEMBER, role_granted_by=user
    )
    audit_record(
        action="membership.joined_by_domain",
        actor=user,
        organization=organization,
        target=membership,
        request=request,
    )
    return membership


def _member_with_email(organization: Organization, email: str) -> bool:
    return (
        Membership.objects.filter(organization=organization)
        .filter(
            Q(user__email__iexact=email) | Q(user__emailaddress__email__iexact=email)
        )
        .exists()
    )


def _send_invitation(invitation: Invitation, token: str) -> None:
    inviter = invitation.invited_by
    queue_email(
        to=invitation.email,
        template="organizations/email/invitation",
        context={
            "organization_name": invitation.organization.name,
            "inviter_name": inviter.name if inviter else "",
            "invitee_name": invitation.name,
            "role": invitation.get_role_display(),
            "url": reverse("organizations:invitation_open", kwargs={"token": token}),
            "expires_at": invitation.expires_at,
        },
    )


@transaction.atomic
def invitation_create(
    *,
    organization: Organization,
    email: str,
    invited_by: User,
    role: str = Role.MEMBER,
    name: str = "",
    request: HttpRequest | None = None,
) -> Invitation:
    """Invite someone by email. An open invitation to the same address gets a fresh link."""
    email = email.strip().lower()
    if role not in Role.values:
        raise ValidationError(_("Unknown role."))
    if _member_with_email(organization, email):
        raise ValidationError(_("%(email)s is already a member.") % {"email": email})
    invitation = (
        Invitation.objects.select_for_update()
        .for_organization(organization)
        .open()
        .filter(email=email)
        .first()
    )
    if invitation is None:
        invitation = Invitation(organization=organization, email=email)
    invitation.role = role
    invitation.name = name.strip()
    invitation.invited_by = invited_by
    token = invitation.issue_token()
    invitation.full_clean()
    invitation.save()
    audit_record(
        action="invitation.sent",
        actor=invited_by,
        organization=organization,
        target=invitation,
        data={"role": role},
        request=request,
    )
    _send_invitation(invitation, token)
    return invitation


@transaction.atomic
def invitations_import(
    *,
    organization: Organization,
    invitees: list[Invitee],
    invited_by: User,
    request: HttpRequest | None = None,
) -> list[Invitation]:
    """Invite everyone from a checked CSV file: all of them, or (on any error) none."""
    invitations = [
        invitation_create(
            organization=organization,
            email=invitee.email,
            role=invitee.role,
            name=invitee.name,
            invited_by=invited_by,
        )
        for invitee in invitees
    ]
    audit_record(
        action="invitation.imported",
        actor=invited_by,
        organization=organization,
        data={"count": len(invitations)},
        request=request,
    )
    return invitations


@transaction.atomic
def invitation_resend(
    *, invitation: Invitation, actor: User, request: HttpRequest | None = None
) -> Invitation:
    """Send a fresh link (the old one stops working) with a new expiry date."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at or invitation.revoked_at:
        raise ValidationError(_("This invitation was already used or revoked."))
    token = invitation.issue_token()
    invitation.save(update_fields=("token_digest", "sent_at", "expires_at"))
    audit_record(
        action="invitation.resent",
        actor=actor,
        organization=invitation.organization,
        target=invitation,
        request=request,
    )
    _send_invitation(invitation, token)
    return invitation


@transaction.atomic
def invitation_revoke(
    *, invitation: Invitation, actor: User, request: HttpRequest | None = None
) -> Invitation:
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at or invitation.revoked_at:
        raise ValidationError(_("This invitation was already used or revoked."))
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=("revoked_at",))
    audit_record(
        action="invitation.revoked",
        actor=actor,
        organization=invitation.organization,
        target=invitation,
        request=request,
    )
    return invitation


def invitation_for_token(token: str) -> Invitation:
    """Return the invitation a link points to, or raise InvitationUnavailable."""
    invitation = (
        Invitation.objects.by_token(token)
        .select_related("organization", "invited_by")
        .first()
    )
    _check_usable(invitation)
    assert invitation is not None
    return invitation


def _check_usable(invitation: Invitation | None) -> None:
    if invitation is None:
        raise InvitationUnavailable(
            _(
                "This invitation link is not valid. Check that you copied the whole link, "
                "or ask for a new invitation."
            )
        )
    if invitation.accepted_at is not None:
        raise InvitationUnavailable(
            _("This invitation has already been used. Each link works once.")
        )
    if invitation.revoked_at is not None:
        raise InvitationUnavailable(_("This invitation was withdrawn."))
    if invitation.is_expired:
        raise InvitationUnavailable(
            _(
                "This invitation has expired. Ask a program admin of %(org)s to send a new one."
            )
            % {"org": invitation.organization.name}
        )


@transaction.atomic
def invitation_accept(
    *, token: str, user: User, request: HttpRequest | None = None
) -> Membership:
    """Use an invitation: the signed-in user joins with the invited role (once)."""
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .by_token(token)
        .select_related("organization", "invited_by")
        .first()
    )
    _check_usable(invitation)
    assert invitation is not None
    organization = invitation.organization
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=("accepted_at", "accepted_by"))
    membership, created = Membership.objects.get_or_create(
        organization=organization,
        user=user,
        defaults={"role": invitation.role, "role_granted_by": invitation.invited_by},
    )
    audit_record(
        action="invitation.accepted",
        actor=user,
        organization=organization,
        target=invitation,
        data={"role": membership.role, "new_member": created},
        request=request,
    )
    if created and membership.is_program_admin:
        _tell_admins_of_new_admin(membership, granted_by=invitation.invited_by)
    if created and invitation.invited_by and invitation.invited_by != user:
        notification_send(
            user=invitation.invited_by,
            organization=organization,
            kind=Notification.Kind.ORGANIZATION,
            message=_("%(name)s accepted your invitation to %(org)s.")
            % {"name": user.name, "org": organization.name},
            url=reverse("organizations:members", kwargs={"org": organization.slug}),
        )
    return membership
