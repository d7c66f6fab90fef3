from __future__ import annotations

from django.apps import AppConfig


class RecognitionConfig(AppConfig):
    name = "alongside.recognition"
    verbose_name = "Recognition"

    def ready(self) -> None:
        from alongside.recognition import receivers

        receivers.connect()
