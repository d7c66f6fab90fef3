from __future__ import annotations

from django.apps import AppConfig


class PledgesConfig(AppConfig):
    name = "alongside.pledges"
    verbose_name = "Pledges"
