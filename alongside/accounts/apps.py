from __future__ import annotations

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "alongside.accounts"
    verbose_name = "Accounts"
