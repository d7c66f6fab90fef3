"""Appeals against a hidden post or a sanction, decided by another moderator than
the one who acted when there is another."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alongside.audit.models import AuditEvent
from alongside.dialogue import safespace
from alongside.dialogue.models import Appeal, Flag, Post, Sanction, Space
from alongside.dialogue.moderation.authors import is_author
from alongside.dialogue.moderation.common import (
    ModerationRefused,
    appeal_post_url,
    audit,
    lock_post,
    tell_author,
)
from alongside.dialogue.moderation.flags import resolve_flags
from alongside.dialogue.moderation.moderators import can_moderate, moderators_of
from alongside.dialogue.moderation.sanctions import (
    audit_sanction,
    can_act_on_sanction,
    sanction_for_member,
    tell_about_sanction,
)
from alongside.organizations.models import Membership, Role

if TYPE_CHECKING:
    from alongside.accounts.models import User


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
        audit("dialogue.mod_appeal_filed", None, lock_post(post), target=appeal)
    else:
        assert sanction is not None
        audit_sanction("dialogue.mod_appeal_filed", None, sanction)
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
        AuditEvent.objects.for_organization(appeal.organization_id)
        .filter(
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
            else Membership.objects.for_organization(appeal.organization)
            .active()
            .filter(role__in=(Role.FACILITATOR, Role.PROGRAM_ADMIN))
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
            resolve_flags(post, Flag.Outcome.DISAGREED)
        audit(
            "dialogue.mod_appeal_decided",
            moderator,
            post,
            target=appeal,
            outcome=appeal.outcome,
        )
        tell_author(
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
        audit_sanction(
            "dialogue.mod_appeal_decided", moderator, made, outcome=appeal.outcome
        )
        tell_about_sanction(
            made,
            _("Your appeal about your %(kind)s: ")
            + (verdict + " " + appeal.response).replace("%", "%%"),
        )
    return appeal
