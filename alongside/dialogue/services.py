"""Dialogue's writes: each in one transaction, permissions checked by the caller's view
AND re-checked here where a mistake would leak (posting, mentions)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from alongside.audit.services import audit_record
from alongside.circles.models import Circle
from alongside.dialogue import moderation, safespace, trust
from alongside.dialogue.announcements import announce_post
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
from alongside.organizations.models import Membership

if TYPE_CHECKING:
    from alongside.accounts.models import User
    from alongside.organizations.models import Organization


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
    is_safe: bool = False,
) -> Space:
    """Open a space. `is_safe` (a safe space, where members post under pseudonyms) is
    chosen here once and never changed."""
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
        is_safe=is_safe,
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
        # In a safe space the day only: an exact time stored seconds before the
        # pseudonym's first post would tie the two together.
        defaults={
            "version": space.guidelines_version,
            "accepted_at": safespace.day_start() if space.is_safe else timezone.now(),
        },
    )
    return acceptance


# Posting ------------------------------------------------------------------------------


class GuidelinesNotAccepted(Exception):
    """The member has not accepted the current guidelines of the space."""


def _check_can_post(space: Space, user: User, thread: Thread | None = None) -> None:
    if not space.can_post(user):
        raise PermissionDenied
    if not space.has_accepted_guidelines(user):
        raise GuidelinesNotAccepted
    # Moderation (moderation/gates.py): a suspension or ban here, a locked thread.
    moderation.check_not_sanctioned(space, user)
    if thread is not None:
        moderation.check_thread_open(thread)


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
    # A safe-space conversation is dated to its day, as its posts are (`_add_post`).
    stored = safespace.day_start(now) if space.is_safe else now
    thread = Thread.objects.create(
        space=space,
        title=title,
        # Never who started a safe-space conversation: its first post's pseudonym.
        started_by=None if space.is_safe else author,
        created_at=stored,
        last_posted_at=stored,
        phase=ListeningPhase.SHARING if listening_round else "",
    )
    kind = Post.Kind.PROMPT if listening_round else Post.Kind.POST
    return _add_post(thread, author, body, now, kind, is_topic=True)


@transaction.atomic
def reply(*, thread: Thread, author: User, body: str) -> Post:
    _check_can_post(thread.space, author, thread)
    return _add_post(
        thread, author, body, timezone.now(), post_kind_for(thread, author)
    )


def _add_post(
    thread: Thread,
    author: User,
    body: str,
    now: datetime,
    kind: str = Post.Kind.POST,
    *,
    is_topic: bool = False,
) -> Post:
    # Trust gates, rate limits (raising trust.PostingRefused / RateLimited) and the
    # decision to hold the post for review (a new member's, or the screen's).
    gate = moderation.gate_post(
        space=thread.space,
        user=author,
        body=body,
        is_topic=is_topic,
        thread_id=None if is_topic else thread.pk,
        now=now,
    )
    # In a safe space the post belongs to the member's pseudonym, never to him.
    pseudonym = (
        safespace.pseudonym_for(thread.space, author) if thread.space.is_safe else None
    )
    # A pseudonym's post is stored with its day only: an exact time could be matched
    # against his sign-in (audited, and User.last_login). The rate limits keep the
    # exact recent times in a short-lived sealed cache entry instead (trust.py).
    stored = safespace.day_start(now) if pseudonym is not None else now
    post = Post.objects.create(
        thread=thread,
        author=None if pseudonym is not None else author,
        pseudonym=pseudonym,
        body=body,
        created_at=stored,
        kind=kind,
        state=Post.State.HELD if gate.held_because else Post.State.PUBLISHED,
        held_because=gate.held_because,
    )
    if pseudonym is not None:
        trust.pseudonym_posted(
            pseudonym, thread_id=thread.pk, body=body, is_topic=is_topic, now=now
        )
        Subscription.objects.get_or_create(
            thread=thread,
            pseudonym=pseudonym,
            defaults={"created_at": safespace.day_start(now)},
        )
    else:
        Subscription.objects.get_or_create(thread=thread, user=author)
    if post.state == Post.State.HELD:
        # Seen by its author and the moderators only: it neither counts in the thread
        # nor notifies anyone until approved (moderation.approve announces it).
        return post
    Thread.objects.filter(pk=thread.pk).update(
        last_posted_at=stored, post_count=F("post_count") + 1
    )
    announce_post(post, author=author)
    moderation.credit_published(post, author)
    return post


def notification_readdress(user: User, url: str) -> str | None:
    """For `notifications_readdress`: the address of a notification stored for `user`
    before notices existed. Safe-space posts, threads, appeals and the space's page
    belong to his pseudonym there ("" when he has none: the news is dropped); a
    pseudonym's sanction to that pseudonym; moderators' tools and everything else stay
    (None)."""
    from django.urls import Resolver404, resolve

    from alongside.dialogue.models import Sanction

    try:
        match = resolve(url.split("?")[0])
    except Resolver404:
        return None
    if match.namespace != "dialogue" or (match.url_name or "").startswith("moderat"):
        return None
    kwargs = match.kwargs
    space: Space | None = None
    if "appeal_id" in kwargs:
        return None  # the moderators' page of an appeal
    if "sanction_id" in kwargs:
        if match.url_name != "sanction":
            return None
        sanction = Sanction.objects.filter(pk=kwargs["sanction_id"]).first()
        if sanction is None or sanction.pseudonym_id is None:
            return None
        return str(sanction.pseudonym_id)
    if "post_uid" in kwargs:
        post = (
            Post.objects.filter(uid=kwargs["post_uid"])
            .select_related("thread__space")
            .first()
        )
        space = post.thread.space if post is not None else None
    elif "thread_uid" in kwargs:
        thread = (
            Thread.objects.filter(uid=kwargs["thread_uid"])
            .select_related("space")
            .first()
        )
        space = thread.space if thread is not None else None
    elif "space_id" in kwargs:
        space = Space.objects.filter(pk=kwargs["space_id"]).first()
        if space is not None and space.is_safe:
            mine = safespace.pseudonym_for(space, user, create=False)
            return str(mine.pk) if mine is not None else None
        return None
    if space is None or not space.is_safe:
        return None
    mine = safespace.pseudonym_for(space, user, create=False)
    return str(mine.pk) if mine is not None else ""


def notification_addresses(user: User, everywhere: bool = False) -> list[str]:
    """The addresses of `user`'s safe-space notices: his pseudonyms' ids, found
    through their keyed hashes (registered with notifications in DialogueConfig), in
    his current organizations' safe spaces or, with `everywhere`, in all of them."""
    pseudonyms = safespace.pseudonyms_of(user, current_organizations=not everywhere)
    return [str(p.pk) for p in pseudonyms]


@transaction.atomic
def post_edit(post: Post, *, user: User, body: str) -> Post:
    if not post.is_written_by(user) or post.is_deleted:
        raise PermissionDenied
    if body != post.body:
        moderation.check_edit(post.thread.space, user, body)
        post.body = body
        # A pseudonym's acts are stored to the day (safespace.day_start).
        post.edited_at = (
            safespace.day_start() if post.pseudonym_id is not None else timezone.now()
        )
        post.save(update_fields=("body", "edited_at"))
    return post


@transaction.atomic
def post_delete(post: Post, *, user: User) -> None:
    """Soft delete: the post's place in the thread stays, its text goes."""
    if not post.is_written_by(user):
        raise PermissionDenied
    if post.deleted_at is None:
        post.deleted_at = (
            safespace.day_start() if post.pseudonym_id is not None else timezone.now()
        )
        post.body = ""
        post.save(update_fields=("deleted_at", "body"))
        post.reactions.all().delete()


# Reactions and subscriptions ----------------------------------------------------------


def reaction_set(post: Post, *, user: User, kind: str, on: bool) -> None:
    """Put the reaction on or take it off. Idempotent: the form says which state it
    wants, so a double click or two concurrent requests end in the same state, and the
    unique constraint settles a race between two inserts. In a safe space the member
    reacts as his pseudonym."""
    if kind not in Reaction.Kind.values:
        raise ValidationError(_("Unknown reaction."))
    if post.is_deleted or post.state != Post.State.PUBLISHED:
        raise PermissionDenied
    if on:
        moderation.check_not_sanctioned(post.thread.space, user)
    space = post.thread.space
    if space.is_safe:
        pseudonym = safespace.pseudonym_for(space, user, create=on)
        if pseudonym is None:
            return  # taking off a reaction he never gave
        # A pseudonym's act is dated to the day (see safespace.day_start).
        who: dict[str, object] = {"pseudonym": pseudonym}
    else:
        who = {"user": user}
    if not on:
        Reaction.objects.filter(post=post, kind=kind, **who).delete()
        return
    try:
        with transaction.atomic():
            Reaction.objects.create(
                post=post,
                kind=kind,
                created_at=safespace.day_start() if space.is_safe else timezone.now(),
                **who,
            )
    except IntegrityError:
        pass  # already there: the state asked for


def subscription_set(thread: Thread, *, user: User, on: bool) -> None:
    """Follow a thread, or stop; as the member's pseudonym in a safe space."""
    if thread.space.is_safe:
        pseudonym = safespace.pseudonym_for(thread.space, user, create=on)
        if pseudonym is None:
            return
        if on:
            Subscription.objects.get_or_create(
                thread=thread,
                pseudonym=pseudonym,
                defaults={"created_at": safespace.day_start()},
            )
        else:
            Subscription.objects.filter(thread=thread, pseudonym=pseudonym).delete()
        return
    if on:
        Subscription.objects.get_or_create(thread=thread, user=user)
    else:
        Subscription.objects.filter(thread=thread, user=user).delete()


def is_following(thread: Thread, user: User) -> bool:
    if thread.space.is_safe:
        pseudonym = safespace.pseudonym_for(thread.space, user, create=False)
        return (
            pseudonym is not None
            and Subscription.objects.filter(thread=thread, pseudonym=pseudonym).exists()
        )
    return Subscription.objects.filter(thread=thread, user=user).exists()


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
    if space.is_safe:
        # A safe space's posts are dated to their day (`_add_post`): its digest
        # covers whole past days, from the first day not yet covered up to yesterday,
        # so a post made after today's digest comes in tomorrow's and none is skipped.
        until = safespace.day_start(moment)
        recent = Post.objects.live().filter(
            thread__space=space,
            created_at__gte=safespace.day_start(since),
            created_at__lt=until,
        )
    else:
        until = moment
        recent = (
            Post.objects.live()
            .filter(thread__space=space, created_at__gt=since, created_at__lte=moment)
            .exclude(author=user)
        )
    digest.covered_until = until
    digest.save(update_fields=("covered_until",))
    if not user.is_active or not space.is_visible_to(user):
        return False
    if not Membership.objects.of(user, space.organization_id).exists():
        return False
    # A safe space's digest is the same for every reader, his own pseudonymous posts
    # included: leaving them out would mark them as his to his mail server.
    posts = list(recent.select_related("thread", "author", "pseudonym").in_order()[:50])
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
