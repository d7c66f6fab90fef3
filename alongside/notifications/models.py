from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from alongside.accounts.models import User


class NotificationQuerySet(models.QuerySet["Notification"]):
    def for_user(self, user: User) -> NotificationQuerySet:
        return self.filter(user=user)

    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)

    def mark_read(self) -> int:
        """Mark the unread ones read; return how many changed."""
        return self.unread().update(read_at=timezone.now())


class Notification(models.Model):
    class Kind(models.TextChoices):
        CONFIRMATION = "confirmation", _("Confirmation")
        KUDOS = "kudos", _("Kudos")
        BADGE = "badge", _("Badge")
        REMINDER = "reminder", _("Reminder")
        ORGANIZATION = "organization", _("Organization")
        CONCERN = "concern", _("Concern")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    message = models.CharField(max_length=300)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = (
            models.Index(
                fields=("user", "read_at", "-created_at"), name="notification_inbox"
            ),
        )

    def __str__(self) -> str:
        return self.message

    def mark_read(self) -> None:
        if self.read_at is None:
            self.read_at = timezone.now()
            self.save(update_fields=("read_at",))


class NotificationPreference(models.Model):
    """Which news a user also wants by email; in-app notifications always arrive.

    A user without a row gets every email (the defaults below).
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preference",
    )
    email_confirmations = models.BooleanField(
        _("answers to my confirmation requests"), default=True
    )
    email_kudos = models.BooleanField(_("kudos I receive"), default=True)
    email_badges = models.BooleanField(_("badges I earn or lose"), default=True)
    email_reminders = models.BooleanField(
        _("check-in reminders for my pledges"), default=True
    )
    updated_at = models.DateTimeField(auto_now=True)

    # Which preference decides the email for each kind; other kinds (organization
    # news, concerns) are always emailed.
    FIELD_FOR_KIND: ClassVar[dict[str, str]] = {
        Notification.Kind.CONFIRMATION: "email_confirmations",
        Notification.Kind.KUDOS: "email_kudos",
        Notification.Kind.BADGE: "email_badges",
        Notification.Kind.REMINDER: "email_reminders",
    }

    def __str__(self) -> str:
        return f"notification preferences of user {self.user_id}"

    @classmethod
    def for_user(cls, user: User) -> NotificationPreference:
        """The user's preferences; an unsaved row with the defaults if he never chose."""
        try:
            preference: NotificationPreference = cls.objects.get(user=user)
        except cls.DoesNotExist:
            preference = cls(user=user)
        return preference

    def wants_email(self, kind: str) -> bool:
        field = self.FIELD_FOR_KIND.get(kind)
        return field is None or bool(getattr(self, field))


class NoticeQuerySet(models.QuerySet["Notice"]):
    def for_user(self, user: User, *, everywhere: bool = False) -> NoticeQuerySet:
        """The notices addressed to `user`'s addresses (see `addresses`): in the
        organizations he belongs to now, or with `everywhere` in any."""
        from alongside.notifications.addresses import addresses_of

        return self.filter(address__in=addresses_of(user, everywhere=everywhere))

    def unread(self) -> NoticeQuerySet:
        return self.filter(is_read=False)

    def mark_read(self) -> int:
        return self.unread().update(is_read=True)


class Notice(models.Model):
    """An in-app notification about pseudonymous content (a safe space).

    Addressed to an opaque address (a pseudonym's id), never to a user: the database
    alone cannot tell whose it is. The owner's session finds his addresses at read
    time (`addresses.addresses_of`). A random id and the day only, so that neither
    the row's order nor its time can be matched with anything else of the day.
    `mail_to_sealed` holds, sealed, whom to tell by the daily mail, until it goes."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    address = models.CharField(max_length=64, db_index=True)
    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    kind = models.CharField(
        max_length=20,
        choices=Notification.Kind.choices,
        default=Notification.Kind.ORGANIZATION,
    )
    message = models.CharField(max_length=300)
    url = models.CharField(max_length=300, blank=True)
    day = models.DateField(default=timezone.localdate)
    is_read = models.BooleanField(default=False)
    mail_to_sealed = models.TextField(blank=True)

    objects = NoticeQuerySet.as_manager()

    class Meta:
        ordering = ("-day", "id")

    def __str__(self) -> str:
        return self.message

    def mark_read(self) -> None:
        if not self.is_read:
            self.is_read = True
            self.save(update_fields=("is_read",))


class SafeSpaceMailSent(models.Model):
    """That one person got the daily "news in a safe space" mail on one day, as a
    keyed hash of (user, day): at most one such mail a day, and nobody without the key
    can tell who got one."""

    token = models.CharField(max_length=64, primary_key=True)
    # Only to forget the tokens once their day is over.
    day = models.DateField()

    def __str__(self) -> str:
        return self.token
