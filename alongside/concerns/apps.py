from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConcernsConfig(AppConfig):
    name = "alongside.concerns"
    verbose_name = "Concerns"

    def ready(self) -> None:
        from alongside.audit.models import register_action_labels

        register_action_labels(
            {
                "concern.raised": _("A concern was raised"),
                "concern.queue_viewed": _("Opened the concern queue"),
                "concern.viewed": _("Read a concern"),
                "concern.note_added": _("Added a note to a concern"),
                "concern.status_changed": _("Changed a concern's status"),
                "concern.assigned": _("Assigned a concern"),
            }
        )
