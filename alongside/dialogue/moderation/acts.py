"""The moderators' acts on posts and threads (hide, restore, approve, reject,
remove, lock) and on a member's trust level."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from alongside.audit.services import audit_record
from alongside.dialogue import announcements, safespace
from alongside.dialogue.models import Flag, MemberTrust, Post, Pseudonym, Space, Thread
from alongside.dialogue.moderation.common import (
    ModerationRefused,
    appeal_post_url,
    audit,
    lock_post,
    moderated_now,
    tell_author,
)
from alongside.dialogue.moderation.flags import resolve_flags
from alongside.dialogue.moderation.gates import credit_published
from alongside.dialogue.moderation.moderators import membership_of, require_moderator

if TYPE_CHECKING:
    from alongside.accounts.models import User
    from alongside.organizations.models import Organization


@transaction.atomic
def hide(post: Post, *, moderator: User, reason: str = "") -> Post:
    require_moderator(post.thread.space, moderator)
    post = lock_post(post)
    if post.is_deleted or post.state == Post.State.HELD:
        raise ModerationRefused(_("Only a published post can be hidden."))
    resolve_flags(post, Flag.Outcome.AGREED)
    if post.state == Post.State.HIDDEN:
        return post
    post.state = Post.State.HIDDEN
    post.moderated_at = moderated_now(post)
    post.save(update_fields=("state", "moderated_at"))
    audit("dialogue.mod_post_hidden", moderator, post, reason=reason)
    message = _("A moderator hid your post in “%(thread)s”.") % {
        "thread": post.thread.title
    }
    if reason:
        message += " " + _("Reason: %(reason)s") % {"reason": reason}
    tell_author(post, message + " " + _("You can appeal."), appeal_post_url(post))
    return post


@transaction.atomic
def restore(post: Post, *, moderator: User) -> Post:
    """Put a hidden post back, or keep a flagged one: its open flags are dismissed."""
    require_moderator(post.thread.space, moderator)
    post = lock_post(post)
    if post.is_deleted or post.state == Post.State.HELD:
        raise ModerationRefused(_("Only a hidden or flagged post can be restored."))
    resolve_flags(post, Flag.Outcome.DISAGREED)
    if post.state == Post.State.HIDDEN:
        post.state = Post.State.PUBLISHED
        post.moderated_at = moderated_now(post)
        post.save(update_fields=("state", "moderated_at"))
        audit("dialogue.mod_post_restored", moderator, post)
        tell_author(
            post,
            _("A moderator put your post in “%(thread)s” back.")
            % {"thread": post.thread.title},
            _thread_post_url(post),
        )
    else:
        audit("dialogue.mod_flags_dismissed", moderator, post)
    return post


def _thread_post_url(post: Post) -> str:
    return reverse(
        "dialogue:post",
        kwargs={"org": post.thread.space.organization.slug, "post_uid": post.uid},
    )


@transaction.atomic
def approve(post: Post, *, moderator: User) -> Post:
    """Publish a held post: it now counts in its thread and notifies as a new post
    would, and counts towards its author's trust level."""
    require_moderator(post.thread.space, moderator)
    post = lock_post(post)
    if post.is_deleted or post.state != Post.State.HELD:
        raise ModerationRefused(_("This post is no longer waiting for review."))
    post.state = Post.State.PUBLISHED
    post.held_because = ""
    post.moderated_at = moderated_now(post)
    post.save(update_fields=("state", "held_because", "moderated_at"))
    if post.pseudonym_id is not None:
        # Its first approved post: the pseudonym's posts publish at once from now on.
        Pseudonym.objects.filter(pk=post.pseudonym_id).update(reviewed=True)
    Thread.objects.filter(pk=post.thread_id).update(
        post_count=F("post_count") + 1,
        last_posted_at=Greatest(F("last_posted_at"), post.created_at),
    )
    audit("dialogue.mod_post_approved", moderator, post)
    announcements.announce_post(post, author=post.author)
    credit_published(post, post.author)
    tell_author(
        post,
        _("A moderator approved your post in “%(thread)s”: everyone can read it now.")
        % {"thread": post.thread.title},
        _thread_post_url(post),
    )
    return post


def _remove(post: Post, moderator: User, reason: str, action: str) -> Post:
    if not reason.strip():
        raise ModerationRefused(_("Say why: the author reads the reason."))
    post.deleted_at = moderated_now(post)
    post.moderated_at = post.deleted_at
    post.removed_by_moderator = True
    post.body = ""
    post.save(
        update_fields=("deleted_at", "moderated_at", "removed_by_moderator", "body")
    )
    post.reactions.all().delete()
    resolve_flags(post, Flag.Outcome.AGREED)
    audit(action, moderator, post, reason=reason.strip())
    tell_author(
        post,
        _("A moderator removed your post in “%(thread)s”. Reason: %(reason)s")
        % {"thread": post.thread.title, "reason": reason.strip()},
        _thread_post_url(post) if post.state != Post.State.HELD else "",
    )
    return post


@transaction.atomic
def reject(post: Post, *, moderator: User, reason: str) -> Post:
    """Turn down a held post: it is never published; its text goes."""
    require_moderator(post.thread.space, moderator)
    post = lock_post(post)
    if post.is_deleted or post.state != Post.State.HELD:
        raise ModerationRefused(_("This post is no longer waiting for review."))
    return _remove(post, moderator, reason, "dialogue.mod_post_rejected")


@transaction.atomic
def remove(post: Post, *, moderator: User, reason: str) -> Post:
    """Delete a published or hidden post, with a reason; the thread shows that a
    moderator removed it."""
    require_moderator(post.thread.space, moderator)
    post = lock_post(post)
    if post.is_deleted:
        raise ModerationRefused(_("This post is already deleted."))
    if post.state == Post.State.HELD:
        raise ModerationRefused(_("A held post is rejected, not deleted."))
    return _remove(post, moderator, reason, "dialogue.mod_post_removed")


@transaction.atomic
def lock_set(thread: Thread, *, moderator: User, locked: bool) -> Thread:
    require_moderator(thread.space, moderator)
    thread = (
        Thread.objects.select_for_update().select_related("space").get(pk=thread.pk)
    )
    if (thread.locked_at is not None) == locked:
        return thread
    now = timezone.now()
    # A safe-space conversation's dates are days (see safespace.day_start).
    thread.locked_at = (
        (safespace.day_start(now) if thread.space.is_safe else now) if locked else None
    )
    thread.save(update_fields=("locked_at",))
    audit(
        "dialogue.mod_thread_locked" if locked else "dialogue.mod_thread_unlocked",
        moderator,
        None,
        target=thread,
        space=thread.space,
        thread=thread.title,
    )
    return thread


@transaction.atomic
def trust_set(
    organization: Organization, user: User, *, level: int, moderator: User, space: Space
) -> MemberTrust:
    """A moderator sets a member's level (0–3); the automatic rule then leaves it."""
    require_moderator(space, moderator)
    if level not in (0, 1, 2, 3):
        raise ModerationRefused(_("Choose a trust level from 0 to 3."))
    if membership_of(organization.pk, user) is None:
        raise PermissionDenied
    record, _created = MemberTrust.objects.get_or_create(
        organization=organization, user=user
    )
    record.level = level
    record.set_by_moderator = True
    record.updated_at = timezone.now()
    record.save(update_fields=("level", "set_by_moderator", "updated_at"))
    audit_record(
        action="dialogue.mod_trust_set",
        actor=moderator,
        organization=organization,
        target=record,
        data={
            "space": space.name,
            "space_id": space.pk,
            "author": user.name,
            "level": level,
        },
    )
    return record
