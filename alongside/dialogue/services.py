"""Dialogue's writes: each in one transaction, permissions checked by the caller's view
AND re-checked here where a mistake would leak (posting, mentions)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from alongside.audit.services import audit_record
from alongside.circles.models import Circle, CircleMembership
from alongside.dialogue.listening import can_run_round, post_kind_for
from alongside.dialogue.models import (
    DigestSubscription,
    GuidelinesAcceptance,
    ListeningPhase,
    Post,
    Reaction,
    Space,
    Subscription,
    Thread,
)
from alongside.notifications.email import queue_email
from alongside.notifications.models import Notification
from alongside.notifications.services import notification_send
from alongside.organizations.models import Membership

if TYPE_CHECKING:
    from alongside.accounts.models import User
    from alongside.organizations.models import Organization

# "@alice-ally": letters, digits and hyphens after an @ that does not follow a word
# character (so email addresses are not mentions).
MENTION = re.compile(r"(?<![\w@])@([\w][\w-]{0,79})", re.UNICODE)
MAX_MENTIONS_PER_POST = 20


def mention_handle(user: User) -> str:
    """The handle others type to mention `user`: his display name, slugified."""
    return slugify(user.name)


def _audit(
    organization: Organization, actor: User, action: str, space: Space, **data: str
) -> None:
    audit_record(
        action=action,
        actor=actor,
        organization=organization,
        target=space,
        data={"space": space.name, **data},
    )


# Spaces -------------------------------------------------------------------------------


@transaction.atomic
def space_create(
    *,
    organization: Organization,
    membership: Membership,
    name: str,
    description: str,
    guidelines: str,
    circle: Circle | None,
) -> Space:
    if circle is None:
        if not membership.is_program_admin:
            raise PermissionDenied
    elif circle.organization_id != organization.pk or not circle.is_facilitator(
        membership.user
    ):
        raise PermissionDenied
    space = Space.objects.create(
        organization=organization,
        circle=circle,
        name=name,
        description=description,
        guidelines=guidelines,
        created_by=membership.user,
    )
    _audit(organization, membership.user, "dialogue.space_created", space)
    return space


@transaction.atomic
def space_update(
    space: Space,
    *,
    actor: User,
    name: str,
    description: str,
    guidelines: str,
    material_change: bool,
) -> Space:
    """Save a space's settings. A material change of the guidelines raises their
    version, so every member accepts them again before posting."""
    space.name = name
    space.description = description
    changed = guidelines != space.guidelines
    space.guidelines = guidelines
    if changed and material_change:
        space.guidelines_version = F("guidelines_version") + 1
    space.save()
    space.refresh_from_db()
    if changed and material_change:
        _audit(
            space.organization,
            actor,
            "dialogue.guidelines_changed",
            space,
            version=str(space.guidelines_version),
        )
    return space


def guidelines_accept(space: Space, user: User) -> GuidelinesAcceptance:
    acceptance, _created = GuidelinesAcceptance.objects.update_or_create(
        space=space,
        user=user,
        defaults={"version": space.guidelines_version, "accepted_at": timezone.now()},
    )
    return acceptance


# Posting ------------------------------------------------------------------------------


class GuidelinesNotAccepted(Exception):
    """The member has not accepted the current guidelines of the space."""


def _check_can_post(space: Space, user: User) -> None:
    if not space.can_post(user):
        raise PermissionDenied
    if not space.has_accepted_guidelines(user):
        raise GuidelinesNotAccepted


@transaction.atomic
def thread_start(
    *, space: Space, author: User, title: str, body: str, listening_round: bool = False
) -> Post:
    """Start a thread with its first post. A listening round (listening circles'
    facilitators only, see listening.py) opens in the sharing phase, the first post
    being the facilitator's prompt."""
    _check_can_post(space, author)
    if listening_round and not can_run_round(space, author):
        raise PermissionDenied
    now = timezone.now()
    thread = Thread.objects.create(
        space=space,
        title=title,
        started_by=author,
        created_at=now,
        last_posted_at=now,
        phase=ListeningPhase.SHARING if listening_round else "",
    )
    kind = Post.Kind.PROMPT if listening_round else Post.Kind.POST
    return _add_post(thread, author, body, now, kind)


@transaction.atomic
def reply(*, thread: Thread, author: User, body: str) -> Post:
    _check_can_post(thread.space, author)
    return _add_post(
        thread, author, body, timezone.now(), post_kind_for(thread, author)
    )


def _add_post(
    thread: Thread, author: User, body: str, now: datetime, kind: str = Post.Kind.POST
) -> Post:
    post = Post.objects.create(
        thread=thread, author=author, body=body, created_at=now, kind=kind
    )
    Thread.objects.filter(pk=thread.pk).update(
        last_posted_at=now, post_count=F("post_count") + 1
    )
    Subscription.objects.get_or_create(thread=thread, user=author)
    mentioned = mentioned_members(thread.space, body, exclude=author)
    _notify_subscribers(post, exclude={author.pk, *(u.pk for u in mentioned)})
    for user in mentioned:
        _notify(
            user,
            post,
            _("%(name)s mentioned you in “%(thread)s”")
            % {"name": post.display_author_for(user), "thread": thread.title},
        )
    return post


def audience(space: Space) -> QuerySet[User]:
    """Active members of the organization who may see `space` (a lazy queryset)."""
    from alongside.accounts.models import User

    users = User.objects.filter(
        is_active=True,
        pk__in=Membership.objects.filter(organization_id=space.organization_id).values(
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


def _notify(user: User, post: Post, message: str, *, email: bool = True) -> None:
    thread = post.thread
    notification_send(
        user=user,
        organization=thread.space.organization,
        kind=Notification.Kind.ORGANIZATION,
        message=message,
        url=reverse(
            "dialogue:post",
            kwargs={"org": thread.space.organization.slug, "post_uid": post.uid},
        ),
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
    for subscription in subscriptions:
        user = subscription.user
        assert user is not None  # user_id__in above leaves pseudonyms' follows out
        _notify(
            user,
            post,
            _("New post by %(name)s in “%(thread)s”")
            % {"name": post.display_author_for(user), "thread": thread.title},
            email=user.pk not in digest_users,
        )


@transaction.atomic
def post_edit(post: Post, *, user: User, body: str) -> Post:
    if not post.is_written_by(user) or post.is_deleted:
        raise PermissionDenied
    if body != post.body:
        post.body = body
        post.edited_at = timezone.now()
        post.save(update_fields=("body", "edited_at"))
    return post


@transaction.atomic
def post_delete(post: Post, *, user: User) -> None:
    """Soft delete: the post's place in the thread stays, its text goes."""
    if not post.is_written_by(user):
        raise PermissionDenied
    if post.deleted_at is None:
        post.deleted_at = timezone.now()
        post.body = ""
        post.save(update_fields=("deleted_at", "body"))
        post.reactions.all().delete()


# Reactions and subscriptions ----------------------------------------------------------


def reaction_set(post: Post, *, user: User, kind: str, on: bool) -> None:
    """Put the reaction on or take it off. Idempotent: the form says which state it
    wants, so a double click or two concurrent requests end in the same state, and the
    unique constraint settles a race between two inserts."""
    if kind not in Reaction.Kind.values:
        raise ValidationError(_("Unknown reaction."))
    if post.is_deleted:
        raise PermissionDenied
    if not on:
        Reaction.objects.filter(post=post, user=user, kind=kind).delete()
        return
    try:
        with transaction.atomic():
            Reaction.objects.create(post=post, user=user, kind=kind)
    except IntegrityError:
        pass  # already there: the state asked for


def subscription_set(thread: Thread, *, user: User, on: bool) -> None:
    if on:
        Subscription.objects.get_or_create(thread=thread, user=user)
    else:
        Subscription.objects.filter(thread=thread, user=user).delete()


def digest_set(space: Space, *, user: User, on: bool) -> None:
    if on:
        DigestSubscription.objects.get_or_create(space=space, user=user)
    else:
        DigestSubscription.objects.filter(space=space, user=user).delete()


# The daily digest ---------------------------------------------------------------------


def send_digests(now: datetime | None = None) -> int:
    """Email each digest subscriber the new posts of his space since his last digest.

    Idempotent: a subscription's `covered_until` moves forward in the same transaction
    that queues its email (sent after commit), so running twice sends nothing twice.
    Returns the number of emails queued.
    """
    moment = now if now is not None else timezone.now()
    sent = 0
    ids = list(DigestSubscription.objects.values_list("pk", flat=True))
    for pk in ids:
        with transaction.atomic():
            digest = (
                DigestSubscription.objects.select_for_update(of=("self",))
                .select_related("space__organization", "space__circle", "user")
                .filter(pk=pk)
                .first()
            )
            if digest is None:
                continue
            if _send_one_digest(digest, moment):
                sent += 1
    return sent


def _send_one_digest(digest: DigestSubscription, moment: datetime) -> bool:
    user, space = digest.user, digest.space
    since = max(digest.covered_until, moment - timedelta(days=7))
    digest.covered_until = moment
    digest.save(update_fields=("covered_until",))
    if not user.is_active or not space.is_visible_to(user):
        return False
    if not Membership.objects.filter(
        organization_id=space.organization_id, user=user
    ).exists():
        return False
    posts = list(
        Post.objects.live()
        .filter(thread__space=space, created_at__gt=since, created_at__lte=moment)
        .exclude(author=user)
        .select_related("thread", "author")
        .in_order()[:50]
    )
    if not posts:
        return False
    queue_email(
        to=user.email,
        template="dialogue/email/digest",
        context={
            "user": user,
            "space": space,
            "organization": space.organization,
            "entries": [(p, p.display_author_for(user)) for p in posts],
        },
    )
    return True
