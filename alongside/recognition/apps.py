from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecognitionConfig(AppConfig):
    name = "alongside.recognition"
    verbose_name = "Recognition"

    def ready(self) -> None:
        from alongside.audit.models import register_action_labels
        from alongside.recognition import receivers

        receivers.connect()
        register_action_labels({"badge.revoke": _("Revoked a badge")})
