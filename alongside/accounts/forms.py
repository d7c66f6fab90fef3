from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from alongside.accounts.models import User

# Each profile field with the field that says who may see it.
PROFILE_FIELDS = (
    ("pronouns", "pronouns_visibility"),
    ("gender", "gender_visibility"),
    ("bio", "bio_visibility"),
    ("why_ally", "why_ally_visibility"),
)


class SignupForm(forms.Form):
    """Extra fields on allauth's sign-up form (ACCOUNT_SIGNUP_FORM_CLASS)."""

    display_name = forms.CharField(
        label=_("Your name"),
        max_length=User._meta.get_field("display_name").max_length,
        help_text=_(
            "How other members see you. A first name or a nickname is fine; you can change it later."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Put the name first; allauth adds email and passwords after it.
        self.order_fields(["display_name"])

    def signup(self, request: HttpRequest, user: User) -> None:
        user.display_name = self.cleaned_data["display_name"].strip()
        user.save(update_fields=("display_name",))


class ProfileForm(forms.ModelForm[User]):
    class Meta:
        model = User
        fields = (
            "display_name",
            "pronouns",
            "pronouns_visibility",
            "gender",
            "gender_visibility",
            "bio",
            "bio_visibility",
            "why_ally",
            "why_ally_visibility",
        )
        labels = {
            "display_name": _("Display name"),
            "pronouns": _("Pronouns (optional)"),
            "gender": _("Gender, in your own words (optional)"),
            "bio": _("Short bio (optional)"),
            "why_ally": _("Why I am an ally (optional)"),
            "pronouns_visibility": _("Who can see your pronouns"),
            "gender_visibility": _("Who can see your gender"),
            "bio_visibility": _("Who can see your bio"),
            "why_ally_visibility": _("Who can see why you are an ally"),
        }
        help_texts = {
            "display_name": _(
                "How other members see you, everywhere on the site. Your email address is never shown to them."
            ),
            "pronouns": _("For example: he/him, they/them."),
            "gender": _(
                "Never required. It stays visible only to you unless you choose otherwise below."
            ),
            "bio": _("A few sentences about yourself, up to 600 characters."),
            "why_ally": _("What brought you here, up to 1,000 characters."),
        }
        widgets = {
            "bio": forms.Textarea(attrs={"rows": 3}),
            "why_ally": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["display_name"].required = True

    def field_groups(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        """Each profile field with its visibility select, for the template."""
        return [(self[field], self[visibility]) for field, visibility in PROFILE_FIELDS]


class EraseAccountForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    confirm = forms.BooleanField(
        label=_("I understand that this deletes my account and cannot be undone."),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password: str = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(
                _("That is not your current password."), code="wrong_password"
            )
        return password
