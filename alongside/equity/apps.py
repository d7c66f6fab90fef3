from __future__ import annotations

from django.apps import AppConfig


class EquityConfig(AppConfig):
    name = "alongside.equity"
    verbose_name = "Workplace equity"
