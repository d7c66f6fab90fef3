"""Django admin for staff: who holds the HR analyst role, and the equity settings.

Pay-gap reports and payroll uploads are deliberately NOT registered: their figures are
shown only through the equity pages, which apply small-group suppression, never-cache
headers and the organization's access rules (the admin changelist would be a
leak channel).
"""

from __future__ import annotations

from django.contrib import admin

from alongside.equity.models import AnalystGrant, EquitySettings
from alongside.lib.privateadmin import PrivateDeletionMixin


@admin.register(AnalystGrant)
class AnalystGrantAdmin(PrivateDeletionMixin, admin.ModelAdmin[AnalystGrant]):
    list_display = ("organization", "user", "granted_by", "created_at")
    list_select_related = ("organization", "user", "granted_by")
    raw_id_fields = ("organization", "user", "granted_by")


@admin.register(EquitySettings)
class EquitySettingsAdmin(PrivateDeletionMixin, admin.ModelAdmin[EquitySettings]):
    list_display = ("organization", "min_group_size", "keep_payroll_rows", "updated_at")
    list_select_related = ("organization",)
    raw_id_fields = ("organization",)
    # k changes only through the equity settings page, where a lowering waits and is
    # announced to every program admin; here it would take effect at once, unseen.
    readonly_fields = (
        "min_group_size",
        "pending_min_group_size",
        "pending_from",
        "pending_requested_by",
    )
