from __future__ import annotations

from django.apps import AppConfig


class LearningConfig(AppConfig):
    name = "alongside.learning"
    verbose_name = "Learning"
