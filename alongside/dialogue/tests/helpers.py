from __future__ import annotations

from typing import TYPE_CHECKING, Any

from alongside.circles.models import Circle, CircleMembership
from alongside.dialogue import services
from alongside.dialogue.models import MemberTrust, Post, Space

if TYPE_CHECKING:
    from alongside.accounts.models import User
    from alongside.organizations.models import Organization


def make_space(
    organization: Organization,
    *,
    circle: Circle | None = None,
    accepted: tuple[User, ...] = (),
    established: bool = True,
    **fields: Any,
) -> Space:
    """A space whose `accepted` members accepted the guidelines and, unless
    `established` is False, are past the new-member stage (trust level 1: their posts
    publish at once, under the regular rate limits; see test_trust for level 0)."""
    fields.setdefault("name", "Open conversation")
    fields.setdefault("guidelines", "Be kind.")
    space = Space.objects.create(organization=organization, circle=circle, **fields)
    for user in accepted:
        services.guidelines_accept(space, user)
    if established:
        establish(organization, *accepted)
    return space


def establish(
    organization: Organization, *users: User, level: int = MemberTrust.Level.BASIC
) -> None:
    """Give `users` a trust level in the organization (1 by default)."""
    for user in users:
        MemberTrust.objects.update_or_create(
            organization=organization, user=user, defaults={"level": level}
        )


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


def sign_in_recently(client: Any, user: User) -> None:
    """Log `user` in on the test client as if he had just typed his password: safe
    spaces ask for a sign-in in the last ten minutes before acting as a pseudonym
    (allauth keeps the record of this session's authentications)."""
    import time

    from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY

    client.force_login(user)
    session = client.session
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [
        {"method": "password", "at": time.time(), "email": user.email}
    ]
    session["account_authentication_methods_user"] = str(user.pk)
    session.save()


def reviewed(space: Space, *users: User) -> None:
    """Give `users` a pseudonym in the safe space `space` whose posts publish at once,
    as if a moderator had approved one of its posts (every new pseudonym's posts are
    held until then, whoever owns it: see test_trust for the gate itself)."""
    from alongside.dialogue import safespace

    for user in users:
        pseudonym = safespace.pseudonym_for(space, user)
        assert pseudonym is not None
        type(pseudonym).objects.filter(pk=pseudonym.pk).update(reviewed=True)
