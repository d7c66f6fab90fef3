"""A member's circles data: exported on request, removed or anonymized on erasure.

Memberships, requests to join and invitations received are the member's own and go.
What he wrote for a circle (progress updates, goals) belongs to the circle's shared
record too: it stays, without his name (DESIGN privacy rule 5: anonymized, not broken).
A circle he was the last facilitator of passes to its longest-standing member.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction

from alongside.circles.models import (
    Circle,
    CircleInvitation,
    CircleMembership,
    Goal,
    JoinRequest,
    ProgressUpdate,
)

if TYPE_CHECKING:
    from datetime import datetime

    from alongside.accounts.models import User


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def export_user_data(user: User) -> dict[str, Any]:
    memberships = CircleMembership.objects.filter(user=user).select_related(
        "circle__organization"
    )
    requests = JoinRequest.objects.filter(user=user).select_related(
        "circle__organization"
    )
    invitations = CircleInvitation.objects.filter(invitee=user).select_related(
        "circle__organization"
    )
    updates = ProgressUpdate.objects.filter(author=user).select_related(
        "circle__organization"
    )
    goals = Goal.objects.filter(created_by=user).select_related("circle__organization")
    return {
        "memberships": [
            {
                "organization": m.circle.organization.slug,
                "circle": m.circle.name,
                "role": m.role,
                "joined_at": _iso(m.joined_at),
            }
            for m in memberships.order_by("joined_at", "id")
        ],
        "join_requests": [
            {
                "organization": r.circle.organization.slug,
                "circle": r.circle.name,
                "message": r.message,
                "status": r.status,
                "created_at": _iso(r.created_at),
                "decided_at": _iso(r.decided_at),
            }
            for r in requests.order_by("created_at", "id")
        ],
        "invitations_received": [
            {
                "organization": i.circle.organization.slug,
                "circle": i.circle.name,
                "status": i.status,
                "created_at": _iso(i.created_at),
                "answered_at": _iso(i.answered_at),
            }
            for i in invitations.order_by("created_at", "id")
        ],
        "progress_updates": [
            {
                "organization": u.circle.organization.slug,
                "circle": u.circle.name,
                "body": u.body,
                "created_at": _iso(u.created_at),
            }
            for u in updates.order_by("created_at", "id")
        ],
        "goals_added": [
            {
                "organization": g.circle.organization.slug,
                "circle": g.circle.name,
                "title": g.title,
                "description": g.description,
                "status": g.status,
            }
            for g in goals.order_by("created_at", "id")
        ],
    }


@transaction.atomic
def erase_user_data(user: User) -> None:
    from alongside.circles.services import ensure_facilitator

    circles = list(Circle.objects.filter(memberships__user=user))
    CircleMembership.objects.filter(user=user).delete()
    JoinRequest.objects.filter(user=user).delete()
    CircleInvitation.objects.filter(invitee=user).delete()
    CircleInvitation.objects.filter(invited_by=user).update(invited_by=None)
    JoinRequest.objects.filter(decided_by=user).update(decided_by=None)
    ProgressUpdate.objects.filter(author=user).update(author=None)
    Goal.objects.filter(created_by=user).update(created_by=None)
    Circle.objects.filter(created_by=user).update(created_by=None)
    for circle in circles:
        ensure_facilitator(circle)
