"""A user's own notifications and email preferences."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from alongside.notifications.models import Notice, Notification, NotificationPreference

if TYPE_CHECKING:
    from alongside.accounts.models import User


def export_user_data(user: User) -> dict[str, Any]:
    preference = NotificationPreference.objects.filter(user=user).first()
    return {
        "notifications": [
            {
                "kind": n.kind,
                "message": n.message,
                "url": n.url,
                "organization": n.organization.name if n.organization else None,
                "created_at": n.created_at.isoformat(),
                "read_at": n.read_at.isoformat() if n.read_at else None,
            }
            for n in Notification.objects.for_user(user).select_related("organization")
        ],
        # Safe-space notices, found through his pseudonyms: the day only.
        "safe_space_notices": [
            {
                "kind": n.kind,
                "message": n.message,
                "url": n.url,
                "organization": n.organization.name if n.organization else None,
                "day": n.day.isoformat(),
                "read": n.is_read,
            }
            for n in Notice.objects.for_user(user, everywhere=True).select_related(
                "organization"
            )
        ],
        "email_preferences": {
            field: getattr(preference, field)
            for field in sorted(set(NotificationPreference.FIELD_FOR_KIND.values()))
        }
        if preference is not None
        else None,
    }


def erase_user_data(user: User) -> None:
    # Before dialogue's erasure cuts his pseudonyms' links (apps erase in order).
    Notice.objects.for_user(user, everywhere=True).delete()
    Notification.objects.for_user(user).delete()
    NotificationPreference.objects.filter(user=user).delete()
