from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils import timezone

from alongside.lib.privateadmin import PrivateDeletionMixin
from alongside.organizations.models import Invitation, Membership, Organization


class MembershipInline(admin.TabularInline[Membership, Organization]):
    model = Membership
    extra = 0
    autocomplete_fields = ("user",)
    fields = ("user", "role", "joined_at", "role_granted_at", "role_granted_by")
    # Who granted a role, and when, is recorded by save_formset below, never typed in.
    readonly_fields = ("role_granted_at", "role_granted_by")


@admin.register(Organization)
class OrganizationAdmin(PrivateDeletionMixin, admin.ModelAdmin[Organization]):
    list_display = ("name", "slug", "require_admin_mfa", "is_demo", "created_at")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    # k changes only through the organization's settings page, where lowering it waits
    # and is announced to every program admin (services.organization_settings_save).
    readonly_fields = ("min_group_size",)
    inlines = (MembershipInline,)

    def save_formset(
        self, request: HttpRequest, form: Any, formset: Any, change: bool
    ) -> None:
        """A role given here is recorded like one given on the members page: by this
        staff user, now (the reveal's rules and every program admin read it)."""
        from alongside.accounts.models import User

        if formset.model is Membership and isinstance(request.user, User):
            for inline_form in formset.forms:
                instance = inline_form.instance
                if isinstance(instance, Membership) and (
                    "role" in inline_form.changed_data or instance.pk is None
                ):
                    instance.role_granted_at = timezone.now()
                    instance.role_granted_by = request.user
        super().save_formset(request, form, formset, change)


@admin.register(Invitation)
class InvitationAdmin(PrivateDeletionMixin, admin.ModelAdmin[Invitation]):
    list_display = (
        "email",
        "organization",
        "role",
        "sent_at",
        "expires_at",
        "accepted_at",
        "revoked_at",
    )
    list_filter = ("organization",)
    search_fields = ("email",)
    # The digest is useless to staff and the token itself is never stored.
    exclude = ("token_digest",)
    readonly_fields = (
        "invited_by",
        "accepted_by",
        "created_at",
        "sent_at",
        "accepted_at",
    )

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        # Invitations are sent from the organization's admin pages, which email the link.
        return False
