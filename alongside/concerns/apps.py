from __future__ import annotations

from django.apps import AppConfig


class ConcernsConfig(AppConfig):
    name = "alongside.concerns"
    verbose_name = "Concerns"
