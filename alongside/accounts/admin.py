"""Django admin for staff: accounts, their email addresses and second factors.

Nothing here shows a member's profile texts, gender or pronouns, the secret of a
second factor, or (on a delete confirmation) what else belongs to an account
(alongside.lib.privateadmin). Accounts are not deleted here: their owner erases them
(accounts.services.user_erase), which anonymizes what must stay; staff deactivate.
"""

from __future__ import annotations

from allauth.account.admin import EmailAddressAdmin as AllauthEmailAddressAdmin
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import BaseUserCreationForm, UserChangeForm
from django.contrib.auth.models import Group
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from alongside.accounts.models import User
from alongside.lib.privateadmin import PrivateDeletionMixin


class UserCreationForm(BaseUserCreationForm[User]):
    class Meta:
        model = User
        fields = ("email", "display_name")

    def clean_email(self) -> str:
        email: str = self.cleaned_data["email"]
        return email.strip().lower()


class UserEditForm(UserChangeForm[User]):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(PrivateDeletionMixin, DjangoUserAdmin[User]):
    """Staff view of accounts. Profile texts stay out of the list; gender is never listed."""

    form = UserEditForm
    add_form = UserCreationForm
    ordering = ("email",)
    list_display = ("email", "display_name", "is_active", "is_staff", "date_joined")
    list_filter = ("is_active", "is_staff", "is_superuser")
    search_fields = ("email", "display_name")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Profile"), {"fields": ("display_name",)}),
        (
            _("Permissions"),
            {
                "fields": (
                    "is_active",
                    "is_staff",
                    "is_superuser",
                    "groups",
                    "user_permissions",
                )
            },
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "display_name", "password1", "password2"),
            },
        ),
    )
    readonly_fields = ("last_login", "date_joined")
    # Profile texts and gender are shown by their visibility rules, on the member's
    # pages only; a changelist filter would be a way around them.
    private_fields = (
        "gender",
        "gender_visibility",
        "pronouns",
        "pronouns_visibility",
        "bio",
        "bio_visibility",
        "why_ally",
        "why_ally_visibility",
    )

    def has_delete_permission(
        self, request: HttpRequest, obj: User | None = None
    ) -> bool:
        return False


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(PrivateDeletionMixin, DjangoGroupAdmin):
    pass


admin.site.unregister(EmailAddress)


@admin.register(EmailAddress)
class EmailAddressAdmin(PrivateDeletionMixin, AllauthEmailAddressAdmin):  # type: ignore[misc]
    pass


admin.site.unregister(Authenticator)


@admin.register(Authenticator)
class AuthenticatorAdmin(PrivateDeletionMixin, admin.ModelAdmin[Authenticator]):
    """Which second factors an account has, never their secrets (`data`); a lost
    factor is removed here, so that its owner can set up a new one."""

    raw_id_fields = ("user",)
    list_display = ("user", "type", "created_at", "last_used_at")
    list_filter = ("type",)
    fields = ("user", "type", "created_at", "last_used_at")
    readonly_fields = fields
    private_fields = ("data",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(
        self, request: HttpRequest, obj: Authenticator | None = None
    ) -> bool:
        return False
