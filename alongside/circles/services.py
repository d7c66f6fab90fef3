"""Writes on circles: each in one transaction, with its business rules.

Refusals raise `django.core.exceptions.ValidationError` with a message meant for people;
an act the actor may not do at all raises `NotAllowed` (views answer 404 before that).
Facilitator acts are recorded in the organization's audit log.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from alongside.audit.services import audit_record
from alongside.circles.models import (
    RESERVED_SLUGS,
    Circle,
    CircleInvitation,
    CircleMembership,
    Goal,
    JoinRequest,
    ProgressUpdate,
)
from alongside.notifications.models import Notification
from alongside.notifications.services import notification_send
from alongside.organizations.models import Membership

if TYPE_CHECKING:
    from django.http import HttpRequest

    from alongside.accounts.models import User
    from alongside.organizations.models import Organization


class NotAllowed(PermissionDenied):
    """The actor has no right to this act (not a facilitator, not a member...)."""


def _lock(circle: Circle) -> None:
    """Serialize membership changes of one circle (roles, joins, departures)."""
    Circle.objects.select_for_update().filter(pk=circle.pk).first()


def _is_org_member(user: User, organization: Organization) -> bool:
    return organization.has_member(user)


def _require_facilitator(circle: Circle, actor: User) -> None:
    if not circle.is_facilitator(actor):
        raise NotAllowed


def _require_active(circle: Circle) -> None:
    if circle.is_archived:
        raise ValidationError(_("This circle is archived."))


def _circle_url(circle: Circle) -> str:
    return circle.get_absolute_url()


def _notify(
    *,
    user: User,
    circle: Circle,
    message: str,
    url: str,
    email_template: str | None = None,
    email_context: dict[str, object] | None = None,
) -> None:
    notification_send(
        user=user,
        organization=circle.organization,
        kind=Notification.Kind.ORGANIZATION,
        message=message,
        url=url,
        email_template=email_template,
        email_context={
            "circle": circle,
            "full_url": settings.SITE_URL + url,
            **(email_context or {}),
        },
    )


def unique_slug(organization: Organization, name: str) -> str:
    base = slugify(name)[:50].strip("-") or "circle"
    taken = set(
        Circle.objects.filter(organization=organization).values_list("slug", flat=True)
    )
    candidate, n = base, 1
    while candidate in taken or candidate in RESERVED_SLUGS:
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def _check_policy(circle: Circle) -> None:
    if (
        circle.listing == Circle.Listing.UNLISTED
        and circle.join_policy != Circle.JoinPolicy.INVITATION
    ):
        raise ValidationError(
            {
                "join_policy": _(
                    "Nobody can find an unlisted circle, so it can only be joined by invitation."
                )
            }
        )


# Circles -------------------------------------------------------------------------------


@transaction.atomic
def circle_create(
    *,
    organization: Organization,
    creator: User,
    name: str,
    kind: str,
    description: str = "",
    join_policy: str = Circle.JoinPolicy.REQUEST,
    listing: str = Circle.Listing.LISTED,
    request: HttpRequest | None = None,
) -> Circle:
    """Program admins and facilitators of the organization start circles; the creator
    becomes the circle's first facilitator."""
    membership = Membership.objects.of(creator, organization).first()
    if membership is None or not membership.is_facilitator:
        raise NotAllowed
    circle = Circle(
        organization=organization,
        name=name.strip(),
        slug=unique_slug(organization, name),
        kind=kind,
        description=description,
        join_policy=join_policy,
        listing=listing,
        created_by=creator,
    )
    _check_policy(circle)
    circle.full_clean()
    try:
        with transaction.atomic():
            circle.save()
    except IntegrityError:  # a circle of the same name was created at the same time
        circle.slug = unique_slug(organization, f"{name} {timezone.now():%H%M%S}")
        circle.save()
    CircleMembership.objects.create(
        circle=circle, user=creator, role=CircleMembership.Role.FACILITATOR
    )
    audit_record(
        action="circle.created",
        actor=creator,
        organization=organization,
        target=circle,
        data={"name": circle.name, "kind": circle.kind, "listing": circle.listing},
        request=request,
    )
    return circle


@transaction.atomic
def circle_update(
    *, circle: Circle, actor: User, request: HttpRequest | None = None
) -> Circle:
    """Save a facilitator's edits of name, kind, description, policy and listing.

    The slug (the circle's links) does not change with the name.
    """
    _require_facilitator(circle, actor)
    _check_policy(circle)
    circle.full_clean()
    circle.save()
    audit_record(
        action="circle.edited",
        actor=actor,
        organization=circle.organization,
        target=circle,
        data={"name": circle.name, "kind": circle.kind, "listing": circle.listing},
        request=request,
    )
    return circle


@transaction.atomic
def circle_set_archived(
    *,
    circle: Circle,
    archived: bool,
    actor: User,
    request: HttpRequest | None = None,
) -> Circle:
    _require_facilitator(circle, actor)
    _archive(circle, archived)
    audit_record(
        action="circle.archived" if archived else "circle.reopened",
        actor=actor,
        organization=circle.organization,
        target=circle,
        data={"name": circle.name},
        request=request,
    )
    return circle


def _archive(circle: Circle, archived: bool) -> None:
    if circle.is_archived == archived:
        return
    circle.is_archived = archived
    circle.archived_at = timezone.now() if archived else None
    circle.save(update_fields=("is_archived", "archived_at"))
    if archived:
        # Nothing can be answered in an archived circle: close what was open.
        now = timezone.now()
        circle.join_requests.pending().update(
            status=JoinRequest.Status.WITHDRAWN, decided_at=now
        )
        circle.invitations.pending().update(
            status=CircleInvitation.Status.WITHDRAWN, answered_at=now
        )


# Joining -------------------------------------------------------------------------------


def _add_member(circle: Circle, user: User) -> CircleMembership:
    """Make `user` a member (idempotent), closing his open request and invitation."""
    membership, _created = CircleMembership.objects.get_or_create(
        circle=circle, user=user
    )
    now = timezone.now()
    circle.join_requests.pending().filter(user=user).update(
        status=JoinRequest.Status.APPROVED, decided_at=now
    )
    circle.invitations.pending().filter(invitee=user).update(
        status=CircleInvitation.Status.ACCEPTED, answered_at=now
    )
    return membership


@transaction.atomic
def circle_join(*, circle: Circle, user: User) -> CircleMembership:
    """Join an open circle, or one the user holds a pending invitation to.

    Joining twice is harmless: the existing membership is returned.
    """
    _lock(circle)
    existing = circle.membership_of(user)
    if existing is not None:
        return existing
    if not _is_org_member(user, circle.organization):
        raise NotAllowed
    _require_active(circle)
    invited = circle.invitations.pending().filter(invitee=user).exists()
    if circle.join_policy != Circle.JoinPolicy.OPEN and not invited:
        if not circle.is_listed:
            raise NotAllowed
        raise ValidationError(
            _("This circle is not open: ask to join, or wait for an invitation.")
        )
    return _add_member(circle, user)


@transaction.atomic
def join_request_create(
    *, circle: Circle, user: User, message: str = ""
) -> JoinRequest:
    """Ask to join a circle by request. Asking again returns the pending request."""
    _lock(circle)
    if not _is_org_member(user, circle.organization) or not circle.is_listed:
        raise NotAllowed
    _require_active(circle)
    if circle.is_member(user):
        raise ValidationError(_("You are already a member of this circle."))
    if circle.join_policy != Circle.JoinPolicy.REQUEST:
        raise ValidationError(_("This circle does not take requests to join."))
    pending = circle.join_requests.pending().filter(user=user).first()
    if pending is not None:
        return pending
    join_request = JoinRequest(circle=circle, user=user, message=message.strip())
    join_request.full_clean()
    join_request.save()
    url = reverse(
        "circles:requests",
        kwargs={"org": circle.organization.slug, "circle": circle.slug},
    )
    for facilitation in circle.facilitators():
        _notify(
            user=facilitation.user,
            circle=circle,
            message=_("%(name)s asks to join %(circle)s.")
            % {"name": user.name, "circle": circle.name},
            url=url,
        )
    return join_request


@transaction.atomic
def join_request_withdraw(*, join_request: JoinRequest, user: User) -> None:
    if join_request.user_id != user.pk:
        raise NotAllowed
    JoinRequest.objects.filter(
        pk=join_request.pk, status=JoinRequest.Status.PENDING
    ).update(status=JoinRequest.Status.WITHDRAWN, decided_at=timezone.now())


@transaction.atomic
def join_request_decide(
    *,
    join_request: JoinRequest,
    approve: bool,
    actor: User,
    request: HttpRequest | None = None,
) -> JoinRequest:
    circle = join_request.circle
    _require_facilitator(circle, actor)
    _lock(circle)
    join_request.refresh_from_db()
    if join_request.status != JoinRequest.Status.PENDING:
        raise ValidationError(_("This request was already answered."))
    user = join_request.user
    if approve:
        _require_active(circle)
        if not _is_org_member(user, circle.organization):
            raise ValidationError(
                _("%(name)s is no longer a member of the organization.")
                % {"name": user.name}
            )
        _add_member(circle, user)
    join_request.status = (
        JoinRequest.Status.APPROVED if approve else JoinRequest.Status.DECLINED
    )
    join_request.decided_at = timezone.now()
    join_request.decided_by = actor
    join_request.save(update_fields=("status", "decided_at", "decided_by"))
    audit_record(
        action="circle.request_approved" if approve else "circle.request_declined",
        actor=actor,
        organization=circle.organization,
        target=join_request,
        data={"circle": circle.name},
        request=request,
    )
    if approve:
        message = _("Welcome: your request to join %(circle)s was approved.")
        url = _circle_url(circle)
    else:
        message = _("Your request to join %(circle)s was declined.")
        url = (
            reverse("circles:directory", kwargs={"org": circle.organization.slug})
            if circle.is_listed
            else ""
        )
    _notify(
        user=user,
        circle=circle,
        message=message % {"circle": circle.name},
        url=url,
        email_template="circles/email/request_decided",
        email_context={"approved": approve},
    )
    return join_request


# Invitations ---------------------------------------------------------------------------


@transaction.atomic
def circle_invitation_create(
    *,
    circle: Circle,
    invitee: User,
    actor: User,
    request: HttpRequest | None = None,
) -> CircleInvitation:
    """Invite a member of the organization. Inviting again returns the pending one."""
    _require_facilitator(circle, actor)
    _lock(circle)
    _require_active(circle)
    if not _is_org_member(invitee, circle.organization):
        raise ValidationError(
            {"invitee": _("Only members of the organization can be invited.")}
        )
    if circle.is_member(invitee):
        raise ValidationError(
            {
                "invitee": _("%(name)s is already in this circle.")
                % {"name": invitee.name}
            }
        )
    pending = circle.invitations.pending().filter(invitee=invitee).first()
    if pending is not None:
        return pending
    invitation = CircleInvitation.objects.create(
        circle=circle, invitee=invitee, invited_by=actor
    )
    audit_record(
        action="circle.member_invited",
        actor=actor,
        organization=circle.organization,
        target=invitation,
        data={"circle": circle.name},
        request=request,
    )
    url = reverse("circles:invitations", kwargs={"org": circle.organization.slug})
    _notify(
        user=invitee,
        circle=circle,
        message=_("%(name)s invites you to the circle %(circle)s.")
        % {"name": actor.name, "circle": circle.name},
        url=url,
        email_template="circles/email/invited",
        email_context={"inviter": actor.name},
    )
    return invitation


@transaction.atomic
def circle_invitation_answer(
    *, invitation: CircleInvitation, accept: bool, user: User
) -> CircleMembership | None:
    if invitation.invitee_id != user.pk:
        raise NotAllowed
    circle = invitation.circle
    _lock(circle)
    invitation.refresh_from_db()
    if invitation.status != CircleInvitation.Status.PENDING:
        raise ValidationError(_("This invitation is no longer open."))
    if not accept:
        invitation.status = CircleInvitation.Status.DECLINED
        invitation.answered_at = timezone.now()
        invitation.save(update_fields=("status", "answered_at"))
        return None
    _require_active(circle)
    if not _is_org_member(user, circle.organization):
        raise NotAllowed
    return _add_member(circle, user)


@transaction.atomic
def circle_invitation_withdraw(
    *,
    invitation: CircleInvitation,
    actor: User,
    request: HttpRequest | None = None,
) -> None:
    circle = invitation.circle
    _require_facilitator(circle, actor)
    changed = CircleInvitation.objects.filter(
        pk=invitation.pk, status=CircleInvitation.Status.PENDING
    ).update(status=CircleInvitation.Status.WITHDRAWN, answered_at=timezone.now())
    if changed:
        audit_record(
            action="circle.invitation_withdrawn",
            actor=actor,
            organization=circle.organization,
            target=invitation,
            data={"circle": circle.name},
            request=request,
        )


# Membership changes ----------------------------------------------------------------------


def _other_facilitators(membership: CircleMembership) -> bool:
    return (
        CircleMembership.objects.facilitators()
        .filter(circle_id=membership.circle_id)
        .exclude(pk=membership.pk)
        .exists()
    )


@transaction.atomic
def circle_leave(*, circle: Circle, user: User) -> None:
    """Leave a circle. The last facilitator hands over first, unless he is the last
    member: then the circle is archived as he leaves."""
    _lock(circle)
    membership = circle.membership_of(user)
    if membership is None:
        return
    others = circle.memberships.exclude(pk=membership.pk).exists()
    if membership.is_facilitator and others and not _other_facilitators(membership):
        raise ValidationError(
            _(
                "You are this circle's only facilitator. Make another member a facilitator before you leave."
            )
        )
    membership.delete()
    if not others:
        _archive(circle, True)


@transaction.atomic
def circle_member_remove(
    *,
    membership: CircleMembership,
    actor: User,
    request: HttpRequest | None = None,
) -> None:
    circle = membership.circle
    _require_facilitator(circle, actor)
    _lock(circle)
    if membership.user_id == actor.pk:
        raise ValidationError(_("To leave the circle yourself, use “Leave”."))
    user = membership.user
    audit_record(
        action="circle.member_removed",
        actor=actor,
        organization=circle.organization,
        target=membership,
        data={"circle": circle.name, "role": membership.role},
        request=request,
    )
    membership.delete()
    _notify(
        user=user,
        circle=circle,
        message=_("You are no longer a member of the circle %(circle)s.")
        % {"circle": circle.name},
        url="",
    )


@transaction.atomic
def circle_member_set_role(
    *,
    membership: CircleMembership,
    role: str,
    actor: User,
    request: HttpRequest | None = None,
) -> CircleMembership:
    circle = membership.circle
    _require_facilitator(circle, actor)
    if role not in CircleMembership.Role.values:
        raise ValidationError(_("Unknown role."))
    _lock(circle)
    membership.refresh_from_db(fields=("role",))
    if membership.role == role:
        return membership
    if membership.is_facilitator and not _other_facilitators(membership):
        raise ValidationError(
            _("A circle needs a facilitator: make someone else a facilitator first.")
        )
    old = membership.role
    membership.role = role
    membership.save(update_fields=("role",))
    audit_record(
        action="circle.role_changed",
        actor=actor,
        organization=circle.organization,
        target=membership,
        data={"circle": circle.name, "from": old, "to": role},
        request=request,
    )
    if membership.user_id != actor.pk:
        _notify(
            user=membership.user,
            circle=circle,
            message=_("You are now %(role)s of the circle %(circle)s.")
            % {"role": membership.get_role_display().lower(), "circle": circle.name},
            url=_circle_url(circle),
        )
    return membership


def ensure_facilitator(circle: Circle) -> None:
    """Keep the rule that a circle with members has a facilitator.

    When the last facilitator is gone (he left the organization or erased his account),
    the longest-standing member takes over and is told; a circle nobody is left in is
    archived.
    """
    memberships = circle.memberships.select_related("user")
    if memberships.facilitators().exists():
        return
    successor = memberships.order_by("joined_at", "id").first()
    if successor is None:
        _archive(circle, True)
        return
    successor.role = CircleMembership.Role.FACILITATOR
    successor.save(update_fields=("role",))
    audit_record(
        action="circle.facilitator_handed_over",
        organization=circle.organization,
        target=successor,
        data={"circle": circle.name},
    )
    _notify(
        user=successor.user,
        circle=circle,
        message=_(
            "The circle %(circle)s lost its last facilitator; as its longest-standing member you are now its facilitator."
        )
        % {"circle": circle.name},
        url=_circle_url(circle),
    )


@transaction.atomic
def circles_leave_organization(*, user: User, organization: Organization) -> None:
    """Someone left the organization: his circle memberships, requests and
    invitations there go, and every circle keeps a facilitator."""
    circles = list(
        Circle.objects.for_organization(organization).filter(memberships__user=user)
    )
    CircleMembership.objects.filter(
        user=user, circle__organization=organization
    ).delete()
    JoinRequest.objects.filter(user=user, circle__organization=organization).delete()
    CircleInvitation.objects.filter(
        invitee=user, circle__organization=organization
    ).delete()
    for circle in circles:
        ensure_facilitator(circle)


# Project circles: goals and progress updates --------------------------------------------


def _require_project_member(circle: Circle, user: User) -> None:
    if not circle.is_project or not circle.is_member(user):
        raise NotAllowed
    _require_active(circle)


@transaction.atomic
def goal_save(*, goal: Goal, actor: User) -> Goal:
    """Members of a project circle add and edit its goals."""
    _require_project_member(goal.circle, actor)
    if goal._state.adding:
        goal.created_by = actor
    goal.full_clean()
    goal.save()
    return goal


@transaction.atomic
def goal_set_status(*, goal: Goal, done: bool, actor: User) -> Goal:
    _require_project_member(goal.circle, actor)
    goal.status = Goal.Status.DONE if done else Goal.Status.OPEN
    goal.completed_at = timezone.now() if done else None
    goal.save(update_fields=("status", "completed_at"))
    return goal


@transaction.atomic
def goal_delete(*, goal: Goal, actor: User) -> None:
    """Only facilitators delete goals (members mark them done or edit them)."""
    _require_facilitator(goal.circle, actor)
    goal.delete()


@transaction.atomic
def progress_update_create(
    *, circle: Circle, author: User, body: str
) -> ProgressUpdate:
    _require_project_member(circle, author)
    update = ProgressUpdate(circle=circle, author=author, body=body.strip())
    update.full_clean()
    update.save()
    return update


@transaction.atomic
def progress_update_delete(*, update: ProgressUpdate, actor: User) -> None:
    """The author, or a facilitator, deletes an update."""
    if update.author_id != actor.pk and not update.circle.is_facilitator(actor):
        raise NotAllowed
    update.delete()
