"""A member's dialogue data: exported on request, removed or anonymized on erasure.

Acceptances, reactions, follows and digest choices are his own and go. His posts are
part of other people's conversations: they stay, without his name, shown as "A former
member" (DESIGN privacy rule 5: anonymized, not broken). Threads he started stay too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction

from alongside.dialogue.models import (
    DigestSubscription,
    GuidelinesAcceptance,
    Post,
    Reaction,
    Space,
    Subscription,
    Thread,
)

if TYPE_CHECKING:
    from alongside.accounts.models import User


def export_user_data(user: User) -> dict[str, Any]:
    posts = (
        Post.objects.filter(author=user)
        .select_related("thread__space__organization")
        .order_by("created_at", "id")
    )
    return {
        "posts": [
            {
                "organization": p.thread.space.organization.slug,
                "space": p.thread.space.name,
                "thread": p.thread.title,
                "body": p.body,
                "created_at": p.created_at.isoformat(),
                "edited_at": p.edited_at.isoformat() if p.edited_at else None,
                "deleted_at": p.deleted_at.isoformat() if p.deleted_at else None,
            }
            for p in posts
        ],
        "reactions": [
            {"post": r.post_id, "kind": r.kind, "created_at": r.created_at.isoformat()}
            for r in Reaction.objects.filter(user=user).order_by("created_at", "id")
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
    }


@transaction.atomic
def erase_user_data(user: User) -> None:
    Reaction.objects.filter(user=user).delete()
    Subscription.objects.filter(user=user).delete()
    DigestSubscription.objects.filter(user=user).delete()
    GuidelinesAcceptance.objects.filter(user=user).delete()
    Post.objects.filter(author=user).update(author=None)
    Thread.objects.filter(started_by=user).update(started_by=None)
    Space.objects.filter(created_by=user).update(created_by=None)
