"""A member's pledges data: exported on request, deleted when the account is erased.

Confirmation requests the member *sent* are their data, recipient addresses included.
Confirmations given by someone as a confirmer are not linked to any account, and
opt-outs hold only a digest of an address, so neither is part of anyone's export.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction

from alongside.pledges.models import Action, ConfirmationRequest, Pledge

if TYPE_CHECKING:
    from datetime import date, datetime

    from alongside.accounts.models import User


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _request_status(request: ConfirmationRequest) -> str:
    # As the ally sees it everywhere else: a decline is indistinguishable from silence.
    if request.is_confirmed:
        return "confirmed"
    return "waiting" if request.awaits_answer else "no answer"


def export_user_data(user: User) -> dict[str, Any]:
    pledges = (
        Pledge.objects.filter(member=user)
        .select_related("organization")
        .prefetch_related("commitments", "pauses")
        .order_by("created_at", "id")
    )
    actions = (
        Action.objects.filter(member=user)
        .select_related("organization", "commitment")
        .order_by("occurred_on", "id")
    )
    requests = (
        ConfirmationRequest.objects.filter(requester=user)
        .select_related("action")
        .order_by("created_at", "id")
    )
    return {
        "pledges": [
            {
                "id": p.pk,
                "organization": p.organization.slug,
                "statement": p.statement,
                "cadence": p.cadence,
                "visibility": p.visibility,
                "status": p.status,
                "started_on": _iso(p.started_on),
                "target_date": _iso(p.target_date),
                "created_at": _iso(p.created_at),
                "paused_at": _iso(p.paused_at),
                "renewed_at": _iso(p.renewed_at),
                "completed_at": _iso(p.completed_at),
                "pauses": [
                    {"started_on": _iso(x.started_on), "ended_on": _iso(x.ended_on)}
                    for x in p.pauses.all()
                ],
                "commitments": [
                    {
                        "id": c.pk,
                        "title": c.title,
                        "specifics": c.specifics,
                        "outcome": c.outcome,
                        "reflection": c.reflection,
                        "ended_at": _iso(c.ended_at),
                    }
                    for c in p.commitments.all()
                ],
            }
            for p in pledges
        ],
        "actions": [
            {
                "id": a.pk,
                "organization": a.organization.slug,
                "commitment_id": a.commitment_id,
                "commitment": a.commitment.title,
                "occurred_on": _iso(a.occurred_on),
                "description": a.description,
                "visibility": a.visibility,
                "created_at": _iso(a.created_at),
                "confirmed_at": _iso(a.confirmed_at),
                "confirmation_note": a.confirmation_note,
            }
            for a in actions
        ],
        "confirmation_requests": [
            {
                "action_id": r.action_id,
                "recipient_name": r.recipient_name,
                "recipient_email": r.recipient_email,
                "sent_at": _iso(r.created_at),
                "expires_at": _iso(r.expires_at),
                "status": _request_status(r),
            }
            for r in requests
        ],
    }


@transaction.atomic
def erase_user_data(user: User) -> None:
    """Delete the member's pledges, commitments, actions and the requests they sent."""
    ConfirmationRequest.objects.filter(requester=user).delete()
    Action.objects.filter(member=user).delete()
    Pledge.objects.filter(member=user).delete()
