from __future__ import annotations

from typing import Any

from alongside.accounts.models import User
from alongside.circles.models import Circle, CircleMembership
from alongside.organizations.models import Organization


def make_circle(
    organization: Organization,
    facilitator: User,
    *,
    members: tuple[User, ...] = (),
    **fields: Any,
) -> Circle:
    """A circle with `facilitator` as its facilitator and `members` as members."""
    name = fields.pop("name", "Men for fair rotas")
    fields.setdefault("slug", name.lower().replace(" ", "-"))
    fields.setdefault("kind", Circle.Kind.ADVOCACY)
    circle = Circle.objects.create(
        organization=organization, name=name, created_by=facilitator, **fields
    )
    CircleMembership.objects.create(
        circle=circle, user=facilitator, role=CircleMembership.Role.FACILITATOR
    )
    for member in members:
        CircleMembership.objects.create(circle=circle, user=member)
    return circle
