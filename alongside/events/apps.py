from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "alongside.events"
    verbose_name = "Events"

    def ready(self) -> None:
        from alongside.audit.models import register_action_labels

        register_action_labels(
            {
                "event.created": _("Scheduled an event"),
                "event.updated": _("Changed an event"),
                "event.cancelled": _("Cancelled an event"),
                "event.check_in_code_changed": _("Gave an event a new check-in code"),
                "event.attendance_marked": _("Marked attendance at an event"),
            }
        )
