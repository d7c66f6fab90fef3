"""What every moderator's act shares: the refusal it raises, the audit row it
writes (naming a pseudonym's handle, never the member), the news it sends the author,
and the dates it stores."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.urls import reverse
from django.utils import timezone

from alongside.audit.services import audit_record
from alongside.dialogue import safespace
from alongside.dialogue.models import Post, Pseudonym, Sanction, Space, Thread
from alongside.dialogue.moderation.authors import author_label, owner_of
from alongside.notifications.models import Notification
from alongside.notifications.services import notice_send, notification_send

if TYPE_CHECKING:
    from alongside.accounts.models import User
    from alongside.organizations.models import Organization


class ModerationRefused(Exception):
    """The act is not allowed as asked; `message` says why (shown to the user)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def audit(action: str, actor: User | None, post: Post | None, **data: Any) -> None:
    target: Any = data.pop("target", None) or post
    space: Space | None = data.pop("space", None) or (
        post.thread.space if post else None
    )
    assert space is not None
    details = {"space": space.name, "space_id": space.pk, **data}
    if post is not None:
        details |= {
            "thread": post.thread.title,
            "post": str(post.uid),
            "author": author_label(post),
        }
    audit_record(
        action=action,
        actor=actor,
        organization=space.organization,
        target=target,
        target_key=audit_key(target),
        data=details,
        day_only=space.is_safe,
    )


def audit_key(target: Any) -> str | None:
    """How an audit row names a post or thread: its random uid, never its sequential
    pk (an id next to another row's would date a pseudonym's post). Other targets
    (sanctions, appeals: UUID keys) keep their pk."""
    if isinstance(target, Post | Thread):
        return str(target.uid)
    return None


def tell(
    user: User,
    organization: Organization,
    message: str,
    url: str,
    *,
    pseudonym: Pseudonym | None = None,
) -> None:
    """News about a pseudonym's post or sanction goes to the pseudonym (a notice no
    row ties to `user`, mailed only as the daily "news in a safe space")."""
    if pseudonym is not None:
        notice_send(
            address=str(pseudonym.pk),
            user=user,
            organization=organization,
            message=message,
            url=url,
        )
        return
    notification_send(
        user=user,
        organization=organization,
        kind=Notification.Kind.ORGANIZATION,
        message=message,
        url=url,
        email_template="dialogue/email/moderation",
    )


def tell_author(post: Post, message: str, url: str) -> None:
    """Tell a post's author (through the sealed link for a pseudonym)."""
    if post.pseudonym_id is not None:
        assert post.pseudonym is not None
        user = owner_of(post.pseudonym)
    else:
        user = post.author
    if user is not None and user.is_active:
        tell(
            user, post.thread.space.organization, message, url, pseudonym=post.pseudonym
        )


def appeal_post_url(post: Post) -> str:
    return reverse(
        "dialogue:appeal_post",
        kwargs={"org": post.thread.space.organization.slug, "post_uid": post.uid},
    )


def sanction_url(sanction: Sanction) -> str:
    return reverse(
        "dialogue:sanction",
        kwargs={"org": sanction.organization.slug, "sanction_id": sanction.pk},
    )


def moderated_now(post: Post) -> datetime:
    """When a moderator acts on `post`, as stored: for a pseudonym's post the day only
    (an exact approval time is the moment it was published)."""
    now = timezone.now()
    return safespace.day_start(now) if post.pseudonym_id is not None else now


def lock_post(post: Post) -> Post:
    return (
        Post.objects.select_for_update(of=("self",))
        .select_related("thread__space__organization", "author", "pseudonym")
        .get(pk=post.pk)
    )
