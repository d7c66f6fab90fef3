from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class NotificationQuerySet(models.QuerySet["Notification"]):
    def for_user(self, user: settings.AUTH_USER_MODEL) -> NotificationQuerySet:  # type: ignore[name-defined]
        return self.filter(user=user)

    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)


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
