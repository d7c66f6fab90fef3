"""A member's dialogue data: exported on request, removed or anonymized on erasure.

Acceptances, reactions, follows and digest choices are his own and go. His posts are
part of other people's conversations: they stay, without his name, shown as "A former
member" (DESIGN privacy rule 5: anonymized, not broken). Threads he started stay too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Q

from alongside.dialogue import safespace
from alongside.dialogue.models import (
    Appeal,
    DigestSubscription,
    Flag,
    GuidelinesAcceptance,
    MemberTrust,
    Post,
    Reaction,
    Sanction,
    Space,
    Subscription,
    Thread,
)

if TYPE_CHECKING:
    from datetime import datetime

    from alongside.accounts.models import User


def _when(moment: datetime | None, safe: bool) -> str | None:
    """A time in the export: about safe-space content the date only (DESIGN rule 2:
    even his own copy dates a pseudonym's acts no finer than the day)."""
    if moment is None:
        return None
    return safespace.coarse_iso(moment) if safe else moment.isoformat()


def export_user_data(user: User) -> dict[str, Any]:
    """Everything dialogue holds about him, under his name and under each of his
    pseudonyms (found by their keyed digests: never anyone else's). The download is
    his only, after a recent sign-in (accounts.views.data_export)."""
    pseudonyms = safespace.pseudonyms_of(user)
    mine = [p.pk for p in pseudonyms]
    handles = {p.pk: p.handle for p in pseudonyms}
    posts = (
        Post.objects.filter(Q(author=user) | Q(pseudonym__in=mine))
        .select_related("thread__space__organization", "pseudonym")
        .order_by("created_at", "id")
    )
    sanctions = (
        Sanction.objects.filter(Q(user=user) | Q(pseudonym__in=mine))
        .select_related("organization", "space", "post")
        .order_by("created_at", "id")
    )
    appeals = (
        Appeal.objects.filter(
            Q(post__author=user)
            | Q(post__pseudonym__in=mine)
            | Q(sanction__user=user)
            | Q(sanction__pseudonym__in=mine)
        )
        .select_related("post__thread__space", "sanction__space")
        .order_by("created_at", "id")
    )
    return {
        "pseudonyms": [
            {
                "organization": p.space.organization.slug,
                "space": p.space.name,
                "pseudonym": p.handle,
            }
            for p in pseudonyms
        ],
        "posts": [
            {
                "id": str(p.uid),
                "organization": p.thread.space.organization.slug,
                "space": p.thread.space.name,
                "thread": p.thread.title,
                "pseudonym": p.pseudonym.handle if p.pseudonym else None,
                "state": p.state,
                "body": p.body,
                "created_at": _when(p.created_at, p.pseudonym_id is not None),
                "edited_at": _when(p.edited_at, p.pseudonym_id is not None),
                "deleted_at": _when(p.deleted_at, p.pseudonym_id is not None),
            }
            for p in posts
        ],
        "reactions": [
            {
                "post": str(r.post.uid),
                "pseudonym": handles.get(r.pseudonym_id) if r.pseudonym_id else None,
                "kind": r.kind,
                "created_at": _when(r.created_at, r.pseudonym_id is not None),
            }
            for r in Reaction.objects.filter(Q(user=user) | Q(pseudonym__in=mine))
            .select_related("post")
            .order_by("created_at", "id")
        ],
        "guidelines_accepted": [
            {
                "space": a.space.name,
                "version": a.version,
                "accepted_at": _when(a.accepted_at, a.space.is_safe),
            }
            for a in GuidelinesAcceptance.objects.filter(user=user).select_related(
                "space"
            )
        ],
        "threads_followed": list(
            Subscription.objects.filter(user=user).values_list(
                "thread__title", flat=True
            )
        ),
        "threads_followed_as_pseudonym": [
            {
                "thread": f.thread.title,
                "space": f.thread.space.name,
                "pseudonym": f.pseudonym.handle if f.pseudonym else None,
            }
            for f in Subscription.objects.filter(pseudonym__in=mine)
            .select_related("thread__space", "pseudonym")
            .order_by("thread__title", "id")
        ],
        "daily_digests": list(
            DigestSubscription.objects.filter(user=user).values_list(
                "space__name", flat=True
            )
        ),
        # Moderation: the flags he made (never the flags others made on his posts:
        # a reported member never learns who reported him), the sanctions against
        # him by name or against his pseudonyms, his appeals, and his trust levels.
        "flags_made": [
            {
                "post": str(f.post.uid),
                "reason": f.reason,
                "detail": f.detail,
                "outcome": f.outcome,
                "created_at": _when(f.created_at, f.post.thread.space.is_safe),
            }
            for f in Flag.objects.filter(reporter=user)
            .select_related("post__thread__space")
            .order_by("created_at", "id")
        ],
        "sanctions": [
            {
                "id": str(s.pk),
                "organization": s.organization.slug,
                "kind": s.kind,
                "reason": s.reason,
                "space": s.space.name if s.space else None,
                "pseudonym": handles.get(s.pseudonym_id) if s.pseudonym_id else None,
                "post": str(s.post.uid) if s.post else None,
                "created_at": _when(s.created_at, s.pseudonym_id is not None),
                "ends_at": _when(s.ends_at, s.pseudonym_id is not None),
                "lifted_at": _when(s.lifted_at, s.pseudonym_id is not None),
            }
            for s in sanctions
        ],
        "appeals": [
            {
                "post": str(a.post.uid) if a.post else None,
                "sanction": str(a.sanction_id) if a.sanction_id else None,
                "statement": a.statement,
                "outcome": a.outcome,
                "response": a.response,
                "created_at": _when(a.created_at, _about_pseudonym(a)),
                "decided_at": _when(a.decided_at, _about_pseudonym(a)),
            }
            for a in appeals
        ],
        "trust_levels": [
            {"organization": t.organization.slug, "level": t.level}
            for t in MemberTrust.objects.filter(user=user).select_related(
                "organization"
            )
        ],
    }


def _about_pseudonym(appeal: Appeal) -> bool:
    if appeal.post is not None:
        return appeal.post.pseudonym_id is not None
    return appeal.sanction is not None and appeal.sanction.pseudonym_id is not None


@transaction.atomic
def erase_user_data(user: User) -> None:
    Reaction.objects.filter(user=user).delete()
    Subscription.objects.filter(user=user).delete()
    DigestSubscription.objects.filter(user=user).delete()
    GuidelinesAcceptance.objects.filter(user=user).delete()
    Flag.objects.filter(reporter=user).delete()
    MemberTrust.objects.filter(user=user).delete()
    Post.objects.filter(author=user).update(author=None)
    Thread.objects.filter(started_by=user).update(started_by=None)
    Space.objects.filter(created_by=user).update(created_by=None)
    # Safe spaces: his pseudonyms' follows go and their link to him is cut; the
    # pseudonyms and their posts stay, now unlinkable by anyone, key holders included.
    safespace.forget_owner(user)
