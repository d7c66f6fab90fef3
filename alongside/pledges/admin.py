"""Django admin for staff.

Who an action was meant to help is private to the ally and that person (docs/privacy.md,
rule 3): no screen here shows a confirmation request's recipient (address, name
or digest), the confirmer's note, or an opt-out's digest, in lists, forms, searches or
filters, and delete confirmations list nothing but the chosen objects
(alongside.lib.privateadmin). alongside/tests/test_admin_canaries.py checks every page.
"""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from alongside.lib.privateadmin import PrivateDeletionMixin
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
class CommitmentTemplateAdmin(
    PrivateDeletionMixin, admin.ModelAdmin[CommitmentTemplate]
):
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
class PledgeAdmin(PrivateDeletionMixin, admin.ModelAdmin[Pledge]):
    list_display = ("id", "member", "organization", "status", "cadence", "started_on")
    list_filter = ("status", "cadence", "visibility")
    list_select_related = ("member", "organization")
    raw_id_fields = ("organization", "member")
    readonly_fields = ("created_at", "paused_at", "completed_at", "renewed_at")
    inlines = (PledgeCommitmentInline, PledgePauseInline)


@admin.register(Action)
class ActionAdmin(PrivateDeletionMixin, admin.ModelAdmin[Action]):
    list_display = ("id", "member", "organization", "occurred_on", "confirmed_at")
    list_filter = ("visibility",)
    list_select_related = ("member", "organization")
    raw_id_fields = ("organization", "member", "commitment")
    # The confirmer's note is for the ally only.
    exclude = ("confirmation_note",)
    private_fields = ("confirmation_note", "confirmation_request")
    readonly_fields = ("created_at", "confirmed_at")


@admin.register(ConfirmationRequest)
class ConfirmationRequestAdmin(
    PrivateDeletionMixin, admin.ModelAdmin[ConfirmationRequest]
):
    """Read-only: which action was put to someone, when, and how it stands; never to
    whom. Requests are made by the ally, from the action's page."""

    list_display = ("id", "requester", "action", "created_at", "expires_at", "status")
    list_filter = ("status",)
    list_select_related = ("requester", "action")
    private_fields = (
        "recipient_email",
        "recipient_name",
        "recipient_digest",
        "token_digest",
        "reminder_token_digest",
    )
    fields = (
        "action",
        "requester",
        "status",
        "created_at",
        "expires_at",
        "reminded_at",
        "responded_at",
    )
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(
        self, request: HttpRequest, obj: ConfirmationRequest | None = None
    ) -> bool:
        return False


@admin.register(RecipientOptOut)
class RecipientOptOutAdmin(PrivateDeletionMixin, admin.ModelAdmin[RecipientOptOut]):
    """An opt-out is made by the recipient's link only. The digest isn't shown: it is
    an unkeyed hash, and would confirm a guessed address."""

    list_display = ("id", "created_at")
    private_fields = ("email_digest",)
    fields = ("created_at",)
    readonly_fields = ("created_at",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(
        self, request: HttpRequest, obj: RecipientOptOut | None = None
    ) -> bool:
        return False
