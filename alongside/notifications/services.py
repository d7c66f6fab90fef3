from __future__ import annotations

from typing import TYPE_CHECKING, Any

from alongside.notifications.email import queue_email
from alongside.notifications.models import Notification, NotificationPreference

if TYPE_CHECKING:
    from alongside.accounts.models import User
    from alongside.organizations.models import Organization


def notification_send(
    *,
    user: User,
    organization: Organization | None,
    kind: str,
    message: str,
    url: str = "",
    email_template: str | None = None,
    email_context: dict[str, Any] | None = None,
) -> Notification:
    """Create an in-app notification and, when a template is given, email the same news.

    `url` must be a path on this site that `user` can open (it is shown as a link in
    his notification list). The email is skipped when he turned that kind off.
    """
    if url and (not url.startswith("/") or url.startswith("//")):
        raise ValueError(f"notification links must be site paths, not {url!r}")
    notification = Notification.objects.create(
        user=user, organization=organization, kind=kind, message=message[:300], url=url
    )
    if (
        email_template
        and user.is_active
        and NotificationPreference.for_user(user).wants_email(kind)
    ):
        context = {
            "user": user,
            "organization": organization,
            "message": message,
            "url": url,
        }
        context.update(email_context or {})
        queue_email(to=user.email, template=email_template, context=context)
    return notification
