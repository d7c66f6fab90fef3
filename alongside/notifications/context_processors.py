from __future__ import annotations

from django.http import HttpRequest

from alongside.notifications.models import Notice, Notification


def unread(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "unread_notifications": Notification.objects.for_user(user).unread().count()
        + Notice.objects.for_user(user).unread().count()
    }
