"""Who moderates a space, and the members who work its queue."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from alongside.circles.models import CircleMembership
from alongside.dialogue.models import Space
from alongside.organizations.models import Membership, Role

if TYPE_CHECKING:
    from alongside.accounts.models import User
    from alongside.organizations.models import Organization


def membership_of(organization_id: int, user: User) -> Membership | None:
    return Membership.objects.of(user, organization_id).first()


def can_moderate(space: Space, user: User) -> bool:
    membership = membership_of(space.organization_id, user)
    return membership is not None and space.can_moderate(membership)


def require_moderator(space: Space, user: User) -> None:
    if not can_moderate(space, user):
        raise PermissionDenied


def moderates_anything(membership: Membership) -> bool:
    return (
        membership.is_facilitator
        or Space.objects.moderated_by(membership).filter(circle__isnull=False).exists()
    )


def organization_moderators(organization: Organization) -> QuerySet[User]:
    from alongside.accounts.models import User

    return User.objects.filter(
        is_active=True,
        pk__in=Membership.objects.for_organization(organization)
        .filter(role__in=(Role.FACILITATOR, Role.PROGRAM_ADMIN))
        .values("user_id"),
    )


def moderators_of(space: Space) -> QuerySet[User]:
    """Active members who moderate `space`."""
    from alongside.accounts.models import User

    members = Membership.objects.for_organization(space.organization_id)
    if space.circle_id is None:
        ids = members.filter(role__in=(Role.FACILITATOR, Role.PROGRAM_ADMIN))
    else:
        ids = members.filter(
            user_id__in=CircleMembership.objects.facilitators()
            .filter(circle_id=space.circle_id)
            .values("user_id")
        )
    return User.objects.filter(is_active=True, pk__in=ids.values("user_id"))
