"""Django admin for staff. Recipient emails never appear in list views or searches."""

from __future__ import annotations

from django.contrib import admin

from alongside.pledges.models import (
    Action,
    CommitmentTemplate,
    ConfirmationRequest,
    Pledge,
    PledgeCommitment,
    PledgePause,
    RecipientOptOut,
)


@admin.register(CommitmentTemplate)
class CommitmentTemplateAdmin(admin.ModelAdmin[CommitmentTemplate]):
    list_display = ("title", "organization", "category", "position", "is_active")
    list_filter = ("category", "is_active")
    search_fields = ("title",)
    list_select_related = ("organization",)
    raw_id_fields = ("organization",)


class PledgeCommitmentInline(admin.StackedInline[PledgeCommitment, Pledge]):
    model = PledgeCommitment
    extra = 0
    raw_id_fields = ("template",)
    readonly_fields = ("ended_at",)


class PledgePauseInline(admin.TabularInline[PledgePause, Pledge]):
    model = PledgePause
    extra = 0


@admin.register(Pledge)
class PledgeAdmin(admin.ModelAdmin[Pledge]):
    list_display = ("id", "member", "organization", "status", "cadence", "started_on")
    list_filter = ("status", "cadence", "visibility")
    list_select_related = ("member", "organization")
    raw_id_fields = ("organization", "member")
    readonly_fields = ("created_at", "paused_at", "completed_at", "renewed_at")
    inlines = (PledgeCommitmentInline, PledgePauseInline)


@admin.register(Action)
class ActionAdmin(admin.ModelAdmin[Action]):
    list_display = ("id", "member", "organization", "occurred_on", "confirmed_at")
    list_filter = ("visibility",)
    list_select_related = ("member", "organization")
    raw_id_fields = ("organization", "member", "commitment")
    readonly_fields = ("created_at", "confirmed_at", "confirmation_note")


@admin.register(ConfirmationRequest)
class ConfirmationRequestAdmin(admin.ModelAdmin[ConfirmationRequest]):
    # No recipient_email or recipient_name here: who an action was meant to help is
    # the ally's and that person's business.
    list_display = ("id", "requester", "action", "created_at", "expires_at", "status")
    list_filter = ("status",)
    list_select_related = ("requester", "action")
    raw_id_fields = ("action", "requester")
    readonly_fields = (
        "token_digest",
        "reminder_token_digest",
        "created_at",
        "expires_at",
        "reminded_at",
        "responded_at",
        "status",
    )


@admin.register(RecipientOptOut)
class RecipientOptOutAdmin(admin.ModelAdmin[RecipientOptOut]):
    list_display = ("id", "created_at")
    readonly_fields = ("email_digest", "created_at")

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False
