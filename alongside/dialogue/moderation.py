"""Moderation: the posting gates, flags and auto-hide, the moderators' acts, sanctions,
appeals, trust levels by hand and the 48-hour queue alert.

Every moderator's act writes an audit row (`dialogue.mod_*`), whose data names the
space, the post and its author as shown in the thread: a pseudonym's handle, never the
member behind it. Reporters are never in the audit data, in what the reported member
sees, or in his data export. Anything that needs the member behind a pseudonym
(telling him, checking his sanctions) goes through `alongside.dialogue.safespace`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Min, Q, QuerySet, Sum
from django.db.models.functions import Greatest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from alongside.audit.models import AuditEvent
from alongside.audit.services import audit_record
from alongside.circles.models import CircleMembership
from alongside.dialogue import safespace, screen, trust
from alongside.dialogue.models import (
    Appeal,
    Flag,
    MemberTrust,
    Post,
    Pseudonym,
    Sanction,
    Space,
    Thread,
)
from alongside.notifications.models import Notification
from alongside.notifications.services import notice_send, notification_send
from alongside.organizations.models import Membership, Role

if TYPE_CHECKING:
    from alongside.accounts.models import User
    from alongside.organizations.models import Organization

SLA = timedelta(hours=48)
SUSPENSION_DAYS = (1, 3, 7, 30)


class ModerationRefused(Exception):
    """The act is not allowed as asked; `message` says why (shown to the user)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


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


# The other helper's safe-space functions, named here once ----------------------------


def pseudonym_of(space: Space, user: User) -> Pseudonym | None:
    """The member's pseudonym in a safe space, without creating one."""
    if not space.is_safe:
        return None
    return safespace.pseudonym_for(space, user, create=False)


def owner_of(pseudonym: Pseudonym) -> User | None:
    """The member behind a pseudonym, only to tell him something."""
    return safespace.owner_of(pseudonym)


def is_author(post: Post, user: User) -> bool:
    if post.is_written_by(user):
        return True
    if post.pseudonym_id is None:
        return False
    mine = pseudonym_of(post.thread.space, user)
    return mine is not None and mine.pk == post.pseudonym_id


def author_label(post: Post) -> str:
    """How moderators and the audit log name a post's author: a pseudonym's handle,
    never the member behind it."""
    if post.pseudonym_id is not None:
        assert post.pseudonym is not None
        return post.pseudonym.handle
    if post.author is None or not post.author.is_active:
        return _("A former member")
    return post.author.name


# Who moderates -----------------------------------------------------------------------


def membership_of(organization_id: int, user: User) -> Membership | None:
    return Membership.objects.filter(organization_id=organization_id, user=user).first()


def can_moderate(space: Space, user: User) -> bool:
    membership = membership_of(space.organization_id, user)
    return membership is not None and space.can_moderate(membership)


def _require_moderator(space: Space, user: User) -> None:
    if not can_moderate(space, user):
        raise PermissionDenied


def moderates_anything(membership: Membership) -> bool:
    return (
        membership.is_facilitator
        or Space.objects.moderated_by(membership).filter(circle__isnull=False).exists()
    )


def _organization_moderators(organization: Organization) -> QuerySet[User]:
    from alongside.accounts.models import User

    return User.objects.filter(
        is_active=True,
        pk__in=Membership.objects.filter(
            organization=organization,
            role__in=(Role.FACILITATOR, Role.PROGRAM_ADMIN),
        ).values("user_id"),
    )


def moderators_of(space: Space) -> QuerySet[User]:
    """Active members who moderate `space`."""
    from alongside.accounts.models import User

    members = Membership.objects.filter(organization_id=space.organization_id)
    if space.circle_id is None:
        ids = members.filter(role__in=(Role.FACILITATOR, Role.PROGRAM_ADMIN))
    else:
        ids = members.filter(
            user_id__in=CircleMembership.objects.facilitators()
            .filter(circle_id=space.circle_id)
            .values("user_id")
        )
    return User.objects.filter(is_active=True, pk__in=ids.values("user_id"))


def _audit(action: str, actor: User | None, post: Post | None, **data: Any) -> None:
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


def _tell(
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


def _tell_author(post: Post, message: str, url: str) -> None:
    """Tell a post's author (through the sealed link for a pseudonym)."""
    if post.pseudonym_id is not None:
        assert post.pseudonym is not None
        user = owner_of(post.pseudonym)
    else:
        user = post.author
    if user is not None and user.is_active:
        _tell(
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


# Posting gates (called by services.thread_start / reply) ------------------------------


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
    if screen.screen_post(body, screen.settings_for(space.organization_id)):
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
            screen.screen_post(body, screen.settings_for(space.organization_id))
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
        screen.screen_post(body, screen.settings_for(space.organization_id))
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


# Flags ---------------------------------------------------------------------------------


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
    settings = screen.settings_for(post.thread.space.organization_id)
    score, reporters = flag_score(post)
    if score < settings.auto_hide_score or reporters < settings.auto_hide_reporters:
        return False
    post.state = Post.State.HIDDEN
    post.moderated_at = moderated_now(post)
    post.save(update_fields=("state", "moderated_at"))
    _audit("dialogue.mod_post_auto_hidden", None, post, score=score, flags=reporters)
    _tell_author(
        post,
        _(
            "Several members flagged your post in “%(thread)s”, so it is hidden until "
            "a moderator looks at it. You can appeal."
        )
        % {"thread": post.thread.title},
        appeal_post_url(post),
    )
    return True


def _resolve_flags(post: Post, outcome: str) -> None:
    Flag.objects.filter(post=post, outcome=Flag.Outcome.OPEN).update(
        outcome=outcome, resolved_at=moderated_now(post)
    )


# Acts on posts -------------------------------------------------------------------------


def _lock_post(post: Post) -> Post:
    return (
        Post.objects.select_for_update(of=("self",))
        .select_related("thread__space__organization", "author", "pseudonym")
        .get(pk=post.pk)
    )


@transaction.atomic
def hide(post: Post, *, moderator: User, reason: str = "") -> Post:
    _require_moderator(post.thread.space, moderator)
    post = _lock_post(post)
    if post.is_deleted or post.state == Post.State.HELD:
        raise ModerationRefused(_("Only a published post can be hidden."))
    _resolve_flags(post, Flag.Outcome.AGREED)
    if post.state == Post.State.HIDDEN:
        return post
    post.state = Post.State.HIDDEN
    post.moderated_at = moderated_now(post)
    post.save(update_fields=("state", "moderated_at"))
    _audit("dialogue.mod_post_hidden", moderator, post, reason=reason)
    message = _("A moderator hid your post in “%(thread)s”.") % {
        "thread": post.thread.title
    }
    if reason:
        message += " " + _("Reason: %(reason)s") % {"reason": reason}
    _tell_author(post, message + " " + _("You can appeal."), appeal_post_url(post))
    return post


@transaction.atomic
def restore(post: Post, *, moderator: User) -> Post:
    """Put a hidden post back, or keep a flagged one: its open flags are dismissed."""
    _require_moderator(post.thread.space, moderator)
    post = _lock_post(post)
    if post.is_deleted or post.state == Post.State.HELD:
        raise ModerationRefused(_("Only a hidden or flagged post can be restored."))
    _resolve_flags(post, Flag.Outcome.DISAGREED)
    if post.state == Post.State.HIDDEN:
        post.state = Post.State.PUBLISHED
        post.moderated_at = moderated_now(post)
        post.save(update_fields=("state", "moderated_at"))
        _audit("dialogue.mod_post_restored", moderator, post)
        _tell_author(
            post,
            _("A moderator put your post in “%(thread)s” back.")
            % {"thread": post.thread.title},
            _thread_post_url(post),
        )
    else:
        _audit("dialogue.mod_flags_dismissed", moderator, post)
    return post


def _thread_post_url(post: Post) -> str:
    return reverse(
        "dialogue:post",
        kwargs={"org": post.thread.space.organization.slug, "post_uid": post.uid},
    )


def moderated_now(post: Post) -> datetime:
    """When a moderator acts on `post`, as stored: for a pseudonym's post the day only
    (an exact approval time is the moment it was published)."""
    now = timezone.now()
    return safespace.day_start(now) if post.pseudonym_id is not None else now


@transaction.atomic
def approve(post: Post, *, moderator: User) -> Post:
    """Publish a held post: it now counts in its thread and notifies as a new post
    would, and counts towards its author's trust level."""
    from alongside.dialogue import services

    _require_moderator(post.thread.space, moderator)
    post = _lock_post(post)
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
    _audit("dialogue.mod_post_approved", moderator, post)
    services.announce_post(post, author=post.author)
    credit_published(post, post.author)
    _tell_author(
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
    _resolve_flags(post, Flag.Outcome.AGREED)
    _audit(action, moderator, post, reason=reason.strip())
    _tell_author(
        post,
        _("A moderator removed your post in “%(thread)s”. Reason: %(reason)s")
        % {"thread": post.thread.title, "reason": reason.strip()},
        _thread_post_url(post) if post.state != Post.State.HELD else "",
    )
    return post


@transaction.atomic
def reject(post: Post, *, moderator: User, reason: str) -> Post:
    """Turn down a held post: it is never published; its text goes."""
    _require_moderator(post.thread.space, moderator)
    post = _lock_post(post)
    if post.is_deleted or post.state != Post.State.HELD:
        raise ModerationRefused(_("This post is no longer waiting for review."))
    return _remove(post, moderator, reason, "dialogue.mod_post_rejected")


@transaction.atomic
def remove(post: Post, *, moderator: User, reason: str) -> Post:
    """Delete a published or hidden post, with a reason; the thread shows that a
    moderator removed it."""
    _require_moderator(post.thread.space, moderator)
    post = _lock_post(post)
    if post.is_deleted:
        raise ModerationRefused(_("This post is already deleted."))
    if post.state == Post.State.HELD:
        raise ModerationRefused(_("A held post is rejected, not deleted."))
    return _remove(post, moderator, reason, "dialogue.mod_post_removed")


@transaction.atomic
def lock_set(thread: Thread, *, moderator: User, locked: bool) -> Thread:
    _require_moderator(thread.space, moderator)
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
    _audit(
        "dialogue.mod_thread_locked" if locked else "dialogue.mod_thread_unlocked",
        moderator,
        None,
        target=thread,
        space=thread.space,
        thread=thread.title,
    )
    return thread


# Sanctions -----------------------------------------------------------------------------


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
    _require_moderator(space, moderator)
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
    _audit(action, moderator, post, **extra)
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
    _tell_author(post, text + " " + _("You can appeal."), sanction_url(made))


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
    _audit_sanction("dialogue.mod_sanction_lifted", moderator, made)
    _tell_about_sanction(made, _("A moderator lifted your %(kind)s early."))
    return made


def _audit_sanction(
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


def _tell_about_sanction(made: Sanction, message: str) -> None:
    user = made.user if made.user is not None else None
    if made.pseudonym is not None:
        user = owner_of(made.pseudonym)
    if user is not None and user.is_active:
        _tell(
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


# Appeals -------------------------------------------------------------------------------


@transaction.atomic
def appeal_file(
    *,
    user: User,
    statement: str,
    post: Post | None = None,
    sanction: Sanction | None = None,
) -> Appeal:
    """The author of a hidden post, or the member under a sanction, asks for another
    look; one open appeal at a time. The appellant is not stored: he is implied by
    what is appealed."""
    if (post is None) == (sanction is None):
        raise ValueError("appeal a post or a sanction")
    if not statement.strip():
        raise ModerationRefused(_("Tell the moderators why they should look again."))
    if post is not None:
        if not is_author(post, user) or post.is_deleted:
            raise PermissionDenied
        if post.state != Post.State.HIDDEN:
            raise ModerationRefused(_("Only a hidden post can be appealed."))
        organization = post.thread.space.organization
        existing = Appeal.objects.filter(post=post)
    else:
        assert sanction is not None
        if not sanction_for_member(sanction, user):
            raise PermissionDenied
        organization = sanction.organization
        existing = Appeal.objects.filter(sanction=sanction)
    if existing.filter(outcome=Appeal.Outcome.OPEN).exists():
        raise ModerationRefused(
            _("Your appeal is already with the moderators. You will hear from them.")
        )
    try:
        with transaction.atomic():
            pseudonymous = (post is not None and post.pseudonym_id is not None) or (
                sanction is not None and sanction.pseudonym_id is not None
            )
            appeal = Appeal.objects.create(
                organization=organization,
                post=post,
                sanction=sanction,
                statement=statement.strip(),
                # His own act as the pseudonym: stored to the day.
                created_at=safespace.day_start() if pseudonymous else timezone.now(),
            )
    except IntegrityError:
        raise ModerationRefused(
            _("Your appeal is already with the moderators. You will hear from them.")
        ) from None
    if post is not None:
        _audit("dialogue.mod_appeal_filed", None, _lock_post(post), target=appeal)
    else:
        assert sanction is not None
        _audit_sanction("dialogue.mod_appeal_filed", None, sanction)
    return appeal


def appeal_space(appeal: Appeal) -> Space | None:
    if appeal.post is not None:
        return appeal.post.thread.space
    assert appeal.sanction is not None
    return appeal.sanction.space


def can_decide(appeal: Appeal, user: User) -> bool:
    if appeal.post is not None:
        return can_moderate(appeal.post.thread.space, user)
    assert appeal.sanction is not None
    return can_act_on_sanction(appeal.sanction, user)


def acted_by(appeal: Appeal) -> int | None:
    """The moderator whose decision is appealed (None: the flags hid the post)."""
    if appeal.sanction is not None:
        return appeal.sanction.created_by_id
    assert appeal.post is not None
    event = (
        AuditEvent.objects.filter(
            target_type="dialogue.post",
            # By uid (audit_key); rows written before 0006 named the pk.
            target_id__in=(str(appeal.post.uid), str(appeal.post.pk)),
            action__in=("dialogue.mod_post_hidden", "dialogue.mod_post_auto_hidden"),
        )
        .order_by("-created_at", "-id")
        .first()
    )
    return event.actor_id if event is not None else None


@transaction.atomic
def appeal_decide(
    appeal: Appeal, *, moderator: User, overturn: bool, response: str
) -> Appeal:
    """Another moderator than the one who acted decides, when there is another. An
    overturned appeal restores the post or lifts the sanction; the member is told."""
    if not can_decide(appeal, moderator):
        raise PermissionDenied
    appeal = (
        Appeal.objects.select_for_update(of=("self",))
        .select_related(
            "post__thread__space__organization",
            "post__author",
            "post__pseudonym",
            "sanction__space",
            "sanction__organization",
            "sanction__pseudonym",
            "sanction__user",
        )
        .get(pk=appeal.pk)
    )
    if appeal.outcome != Appeal.Outcome.OPEN:
        raise ModerationRefused(_("This appeal has been decided already."))
    if not response.strip():
        raise ModerationRefused(_("Write an answer: the member reads it."))
    acting = acted_by(appeal)
    if acting == moderator.pk:
        space = appeal_space(appeal)
        others = (
            moderators_of(space).exclude(pk=moderator.pk).exists()
            if space is not None
            else Membership.objects.filter(
                organization=appeal.organization,
                role__in=(Role.FACILITATOR, Role.PROGRAM_ADMIN),
                user__is_active=True,
            )
            .exclude(user=moderator)
            .exists()
        )
        if others:
            raise ModerationRefused(
                _(
                    "You made the decision this appeal is about: another moderator "
                    "decides it."
                )
            )
    appeal.outcome = Appeal.Outcome.OVERTURNED if overturn else Appeal.Outcome.UPHELD
    appeal.response = response.strip()
    appeal.decided_by = moderator
    about = appeal.post if appeal.post is not None else appeal.sanction
    appeal.decided_at = (
        safespace.day_start()
        if about is not None and about.pseudonym_id is not None
        else timezone.now()
    )
    appeal.save(update_fields=("outcome", "response", "decided_by", "decided_at"))
    verdict = (
        _("The moderators reversed the decision.")
        if overturn
        else _("The moderators looked again; the decision stands.")
    )
    if appeal.post is not None:
        post = appeal.post
        if overturn and post.state == Post.State.HIDDEN and not post.is_deleted:
            Post.objects.filter(pk=post.pk).update(
                state=Post.State.PUBLISHED, moderated_at=appeal.decided_at
            )
            _resolve_flags(post, Flag.Outcome.DISAGREED)
        _audit(
            "dialogue.mod_appeal_decided",
            moderator,
            post,
            target=appeal,
            outcome=appeal.outcome,
        )
        _tell_author(
            post,
            _("Your appeal about your post in “%(thread)s”: %(verdict)s %(response)s")
            % {
                "thread": post.thread.title,
                "verdict": verdict,
                "response": appeal.response,
            },
            appeal_post_url(post),
        )
    else:
        made = appeal.sanction
        assert made is not None
        if overturn and made.lifted_at is None:
            made.lifted_at = appeal.decided_at
            made.save(update_fields=("lifted_at",))
        _audit_sanction(
            "dialogue.mod_appeal_decided", moderator, made, outcome=appeal.outcome
        )
        _tell_about_sanction(
            made,
            _("Your appeal about your %(kind)s: ")
            + (verdict + " " + appeal.response).replace("%", "%%"),
        )
    return appeal


# Trust by hand -------------------------------------------------------------------------


@transaction.atomic
def trust_set(
    organization: Organization, user: User, *, level: int, moderator: User, space: Space
) -> MemberTrust:
    """A moderator sets a member's level (0–3); the automatic rule then leaves it."""
    _require_moderator(space, moderator)
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


# The 48-hour alert ---------------------------------------------------------------------


@dataclass(frozen=True)
class Waiting:
    target: Post | Appeal
    organization: Organization
    # None: an organization-wide sanction's appeal (the organization's moderators).
    space: Space | None
    since: datetime
    what: str


def waiting_items(now: datetime) -> list[Waiting]:
    """Queue items that have waited SLA or longer and not been alerted since."""
    cutoff = now - SLA
    found: list[Waiting] = []
    for post in Post.objects.filter(
        state=Post.State.HELD, deleted_at__isnull=True, created_at__lte=cutoff
    ).select_related("thread__space__organization", "thread__space__circle"):
        found.append(
            Waiting(
                post,
                post.thread.space.organization,
                post.thread.space,
                post.created_at,
                _("A held post"),
            )
        )
    flagged = (
        Flag.objects.filter(outcome=Flag.Outcome.OPEN, post__deleted_at__isnull=True)
        .values("post_id")
        .annotate(first=Min("created_at"))
        .filter(first__lte=cutoff)
    )
    firsts = {row["post_id"]: row["first"] for row in flagged}
    for post in Post.objects.filter(pk__in=firsts).select_related(
        "thread__space__organization", "thread__space__circle"
    ):
        found.append(
            Waiting(
                post,
                post.thread.space.organization,
                post.thread.space,
                firsts[post.pk],
                _("A flagged post"),
            )
        )
    for appeal in Appeal.objects.filter(
        outcome=Appeal.Outcome.OPEN, created_at__lte=cutoff
    ).select_related(
        "post__thread__space__organization",
        "sanction__space__organization",
        "organization",
    ):
        found.append(
            Waiting(
                appeal,
                appeal.organization,
                appeal_space(appeal),
                appeal.created_at,
                _("An appeal"),
            )
        )
    return [item for item in found if not _alerted(item)]


def _alerted(item: Waiting) -> bool:
    due = item.since + SLA
    if item.space is not None and item.space.is_safe:
        # Safe-space rows are dated to their day (audit_record(day_only=True)).
        due = safespace.day_start(due)
    return AuditEvent.objects.filter(
        action="dialogue.mod_queue_alert",
        target_type=item.target._meta.label_lower,
        # By uid for a post (audit_key); rows written before 0006 named the pk.
        target_id__in={
            audit_key(item.target) or str(item.target.pk),
            str(item.target.pk),
        },
        created_at__gte=due,
    ).exists()


def send_alerts(now: datetime | None = None) -> int:
    """Tell the moderators of each item waiting 48 hours, once per item (an audit row
    records the alert). Returns the number of items alerted."""
    moment = now or timezone.now()
    sent = 0
    for item in waiting_items(moment):
        with transaction.atomic():
            space, organization = item.space, item.organization
            url = reverse("dialogue:moderation", kwargs={"org": organization.slug})
            if isinstance(item.target, Post):
                url = reverse(
                    "dialogue:moderate_post",
                    kwargs={"org": organization.slug, "post_uid": item.target.uid},
                )
            moderators = (
                moderators_of(space)
                if space is not None
                else _organization_moderators(organization)
            )
            for user in moderators:
                _tell(
                    user,
                    organization,
                    _(
                        "%(what)s has waited more than 48 hours in the moderation "
                        "queue of %(org)s."
                    )
                    % {"what": item.what, "org": organization.name},
                    url,
                )
            safe = space is not None and space.is_safe
            audit_record(
                action="dialogue.mod_queue_alert",
                organization=organization,
                target=item.target,
                target_key=audit_key(item.target),
                data={
                    "space": space.name if space else "",
                    "space_id": space.pk if space else None,
                    "since": (
                        safespace.coarse_iso(item.since)
                        if safe
                        else item.since.isoformat()
                    ),
                },
                day_only=safe,
            )
            sent += 1
    return sent


__all__ = [
    "SLA",
    "SUSPENSION_DAYS",
    "ModerationRefused",
    "Sanctioned",
    "ThreadLocked",
    "appeal_decide",
    "appeal_file",
    "approve",
    "flag_post",
    "gate_post",
    "hide",
    "lift",
    "lock_set",
    "reject",
    "remove",
    "restore",
    "sanction",
    "send_alerts",
    "trust_set",
]
