from __future__ import annotations

from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "alongside.notifications"
    verbose_name = "Notifications"
