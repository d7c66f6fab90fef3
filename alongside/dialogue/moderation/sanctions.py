"""Warnings, suspensions and bans of a member (or, in a safe space, of his
pseudonym there), and lifting them."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from alongside.audit.services import audit_record
from alongside.dialogue import safespace
from alongside.dialogue.models import Post, Sanction, Space
from alongside.dialogue.moderation.authors import owner_of, pseudonym_of
from alongside.dialogue.moderation.common import (
    ModerationRefused,
    audit,
    sanction_url,
    tell,
    tell_author,
)
from alongside.dialogue.moderation.moderators import (
    can_moderate,
    membership_of,
    require_moderator,
)

if TYPE_CHECKING:
    from alongside.accounts.models import User


SUSPENSION_DAYS = (1, 3, 7, 30)


def sanction_scope(post: Post) -> Space | None:
    """Where a sanction for this post applies: the whole organization's conversations
    for a post in an organization-wide space; the post's own space for a circle's
    space (a circle's facilitators have no power outside it) or a safe space (the
    pseudonym exists only there)."""
    space = post.thread.space
    if space.circle_id is None and post.pseudonym_id is None:
        return None
    return space


@transaction.atomic
def sanction(
    post: Post,
    *,
    moderator: User,
    kind: str,
    reason: str,
    days: int | None = None,
) -> Sanction:
    """Warn, suspend (for `days`) or ban the author of `post`: the member, or for a
    pseudonymous post the pseudonym in its space. He is told, with how to appeal."""
    space = post.thread.space
    require_moderator(space, moderator)
    if kind not in Sanction.Kind.values:
        raise ModerationRefused(_("Choose a warning, a suspension or a ban."))
    if not reason.strip():
        raise ModerationRefused(_("Say why: the member reads the reason."))
    if kind == Sanction.Kind.SUSPENSION and days not in SUSPENSION_DAYS:
        raise ModerationRefused(_("Choose how long the suspension lasts."))
    if post.pseudonym_id is None and (post.author is None or not post.author.is_active):
        raise ModerationRefused(_("The author has left: there is no one to sanction."))
    if post.author_id is not None and post.author_id == moderator.pk:
        raise ModerationRefused(_("You can't sanction yourself."))
    if post.author is not None and can_moderate(space, post.author):
        raise ModerationRefused(
            _("The author moderates this space; ask a program administrator.")
        )
    now = timezone.now()
    ends_at = (
        now + timedelta(days=days)
        if kind == Sanction.Kind.SUSPENSION and days
        else None
    )
    if post.pseudonym_id is not None:
        # About a pseudonym: dated to the day, and a suspension ends at the start of
        # a day (rounded up, so it lasts at least the days chosen).
        now = safespace.day_start(now)
        if ends_at is not None:
            ends_at = now + timedelta(days=days + 1) if days else None
    made = Sanction.objects.create(
        organization=space.organization,
        space=sanction_scope(post),
        user=post.author if post.pseudonym_id is None else None,
        pseudonym=post.pseudonym,
        post=post,
        kind=kind,
        reason=reason.strip(),
        ends_at=ends_at,
        created_by=moderator,
        created_at=now,
    )
    action = {
        Sanction.Kind.WARNING: "dialogue.mod_member_warned",
        Sanction.Kind.SUSPENSION: "dialogue.mod_member_suspended",
        Sanction.Kind.BAN: "dialogue.mod_member_banned",
    }[Sanction.Kind(kind)]
    extra: dict[str, Any] = {"reason": made.reason, "sanction": str(made.pk)}
    if made.ends_at is not None:
        extra["until"] = (
            safespace.coarse_iso(made.ends_at)
            if made.pseudonym_id is not None
            else made.ends_at.isoformat()
        )
    audit(action, moderator, post, **extra)
    _tell_sanctioned(made, post)
    return made


def _tell_sanctioned(made: Sanction, post: Post) -> None:
    where = made.space.name if made.space is not None else _("the conversations")
    if made.kind == Sanction.Kind.WARNING:
        message = _("A moderator warned you about a post in %(where)s: %(reason)s")
    elif made.kind == Sanction.Kind.SUSPENSION:
        assert made.ends_at is not None
        message = _(
            "A moderator suspended you from posting in %(where)s until %(end)s: "
            "%(reason)s"
        )
    else:
        message = _("A moderator banned you from posting in %(where)s: %(reason)s")
    text = message % {
        "where": where,
        "reason": made.reason,
        "end": date_format(timezone.localtime(made.ends_at), "j F Y")
        if made.ends_at
        else "",
    }
    tell_author(post, text + " " + _("You can appeal."), sanction_url(made))


def sanction_is_active(made: Sanction, now: datetime | None = None) -> bool:
    moment = now or timezone.now()
    return made.lifted_at is None and (made.ends_at is None or made.ends_at > moment)


def can_act_on_sanction(made: Sanction, user: User) -> bool:
    """Moderators of its space (an organization-wide one: the organization's)."""
    membership = membership_of(made.organization_id, user)
    if membership is None:
        return False
    if made.space is None:
        return membership.is_facilitator
    return made.space.can_moderate(membership)


@transaction.atomic
def lift(made: Sanction, *, moderator: User) -> Sanction:
    if not can_act_on_sanction(made, moderator):
        raise PermissionDenied
    made = Sanction.objects.select_for_update().get(pk=made.pk)
    if made.kind == Sanction.Kind.WARNING or not sanction_is_active(made):
        raise ModerationRefused(_("This sanction is not in force."))
    made.lifted_at = (
        safespace.day_start() if made.pseudonym_id is not None else timezone.now()
    )
    made.save(update_fields=("lifted_at",))
    audit_sanction("dialogue.mod_sanction_lifted", moderator, made)
    tell_about_sanction(made, _("A moderator lifted your %(kind)s early."))
    return made


def audit_sanction(
    action: str, actor: User | None, made: Sanction, **data: Any
) -> None:
    post = made.post
    if post is not None:
        post = Post.objects.select_related(
            "thread__space__organization", "author", "pseudonym"
        ).get(pk=post.pk)
    space = made.space or (post.thread.space if post else None)
    details: dict[str, Any] = {"sanction": str(made.pk), "kind": made.kind, **data}
    if made.pseudonym is not None:
        details["author"] = made.pseudonym.handle
    elif made.user is not None:
        details["author"] = made.user.name
    audit_record(
        action=action,
        actor=actor,
        organization=made.organization,
        target=made,
        data={
            "space": space.name if space else "",
            "space_id": space.pk if space else None,
            **details,
        },
        day_only=made.pseudonym_id is not None or (space is not None and space.is_safe),
    )


def tell_about_sanction(made: Sanction, message: str) -> None:
    user = made.user if made.user is not None else None
    if made.pseudonym is not None:
        user = owner_of(made.pseudonym)
    if user is not None and user.is_active:
        tell(
            user,
            made.organization,
            message % {"kind": made.get_kind_display().lower()},
            sanction_url(made),
            pseudonym=made.pseudonym,
        )


def sanction_for_member(made: Sanction, user: User) -> bool:
    """Whether `made` is against `user` (himself, or his pseudonym)."""
    if made.user_id is not None:
        return made.user_id == user.pk
    if made.pseudonym is None or made.space is None:
        return False
    mine = pseudonym_of(made.space, user)
    return mine is not None and mine.pk == made.pseudonym_id
