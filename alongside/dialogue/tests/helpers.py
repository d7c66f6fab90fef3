from __future__ import annotations

from typing import TYPE_CHECKING, Any

from alongside.circles.models import Circle, CircleMembership
from alongside.dialogue import services
from alongside.dialogue.models import Post, Space

if TYPE_CHECKING:
    from alongside.accounts.models import User
    from alongside.organizations.models import Organization


def make_space(
    organization: Organization,
    *,
    circle: Circle | None = None,
    accepted: tuple[User, ...] = (),
    **fields: Any,
) -> Space:
    fields.setdefault("name", "Open conversation")
    fields.setdefault("guidelines", "Be kind.")
    space = Space.objects.create(organization=organization, circle=circle, **fields)
    for user in accepted:
        services.guidelines_accept(space, user)
    return space


def make_circle(
    organization: Organization,
    *,
    facilitator: User,
    members: tuple[User, ...] = (),
    kind: str = Circle.Kind.SUPPORT,
    listing: str = Circle.Listing.UNLISTED,
    slug: str = "support",
) -> Circle:
    circle = Circle.objects.create(
        organization=organization,
        name=f"Circle {slug}",
        slug=slug,
        kind=kind,
        listing=listing,
        join_policy=Circle.JoinPolicy.INVITATION
        if listing == Circle.Listing.UNLISTED
        else Circle.JoinPolicy.OPEN,
    )
    CircleMembership.objects.create(
        circle=circle, user=facilitator, role=CircleMembership.Role.FACILITATOR
    )
    for user in members:
        CircleMembership.objects.create(circle=circle, user=user)
    return circle


def start(space: Space, author: User, body: str = "Hello", title: str = "Hi") -> Post:
    return services.thread_start(space=space, author=author, title=title, body=body)
