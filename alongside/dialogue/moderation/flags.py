"""Members flag posts; enough flags from enough members hide a post until a
moderator looks at it. Reporters are never named to the author or in the audit."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from alongside.dialogue import language_screen, safespace, trust
from alongside.dialogue.models import Flag, Post
from alongside.dialogue.moderation.authors import is_author
from alongside.dialogue.moderation.common import (
    ModerationRefused,
    appeal_post_url,
    audit,
    moderated_now,
    tell_author,
)

if TYPE_CHECKING:
    from alongside.accounts.models import User


def flag_post(post: Post, *, reporter: User, reason: str, detail: str = "") -> Flag:
    """A member flags a post. Level 0 cannot flag (the message points to "Raise a
    concern"); moderators hide instead; one flag per member and post. Flags may hide
    the post automatically (see `_auto_hide`)."""
    space = post.thread.space
    if reason not in Flag.Reason.values:
        raise ModerationRefused(_("Choose why you are flagging this post."))
    if (
        post.is_deleted
        or post.state != Post.State.PUBLISHED
        or is_author(post, reporter)
    ):
        raise PermissionDenied
    level = trust.level_in_space(space, reporter)
    if level >= trust.Level.LEADER:
        raise ModerationRefused(
            _("You moderate this space: hide the post instead of flagging it.")
        )
    weight = trust.flag_weight(level)
    if weight == 0:
        raise ModerationRefused(
            _(
                "New members can't flag posts yet. If something here worries you, "
                "raise a concern: it goes to the people who handle concerns, "
                "confidentially."
            )
        )
    with transaction.atomic():
        locked = Post.objects.select_for_update().get(pk=post.pk)
        try:
            with transaction.atomic():
                flag = Flag.objects.create(
                    post=locked,
                    reporter=reporter,
                    reason=reason,
                    detail=detail.strip()[:500],
                    weight=weight,
                    # About safe-space content: dated to the day.
                    created_at=safespace.day_start()
                    if space.is_safe
                    else timezone.now(),
                )
        except IntegrityError:
            raise ModerationRefused(
                _("You have already flagged this post. Moderators will look at it.")
            ) from None
        _auto_hide(locked)
    return flag


def flag_score(post: Post) -> tuple[int, int]:
    """(weighted score, distinct reporters) of the post's open flags."""
    found = Flag.objects.filter(
        post=post, outcome=Flag.Outcome.OPEN, weight__gte=1
    ).aggregate(score=Sum("weight"), reporters=Count("reporter", distinct=True))
    return found["score"] or 0, found["reporters"] or 0


def _auto_hide(post: Post) -> bool:
    """Hide the post when its open flags reach the organization's score AND come from
    enough different members of level 1 or more (a brigade of new accounts counts for
    nothing: they cannot flag). The author is told and may appeal."""
    if post.state != Post.State.PUBLISHED:
        return False
    settings = language_screen.settings_for(post.thread.space.organization_id)
    score, reporters = flag_score(post)
    if score < settings.auto_hide_score or reporters < settings.auto_hide_reporters:
        return False
    post.state = Post.State.HIDDEN
    post.moderated_at = moderated_now(post)
    post.save(update_fields=("state", "moderated_at"))
    audit("dialogue.mod_post_auto_hidden", None, post, score=score, flags=reporters)
    tell_author(
        post,
        _(
            "Several members flagged your post in “%(thread)s”, so it is hidden until "
            "a moderator looks at it. You can appeal."
        )
        % {"thread": post.thread.title},
        appeal_post_url(post),
    )
    return True


def resolve_flags(post: Post, outcome: str) -> None:
    Flag.objects.filter(post=post, outcome=Flag.Outcome.OPEN).update(
        outcome=outcome, resolved_at=moderated_now(post)
    )
