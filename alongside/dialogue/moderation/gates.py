"""The posting gates (called by services.thread_start / reply / post_edit): a
sanction or a locked thread refuses the post; the trust gates and the language
screen decide whether it is held for review."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.db.models import F, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from alongside.dialogue import language_screen, trust
from alongside.dialogue.models import MemberTrust, Post, Sanction, Space, Thread
from alongside.dialogue.moderation.authors import pseudonym_of

if TYPE_CHECKING:
    from alongside.accounts.models import User


class Sanctioned(trust.PostingRefused):
    """The member (or his pseudonym) is suspended or banned where he tries to post."""

    def __init__(self, sanction: Sanction) -> None:
        self.sanction = sanction
        super().__init__(sanction_message(sanction))


class ThreadLocked(trust.PostingRefused):
    def __init__(self) -> None:
        super().__init__(
            _("A moderator locked this conversation: it can be read, not replied to.")
        )


def active_sanction(
    space: Space, user: User, *, now: datetime | None = None
) -> Sanction | None:
    """The suspension or ban that stops the member posting in `space`: against him
    (organization-wide or in this space), or against his pseudonym here."""
    moment = now or timezone.now()
    target = Q(user=user)
    pseudonym = pseudonym_of(space, user)
    if pseudonym is not None:
        target |= Q(pseudonym=pseudonym)
    return (
        Sanction.objects.filter(
            target,
            Q(space__isnull=True) | Q(space=space),
            organization_id=space.organization_id,
            kind__in=(Sanction.Kind.SUSPENSION, Sanction.Kind.BAN),
            lifted_at__isnull=True,
        )
        .filter(Q(ends_at__isnull=True) | Q(ends_at__gt=moment))
        .order_by(F("ends_at").desc(nulls_first=True))
        .first()
    )


def sanction_message(sanction: Sanction) -> str:
    if sanction.kind == Sanction.Kind.BAN or sanction.ends_at is None:
        return _(
            "You are banned from posting and reacting here. You can read, and you "
            "can appeal from the notification we sent you."
        )
    return _(
        "You are suspended from posting and reacting here until %(end)s. You can "
        "appeal from the notification we sent you."
    ) % {"end": sanction_end(sanction)}


def sanction_end(sanction: Sanction) -> str:
    """When a suspension ends, as pages write it: a pseudonym's to the day (it ends
    at the start of that day), anyone else's to the minute."""
    if sanction.ends_at is None:
        return ""
    if sanction.pseudonym_id is not None:
        return date_format(timezone.localtime(sanction.ends_at), "j F Y")
    return date_format(timezone.localtime(sanction.ends_at), "j F Y, H:i")


def check_not_sanctioned(space: Space, user: User) -> None:
    sanction = active_sanction(space, user)
    if sanction is not None:
        raise Sanctioned(sanction)


def check_thread_open(thread: Thread) -> None:
    if Thread.objects.filter(pk=thread.pk, locked_at__isnull=False).exists():
        raise ThreadLocked


@dataclass(frozen=True)
class Gate:
    """What posting decided: hold the post (and why), and the screen's matches."""

    held_because: str
    matched: tuple[str, ...]
    level: int


def _posting_level(space: Space, user: User) -> int:
    """The level the posting gates use: in a safe space the pseudonym's own."""
    if space.is_safe:
        return trust.pseudonym_level(pseudonym_of(space, user))
    return trust.level_in_space(space, user)


def check_edit(space: Space, user: User, body: str) -> None:
    """An edit of a published post meets the same content rules as a new post: a new
    member's link and mention limits, and the language screen. Holding an edited post
    would announce it again on approval, so a screened edit is refused instead, with
    the reason (PostingRefused); leaders are not screened, as when they post."""
    level = _posting_level(space, user)
    trust.check_content(body, level)
    if level >= trust.Level.LEADER:
        return
    if language_screen.screen_post(
        body, language_screen.settings_for(space.organization_id)
    ):
        raise trust.PostingRefused(
            _(
                "Your edit contains words this community holds for review, so it "
                "was not saved. Reword it, or write to a moderator if you think the "
                "screen is wrong."
            )
        )


def gate_post(
    *,
    space: Space,
    user: User,
    body: str,
    is_topic: bool,
    thread_id: int | None,
    now: datetime,
) -> Gate:
    """Run the trust gates and rate limits (raising PostingRefused/RateLimited), then
    decide whether the post is held: a new member's, or one the screen matches.

    In a safe space everything here depends on the pseudonym's own history in the
    space (`trust.pseudonym_level`), a moderator's pseudonym is screened like anyone's,
    and a held post gives one reason whatever the cause (`HeldBecause.REVIEW`)."""
    if space.is_safe:
        pseudonym = pseudonym_of(space, user)
        level = trust.pseudonym_level(pseudonym)
        trust.check_content(body, level)
        trust.check_rate(
            space=space,
            user=user,
            body=body,
            is_topic=is_topic,
            level=level,
            now=now,
            thread_id=thread_id,
            pseudonym=pseudonym,
        )
        matched = tuple(
            language_screen.screen_post(
                body, language_screen.settings_for(space.organization_id)
            )
        )
        if matched or level == trust.Level.NEW:
            return Gate(Post.HeldBecause.REVIEW, matched, level)
        return Gate("", (), level)
    level = trust.level_in_space(space, user)
    if (
        level == trust.Level.NEW
        and not MemberTrust.objects.filter(
            organization_id=space.organization_id, user=user, set_by_moderator=True
        ).exists()
    ):
        # Time alone may have promoted him since his last approved post.
        level = trust.recompute(space.organization, user)
    trust.check_content(body, level)
    trust.check_rate(
        space=space,
        user=user,
        body=body,
        is_topic=is_topic,
        level=level,
        now=now,
        thread_id=thread_id,
        pseudonym=pseudonym_of(space, user),
    )
    matched = tuple(
        language_screen.screen_post(
            body, language_screen.settings_for(space.organization_id)
        )
    )
    if level >= trust.Level.LEADER:
        return Gate("", (), level)
    if matched:
        return Gate(Post.HeldBecause.SCREEN, matched, level)
    if level == trust.Level.NEW:
        return Gate(Post.HeldBecause.NEW_MEMBER, (), level)
    return Gate("", (), level)


def credit_published(post: Post, user: User | None) -> None:
    """A post of `user` was published: count it towards his trust level. Pseudonymous
    posts count for nothing (a level rising right after a moderator approved a
    pseudonym's post would tell him who it is)."""
    if user is None or post.pseudonym_id is not None:
        return
    trust.recompute(post.thread.space.organization, user, published=1)


def held_message(held_because: str) -> str:
    """What the author reads when his post is held (in a safe space the same words
    whatever the cause)."""
    if held_because == Post.HeldBecause.REVIEW:
        return _(
            "Thank you. A moderator will read your post before it appears; it is "
            "waiting for review. You can still edit it."
        )
    if held_because == Post.HeldBecause.SCREEN:
        return _(
            "Thank you. Your post may contain words our community screens, so a "
            "moderator will read it before it appears. You can still edit it."
        )
    return _(
        "Thank you. New members' first posts are read by a moderator before they "
        "appear; yours is waiting for review."
    )
