from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DialogueConfig(AppConfig):
    name = "alongside.dialogue"
    verbose_name = "Dialogue"

    def ready(self) -> None:
        from alongside.audit.models import register_action_labels

        register_action_labels(
            {
                "dialogue.space_created": _("Opened a discussion space"),
                "dialogue.guidelines_changed": _(
                    "Changed a discussion space's guidelines (members accept again)"
                ),
                "dialogue.listening_phase_changed": _(
                    "Moved a listening round to its next phase"
                ),
            }
        )
