from __future__ import annotations

import logging
from datetime import date
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from alongside.notifications.addresses import readdress
from alongside.notifications.email import queue_email
from alongside.notifications.models import (
    Notice,
    Notification,
    NotificationPreference,
    SafeSpaceMailSent,
)
from alongside.notifications.sealing import SealError, keyed_token, seal, unseal

if TYPE_CHECKING:
    from alongside.accounts.models import User
    from alongside.organizations.models import Organization

logger = logging.getLogger(__name__)

MAIL_TO_LABEL = b"notice-mail-to"
MAIL_DAY_LABEL = b"safe-space-mail-day"


def _check_url(url: str) -> None:
    if url and (not url.startswith("/") or url.startswith("//")):
        raise ValueError(f"notification links must be site paths, not {url!r}")


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
    News about pseudonymous content goes through `notice_send` instead.
    """
    _check_url(url)
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


def notice_send(
    *,
    address: str,
    user: User,
    organization: Organization | None,
    kind: str = Notification.Kind.ORGANIZATION,
    message: str,
    url: str = "",
    email: bool = True,
) -> Notice:
    """Tell `user` of pseudonymous news (a safe space), addressed to `address` (his
    pseudonym's id), never to him: the row holds no user and only the day.

    No email now, and none that says what happened: when `email`, the daily
    `send_safe_space_news` tells him there is news for him in a safe space (his id
    sealed on the row until then). The moment of the mail says nothing of the moment
    of the news."""
    _check_url(url)
    if not address:
        raise ValueError("a notice needs an address")
    notice = Notice(
        address=address,
        organization=organization,
        kind=kind,
        message=message[:300],
        url=url,
    )
    if (
        email
        and user.is_active
        and NotificationPreference.for_user(user).wants_email(kind)
    ):
        notice.mail_to_sealed = seal(
            str(user.pk).encode(), label=MAIL_TO_LABEL, bound_to=str(notice.pk)
        )
    notice.save(force_insert=True)
    return notice


def safe_space_news_send(*, today: date | None = None) -> int:
    """The daily mail: each person with notices from before today that are still to
    be mailed gets one email saying only that there is news for him in a safe space,
    with a link to his notifications. Idempotent, and at most one such mail per person
    a day (a keyed hash of person and day is kept for the day). Returns how many were
    queued."""
    day = today or timezone.localdate()
    SafeSpaceMailSent.objects.filter(day__lt=day).delete()
    by_user: dict[int, list[Any]] = {}
    broken: list[Any] = []
    pending = Notice.objects.filter(day__lt=day).exclude(mail_to_sealed="")
    for pk, sealed in pending.values_list("pk", "mail_to_sealed"):
        try:
            user_id = int(unseal(sealed, label=MAIL_TO_LABEL, bound_to=str(pk)))
        except (SealError, ValueError):
            broken.append(pk)
            continue
        by_user.setdefault(user_id, []).append(pk)
    if broken:
        logger.warning("%d safe-space notices had an unopenable recipient", len(broken))
        Notice.objects.filter(pk__in=broken).update(mail_to_sealed="")
    users = get_user_model().objects.in_bulk(list(by_user))
    sent = 0
    for user_id, ids in by_user.items():
        with transaction.atomic():
            token = keyed_token(f"{user_id}:{day.isoformat()}", label=MAIL_DAY_LABEL)
            _row, created = SafeSpaceMailSent.objects.get_or_create(
                token=token, defaults={"day": day}
            )
            if not created:
                continue  # already told today: these wait for tomorrow
            cleared = (
                Notice.objects.filter(pk__in=ids)
                .exclude(mail_to_sealed="")
                .update(mail_to_sealed="")
            )
            user = users.get(user_id)
            if not cleared or user is None or not user.is_active:
                continue
            queue_email(
                to=user.email,
                template="notifications/email/safe_space_news",
                context={"user": user, "url": reverse("notifications:list")},
            )
            sent += 1
    return sent


def notifications_readdress(batch: int = 500) -> tuple[int, int]:
    """Move notifications stored before notices existed that carry pseudonymous news
    to notices addressed to the pseudonym (the day only), and drop those whose address
    cannot be found: afterwards no notification row ties a member to a pseudonymous
    post. Safe to run again. Returns (moved, dropped)."""
    moved = dropped = 0
    last = 0
    while True:
        page = list(
            Notification.objects.filter(pk__gt=last)
            .exclude(url="")
            .select_related("user")
            .order_by("pk")[:batch]
        )
        if not page:
            return moved, dropped
        last = page[-1].pk
        for notification in page:
            address = readdress(notification.user, notification.url)
            if address is None:
                continue
            with transaction.atomic():
                if address:
                    Notice.objects.create(
                        address=address,
                        organization_id=notification.organization_id,
                        kind=notification.kind,
                        message=notification.message,
                        url=notification.url,
                        day=timezone.localdate(notification.created_at),
                        is_read=notification.read_at is not None,
                    )
                    moved += 1
                else:
                    dropped += 1
                notification.delete()
