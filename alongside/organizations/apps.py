from __future__ import annotations

from django.apps import AppConfig


class OrganizationsConfig(AppConfig):
    name = "alongside.organizations"
    verbose_name = "Organizations"
