from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from alongside.accounts.models import User
from alongside.circles.models import Circle, Goal, JoinRequest, ProgressUpdate

TOO_LONG = _("Keep this under %(limit_value)d characters (it has %(show_value)d).")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class CircleForm(forms.ModelForm[Circle]):
    class Meta:
        model = Circle
        fields = ("name", "kind", "description", "join_policy", "listing")
        widgets = {
            "kind": forms.RadioSelect,
            "join_policy": forms.RadioSelect,
            "listing": forms.RadioSelect,
        }
        help_texts = {
            "kind": _(
                "Advocacy: push for a change. Project: work toward goals with progress updates. "
                "Support and listening: members only see who else is in them."
            ),
            "listing": _("Support circles often prefer to stay unlisted."),
        }
        error_messages = {
            "name": {"required": _("Give the circle a name."), "max_length": TOO_LONG},
            "kind": {"required": _("Choose what kind of circle this is.")},
            "description": {"max_length": TOO_LONG},
        }

    def clean_name(self) -> str:
        name: str = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("Give the circle a name."))
        return name

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if (
            cleaned.get("listing") == Circle.Listing.UNLISTED
            and cleaned.get("join_policy")
            and cleaned["join_policy"] != Circle.JoinPolicy.INVITATION
        ):
            self.add_error(
                "join_policy",
                _(
                    "Nobody can find an unlisted circle, so it can only be joined by invitation."
                ),
            )
        return cleaned


class JoinRequestForm(forms.ModelForm[JoinRequest]):
    class Meta:
        model = JoinRequest
        fields = ("message",)
        widgets = {"message": forms.Textarea(attrs={"rows": 3})}
        error_messages = {"message": {"max_length": TOO_LONG}}


class MemberChoiceField(forms.ModelChoiceField[User]):
    def label_from_instance(self, obj: User) -> str:
        return obj.name


class InviteForm(forms.Form):
    invitee = MemberChoiceField(
        label=_("Member to invite"),
        queryset=User.objects.none(),
        error_messages={
            "required": _("Choose the member to invite."),
            "invalid_choice": _(
                "That person can't be invited: choose a member of the organization who is not in the circle yet."
            ),
        },
    )

    def __init__(self, *args: Any, circle: Circle, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["invitee"]
        assert isinstance(field, MemberChoiceField)
        field.queryset = (
            User.objects.filter(
                memberships__organization=circle.organization, is_active=True
            )
            .exclude(circle_memberships__circle=circle)
            .order_by("display_name", "id")
        )


class GoalForm(forms.ModelForm[Goal]):
    class Meta:
        model = Goal
        fields = ("title", "description", "target_date")
        widgets = {
            "target_date": DateInput(),
            "description": forms.Textarea(attrs={"rows": 3}),
        }
        error_messages = {
            "title": {"required": _("Give the goal a title."), "max_length": TOO_LONG},
            "description": {"max_length": TOO_LONG},
            "target_date": {"invalid": _("Enter the target date as YYYY-MM-DD.")},
        }


class ProgressUpdateForm(forms.ModelForm[ProgressUpdate]):
    class Meta:
        model = ProgressUpdate
        fields = ("body",)
        widgets = {"body": forms.Textarea(attrs={"rows": 4})}
        error_messages = {
            "body": {
                "required": _("Write what moved forward before posting."),
                "max_length": TOO_LONG,
            }
        }
