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
    from alongside.accounts.models import User


def export_user_data(user: User) -> dict[str, Any]:
    # His own pseudonyms only, found by their keyed digests: never anyone else's.
    pseudonyms = safespace.pseudonyms_of(user)
    posts = (
        Post.objects.filter(
            Q(author=user) | Q(pseudonym__in=[p.pk for p in pseudonyms])
        )
        .select_related("thread__space__organization", "pseudonym")
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
                "organization": p.thread.space.organization.slug,
                "space": p.thread.space.name,
                "thread": p.thread.title,
                "pseudonym": p.pseudonym.handle if p.pseudonym else None,
                "body": p.body,
                "created_at": p.created_at.isoformat(),
                "edited_at": p.edited_at.isoformat() if p.edited_at else None,
                "deleted_at": p.deleted_at.isoformat() if p.deleted_at else None,
            }
            for p in posts
        ],
        "reactions": [
            {"post": r.post_id, "kind": r.kind, "created_at": r.created_at.isoformat()}
            for r in Reaction.objects.filter(
                Q(user=user) | Q(pseudonym__in=[p.pk for p in pseudonyms])
            ).order_by("created_at", "id")
        ],
        "guidelines_accepted": [
            {
                "space": a.space.name,
                "version": a.version,
                "accepted_at": a.accepted_at.isoformat(),
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
        "daily_digests": list(
            DigestSubscription.objects.filter(user=user).values_list(
                "space__name", flat=True
            )
        ),
        # Moderation: the flags he made (never the flags others made on his posts:
        # a reported member never learns who reported him), the sanctions against
        # him by name, and his trust levels.
        "flags_made": [
            {
                "post": str(f.post.uid),
                "reason": f.reason,
                "detail": f.detail,
                "outcome": f.outcome,
                "created_at": f.created_at.isoformat(),
            }
            for f in Flag.objects.filter(reporter=user)
            .select_related("post")
            .order_by("created_at", "id")
        ],
        "sanctions": [
            {
                "organization": s.organization.slug,
                "kind": s.kind,
                "reason": s.reason,
                "space": s.space.name if s.space else None,
                "created_at": s.created_at.isoformat(),
                "ends_at": s.ends_at.isoformat() if s.ends_at else None,
                "lifted_at": s.lifted_at.isoformat() if s.lifted_at else None,
            }
            for s in Sanction.objects.filter(user=user).select_related(
                "organization", "space"
            )
        ],
        "trust_levels": [
            {"organization": t.organization.slug, "level": t.level}
            for t in MemberTrust.objects.filter(user=user).select_related(
                "organization"
            )
        ],
    }


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
