"""What the recognition app holds about a person, for the data download and erasure.

The download lists the kudos the person gave and received (with the other member's
display name, as the wall and profile show it, never an email address) and the badges
awarded to them (with a revocation's reason, but not which admin revoked it).

Erasure deletes the kudos they gave and received and their badge awards. Badges they
revoked as a program admin keep the revocation and its reason; only the link to them
goes (set to NULL when the User row is deleted).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from alongside.recognition.models import BadgeAward, Kudos

if TYPE_CHECKING:
    from alongside.accounts.models import User


def _kudos(kudos: Kudos, *, other: User) -> dict[str, Any]:
    return {
        "organization": kudos.organization.name,
        "member": other.name,
        "for": "action" if kudos.action_id is not None else "pledge",
        "what": kudos.target_title,
        "message": kudos.message,
        "given_at": kudos.created_at.isoformat(),
    }


def export_user_data(user: User) -> dict[str, Any]:
    related = ("organization", "giver", "receiver", "action__commitment", "pledge")
    given = Kudos.objects.filter(giver=user).select_related(*related)
    received = Kudos.objects.filter(receiver=user).select_related(*related)
    awards = BadgeAward.objects.filter(member=user).select_related("organization")
    return {
        "kudos_given": [_kudos(k, other=k.receiver) for k in given],
        "kudos_received": [_kudos(k, other=k.giver) for k in received],
        "badges": [
            {
                "organization": award.organization.name,
                "badge": award.name,
                "awarded_at": award.awarded_at.isoformat(),
                "revoked_at": award.revoked_at.isoformat()
                if award.revoked_at
                else None,
                "revoke_reason": award.revoke_reason,
            }
            for award in awards
        ],
    }


def erase_user_data(user: User) -> None:
    Kudos.objects.filter(giver=user).delete()
    Kudos.objects.filter(receiver=user).delete()
    BadgeAward.objects.filter(member=user).delete()
