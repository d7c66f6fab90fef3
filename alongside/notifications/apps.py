from __future__ import annotations

from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "alongside.notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from alongside.notifications import receivers  # noqa: F401
