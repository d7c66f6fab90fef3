"""Announcing a published post: its thread's followers and the members it mentions
hear of it. Called by `services` when a post is published at once and by
`moderation.approve` when a moderator publishes a held one (so neither of them imports
the other)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _

from alongside.circles.models import CircleMembership
from alongside.dialogue import safespace
from alongside.dialogue.models import (
    DigestSubscription,
    Post,
    Pseudonym,
    Space,
    Subscription,
)
from alongside.notifications.models import Notification
from alongside.notifications.services import notice_send, notification_send
from alongside.organizations.models import Membership

if TYPE_CHECKING:
    from alongside.accounts.models import User


# "@alice-ally": letters, digits and hyphens after an @ that does not follow a word
# character (so email addresses are not mentions).
MENTION = re.compile(r"(?<![\w@])@([\w][\w-]{0,79})", re.UNICODE)


MAX_MENTIONS_PER_POST = 20


def mention_handle(user: User) -> str:
    """The handle others type to mention `user`: his display name, slugified."""
    return slugify(user.name)


def announce_post(post: Post, *, author: User | None) -> None:
    """Tell the thread's followers and the members mentioned of a published post.

    In a safe space `author` is None for a pseudonymous post (moderation.approve
    passes `post.author`); the pseudonym's own follow is left out, and only
    `@pseudonym-handle` mentions count (see `mentioned_pseudonym_owners`). News of a
    safe space goes to the reader's pseudonym, never to him (`_notify`)."""
    thread, body = post.thread, post.body
    # (member, the pseudonym his notice is addressed to, in a safe space)
    mentioned: list[tuple[User, Pseudonym | None]]
    if post.pseudonym_id is not None:
        if author is None:
            author = safespace.owner_of(post.pseudonym)  # type: ignore[arg-type]
        mentioned = list(_mentioned_pseudonyms(post))
    else:
        mentioned = (
            [(u, None) for u in mentioned_members(thread.space, body, exclude=author)]
            if author is not None
            else []
        )
    exclude = {u.pk for u, _p in mentioned} | (
        {author.pk} if author is not None else set()
    )
    _notify_subscribers(post, exclude=exclude)
    for user, pseudonym in mentioned:
        _notify(
            user,
            post,
            _("%(name)s mentioned you in “%(thread)s”")
            % {"name": post.display_author_for(user), "thread": thread.title},
            pseudonym=pseudonym,
        )


def audience(space: Space) -> QuerySet[User]:
    """Active members of the organization who may see `space` (a lazy queryset)."""
    from alongside.accounts.models import User

    users = User.objects.filter(
        is_active=True,
        pk__in=Membership.objects.for_organization(space.organization_id).values(
            "user_id"
        ),
    )
    circle = space.circle
    if circle is not None and not circle.is_listed:
        users = users.filter(
            pk__in=CircleMembership.objects.filter(circle=circle).values("user_id")
        )
    return users


def mentioned_members(space: Space, body: str, *, exclude: User) -> list[User]:
    """Members named by `@handle` in `body` who can see `space` (others are ignored:
    a mention never tells anyone that a space exists)."""
    handles = {m.lower() for m in MENTION.findall(body)}
    if not handles:
        return []
    found = [
        user
        for user in audience(space).order_by("id")
        if user.pk != exclude.pk and mention_handle(user) in handles
    ]
    return found[:MAX_MENTIONS_PER_POST]


def mentioned_pseudonym_owners(post: Post) -> list[User]:
    """In a safe space, `@steady-heron-27` names another pseudonym of the space: its
    owner hears of it (found through the sealed link). Members' real names are never
    resolved there, so a mention cannot tie a real name to the space's posts."""
    return [owner for owner, _pseudonym in _mentioned_pseudonyms(post)]


def _mentioned_pseudonyms(post: Post) -> list[tuple[User, Pseudonym]]:
    handles = {m.lower() for m in MENTION.findall(post.body)}
    if not handles:
        return []
    space = post.thread.space
    found: list[tuple[User, Pseudonym]] = []
    viewers = audience(space)
    for pseudonym in Pseudonym.objects.filter(space=space).exclude(
        pk__in=[post.pseudonym_id]
    ):
        if slugify(pseudonym.handle) not in handles:
            continue
        owner = safespace.owner_of(pseudonym)
        if owner is not None and viewers.filter(pk=owner.pk).exists():
            found.append((owner, pseudonym))
        if len(found) >= MAX_MENTIONS_PER_POST:
            break
    return found


def _notify(
    user: User,
    post: Post,
    message: str,
    *,
    email: bool = True,
    pseudonym: Pseudonym | None = None,
) -> None:
    """Tell `user` of `post`. In a safe space the notice is addressed to his
    `pseudonym` there (no row ties him to the post) and its email is only the daily
    "news in a safe space"."""
    thread = post.thread
    url = reverse(
        "dialogue:post",
        kwargs={"org": thread.space.organization.slug, "post_uid": post.uid},
    )
    if pseudonym is not None:
        notice_send(
            address=str(pseudonym.pk),
            user=user,
            organization=thread.space.organization,
            message=message,
            url=url,
            email=email,
        )
        return
    notification_send(
        user=user,
        organization=thread.space.organization,
        kind=Notification.Kind.ORGANIZATION,
        message=message,
        url=url,
        email_template="dialogue/email/new_post" if email else None,
        email_context={"thread": thread, "post": post},
    )


def _notify_subscribers(post: Post, *, exclude: set[int]) -> None:
    """Followers of the thread hear of the post; those who chose the space's daily
    digest get it in the app now and by email in the digest. Followers who can no
    longer see the space (they left its circle) hear nothing."""
    thread = post.thread
    space = thread.space
    digest_users = set(
        DigestSubscription.objects.filter(space=space).values_list("user_id", flat=True)
    )
    subscriptions = (
        Subscription.objects.filter(
            thread=thread, user_id__in=audience(space).values("pk")
        )
        .exclude(user_id__in=exclude)
        .select_related("user")
    )
    followers: list[tuple[User, Pseudonym | None]] = [
        (s.user, None) for s in subscriptions if s.user is not None
    ]
    if space.is_safe:
        # Pseudonyms follow safe-space threads: their owners are found through the
        # sealed link, only to be told, and never named to anyone.
        allowed = set(audience(space).values_list("pk", flat=True))
        for subscription in Subscription.objects.filter(
            thread=thread, pseudonym__isnull=False
        ).select_related("pseudonym"):
            if subscription.pseudonym_id == post.pseudonym_id:
                continue
            assert subscription.pseudonym is not None
            owner = safespace.owner_of(subscription.pseudonym)
            if owner is not None and owner.pk in allowed and owner.pk not in exclude:
                followers.append((owner, subscription.pseudonym))
    for user, pseudonym in followers:
        _notify(
            user,
            post,
            _("New post by %(name)s in “%(thread)s”")
            % {"name": post.display_author_for(user), "thread": thread.title},
            email=user.pk not in digest_users,
            pseudonym=pseudonym,
        )
