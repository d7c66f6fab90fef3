from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from alongside.accounts.models import User
from alongside.concerns.models import (
    DESCRIPTION_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    Concern,
)
from alongside.organizations.models import Role

if TYPE_CHECKING:
    from alongside.organizations.models import Organization


class MemberChoiceField(forms.ModelChoiceField[User]):
    def label_from_instance(self, obj: User) -> str:
        return obj.name


class ConcernForm(forms.Form):
    """The public form. `organization` and `reporter` decide which fields appear:
    only a signed-in member of the organization may pick a member or stay unlinked."""

    subject_member = MemberChoiceField(
        label=_("Pick the member it is about (optional)"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Nobody picked: I will write the name below"),
    )
    subject_name = forms.CharField(
        label=_("Whom is it about?"),
        max_length=120,
        required=False,
        help_text=_("Their name as you know it."),
    )
    description = forms.CharField(
        label=_("What happened?"),
        max_length=DESCRIPTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=format_lazy(
            _("Plain text, up to {max} characters: what happened, when and where."),
            max=DESCRIPTION_MAX_LENGTH,
        ),
    )
    contact_email = forms.EmailField(
        label=_("Email for a reply (optional)"),
        required=False,
        help_text=_(
            "Only the program admins see it. Leave it empty to stay anonymous: "
            "then nobody can reply to you."
        ),
    )
    stay_unlinked = forms.BooleanField(
        label=_("Don't link this concern to my account"),
        required=False,
        help_text=_(
            "Program admins will not see who you are, and it will not appear in your data download."
        ),
    )
    # A honeypot: hidden from people (in a `hidden` container), filled in by bots.
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(
        self,
        *args: Any,
        organization: Organization,
        reporter: User | None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.organization = organization
        self.reporter = reporter
        is_member = reporter is not None and organization.has_member(reporter)
        if is_member:
            assert reporter is not None
            field = self.fields["subject_member"]
            assert isinstance(field, MemberChoiceField)
            field.queryset = (
                User.objects.filter(
                    memberships__organization=organization, is_active=True
                )
                .exclude(pk=reporter.pk)
                .order_by("display_name", "email")
            )
        else:
            del self.fields["subject_member"]
        if reporter is None:
            del self.fields["stay_unlinked"]

    @property
    def can_pick_member(self) -> bool:
        return "subject_member" in self.fields

    def clean_website(self) -> str:
        value: str = self.cleaned_data["website"]
        if value:
            raise forms.ValidationError(
                _("This form could not be sent. Please leave the last field empty.")
            )
        return value

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        name = (cleaned.get("subject_name") or "").strip()
        member = cleaned.get("subject_member")
        if not name and member is None and "subject_name" not in self.errors:
            self.add_error(
                "subject_name",
                _("Say whom the concern is about")
                if not self.can_pick_member
                else _("Say whom the concern is about, or pick a member."),
            )
        cleaned["subject_name"] = name
        return cleaned


class NoteForm(forms.Form):
    """An internal note; changing the status needs one, so the record says why."""

    status = forms.ChoiceField(label=_("Status"), choices=Concern.Status.choices)
    text = forms.CharField(
        label=_("Note (required)"),
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Internal: only program admins read notes."),
    )


class AssignForm(forms.Form):
    assigned_to = MemberChoiceField(
        label=_("Assigned to"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Nobody"),
    )

    def __init__(self, *args: Any, concern: Concern, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["assigned_to"]
        assert isinstance(field, MemberChoiceField)
        # Any program admin of the organization except the person the concern is about.
        admins = User.objects.filter(
            memberships__organization_id=concern.organization_id,
            memberships__role=Role.PROGRAM_ADMIN,
            is_active=True,
        )
        if concern.subject_member_id is not None:
            admins = admins.exclude(pk=concern.subject_member_id)
        field.queryset = admins.order_by("display_name", "email")
