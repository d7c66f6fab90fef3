"""The organization home page's circles section loads its own data through this tag."""

from __future__ import annotations

from typing import Any

from django import template

from alongside.accounts.models import User
from alongside.circles.models import Circle, CircleInvitation
from alongside.organizations.models import Organization

register = template.Library()

HOME_CIRCLES = 5


@register.simple_tag
def circles_for_home(organization: Organization, user: User) -> dict[str, Any]:
    """The viewer's active circles (a few), how many in all, and invitations waiting."""
    mine = (
        Circle.objects.for_organization(organization)
        .active()
        .of_member(user)
        .select_related("organization")
    )
    return {
        "circles": list(mine[:HOME_CIRCLES]),
        "total": mine.count(),
        "invitations": CircleInvitation.objects.pending()
        .filter(invitee=user, circle__organization=organization)
        .filter(circle__is_archived=False)
        .count(),
    }
