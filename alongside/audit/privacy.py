"""Audit events: the rows stay (the log is append-only), their link to the person does not."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from alongside.audit.models import AuditEvent

if TYPE_CHECKING:
    from alongside.accounts.models import User


def export_user_data(user: User) -> dict[str, Any]:
    events = AuditEvent.objects.filter(actor=user).select_related("organization")
    return {
        "actions_recorded": [
            {
                "action": e.action,
                "organization": e.organization.name if e.organization else None,
                "created_at": e.created_at.isoformat(),
                "ip": e.ip,
            }
            for e in events
        ]
    }


def erase_user_data(user: User) -> None:
    # Deleting the user sets `actor` to NULL. The IP address would still point at the
    # person, so it is cleared here: the only update this append-only log allows, made
    # through the base manager because the default one refuses every update.
    AuditEvent._base_manager.filter(actor=user).exclude(ip=None).update(ip=None)
