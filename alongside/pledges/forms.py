from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date
from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alongside.pledges.models import (
    Action,
    Category,
    CommitmentTemplate,
    Pledge,
    PledgeCommitment,
)
from alongside.pledges.services import MAX_COMMITMENTS, CommitmentInput


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class SubmissionKeyField(forms.UUIDField):
    """A random key per rendered form, so a repeated submit is recognised."""

    widget = forms.HiddenInput

    def __init__(self) -> None:
        super().__init__(
            required=False,
            error_messages={
                "invalid": _("This form is out of date: reload the page and try again.")
            },
        )


TOO_LONG = _("Keep this under %(limit_value)d characters (it has %(show_value)d).")


# Catalogue ---------------------------------------------------------------------------


class CommitmentTemplateForm(forms.ModelForm[CommitmentTemplate]):
    class Meta:
        model = CommitmentTemplate
        fields = ("category", "title", "description", "example", "position")
        labels = {"position": _("Order within its category")}
        help_texts = {
            "title": _(
                "A concrete, observable practice. Pledges that already chose it keep their own copy of the title."
            ),
            "position": _("Lower numbers are listed first."),
        }
        error_messages = {
            "title": {"max_length": TOO_LONG},
            "description": {"max_length": TOO_LONG},
            "example": {"max_length": TOO_LONG},
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["description"].widget.attrs["rows"] = 4

    def clean_title(self) -> str:
        title: str = self.cleaned_data["title"].strip()
        clash = CommitmentTemplate.objects.filter(
            organization=self.instance.organization, title__iexact=title
        ).exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(
                _("The catalogue already has a commitment with this title.")
            )
        return title


# Pledges -----------------------------------------------------------------------------


class PledgeForm(forms.ModelForm[Pledge]):
    submission_key = SubmissionKeyField()

    class Meta:
        model = Pledge
        fields = ("statement", "cadence", "target_date", "visibility")
        widgets = {
            "statement": forms.Textarea(attrs={"rows": 4}),
            "cadence": forms.RadioSelect,
            "visibility": forms.RadioSelect,
            "target_date": DateInput,
        }
        help_texts = {
            "statement": _(
                "Why you are making this pledge and what you want to change, in a few sentences."
            ),
            "cadence": _(
                "How often you mean to log at least one action. Your consistency is measured against it."
            ),
            "target_date": _("Optional. When you want to look back on this pledge."),
        }
        error_messages = {
            "statement": {
                "required": _("Write your pledge in your own words."),
                "max_length": TOO_LONG,
            }
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["submission_key"] = uuid.uuid4()

    def clean_target_date(self) -> date | None:
        target: date | None = self.cleaned_data.get("target_date")
        if target is not None and target < timezone.localdate():
            raise forms.ValidationError(_("The target date can't be in the past."))
        return target


def _template_choices(
    templates: Iterable[CommitmentTemplate],
) -> list[tuple[str, Any]]:
    grouped: dict[str, list[tuple[str, str]]] = {}
    for template in templates:
        grouped.setdefault(template.category, []).append(
            (str(template.pk), template.title)
        )
    choices: list[tuple[str, Any]] = [("", _("— choose from the catalogue —"))]
    for category in Category:
        if category.value in grouped:
            choices.append((str(category.label), grouped[category.value]))
    return choices


class CommitmentChoiceForm(forms.Form):
    """One commitment row: a catalogue entry or the ally's own words, plus specifics."""

    template = forms.ChoiceField(label=_("From the catalogue"), required=False)
    title = forms.CharField(
        label=_("Or in your own words"),
        max_length=140,
        required=False,
        error_messages={"max_length": TOO_LONG},
    )
    specifics = forms.CharField(
        label=_("What this will look like for you"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Who, where, how often: the specifics that make it yours."),
        error_messages={"max_length": TOO_LONG},
    )

    def __init__(
        self,
        *args: Any,
        templates: Iterable[CommitmentTemplate] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.templates = {str(t.pk): t for t in templates}
        self.fields["template"].choices = _template_choices(self.templates.values())  # type: ignore[attr-defined]
        self.fields["template"].error_messages["invalid_choice"] = _(
            "Choose a commitment from the list."
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        has_template = bool(data.get("template"))
        has_title = bool((data.get("title") or "").strip())
        if has_template and has_title:
            raise forms.ValidationError(
                _("Choose a commitment from the catalogue or write your own, not both.")
            )
        if data.get("specifics", "").strip() and not (has_template or has_title):
            raise forms.ValidationError(
                _("Say which commitment these specifics belong to.")
            )
        return data

    def commitment(self) -> CommitmentInput | None:
        """The commitment this row describes, or None for an empty row."""
        data = self.cleaned_data
        template = self.templates.get(data.get("template") or "")
        title = (data.get("title") or "").strip()
        if template is None and not title:
            return None
        return CommitmentInput(
            template=template,
            title=template.title if template else title,
            specifics=(data.get("specifics") or "").strip(),
        )


class BaseCommitmentFormSet(forms.BaseFormSet[CommitmentChoiceForm]):
    def clean(self) -> None:
        if any(self.errors):
            return
        chosen: dict[str, int] = {}
        count = 0
        for index, form in enumerate(self.forms):
            commitment = form.commitment()
            if commitment is None:
                continue
            count += 1
            key = commitment.title.casefold()
            if key in chosen:
                form.add_error(
                    None,
                    _("You already chose this commitment (number %(n)d).")
                    % {"n": chosen[key] + 1},
                )
            else:
                chosen[key] = index
        if count == 0:
            raise forms.ValidationError(
                _(
                    "Choose at least one commitment, from the catalogue or in your own words."
                )
            )
        if count > MAX_COMMITMENTS:
            raise forms.ValidationError(
                _(
                    "A pledge has at most five commitments: keep the ones that matter most."
                )
            )

    def commitments(self) -> list[CommitmentInput]:
        return [c for form in self.forms if (c := form.commitment()) is not None]


CommitmentFormSet = cast(
    type[BaseCommitmentFormSet],
    forms.formset_factory(
        CommitmentChoiceForm,
        formset=BaseCommitmentFormSet,
        extra=MAX_COMMITMENTS,
        max_num=MAX_COMMITMENTS,
        absolute_max=MAX_COMMITMENTS + 5,
    ),
)


class PledgeRenewForm(forms.Form):
    target_date = forms.DateField(
        label=_("New target date"),
        widget=DateInput,
        error_messages={"required": _("Choose the new target date.")},
    )

    def clean_target_date(self) -> date:
        target: date = self.cleaned_data["target_date"]
        if target <= timezone.localdate():
            raise forms.ValidationError(_("Choose a new target date after today."))
        return target


class CommitmentEndForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("How did it go?"),
        choices=(
            (PledgeCommitment.Outcome.KEPT, _("I kept it")),
            (PledgeCommitment.Outcome.NOT_MANAGED, _("I didn't manage it")),
        ),
        widget=forms.RadioSelect,
        error_messages={"required": _("Say whether you kept this commitment.")},
    )
    reflection = forms.CharField(
        label=_("Reflection"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Required if you didn't manage it: what got in the way, what you learned. Optional if you kept it."
        ),
        error_messages={"max_length": TOO_LONG},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            data.get("outcome") == PledgeCommitment.Outcome.NOT_MANAGED
            and not (data.get("reflection") or "").strip()
        ):
            self.add_error(
                "reflection",
                _(
                    "Write a few words on what got in the way: it is part of the record."
                ),
            )
        return data


# Actions -----------------------------------------------------------------------------


class ActionForm(forms.ModelForm[Action]):
    submission_key = SubmissionKeyField()

    class Meta:
        model = Action
        fields = ("commitment", "occurred_on", "description", "visibility")
        widgets = {
            "occurred_on": DateInput,
            "description": forms.Textarea(attrs={"rows": 6}),
            "visibility": forms.RadioSelect,
        }
        labels = {"commitment": _("Commitment")}
        help_texts = {
            "description": _(
                "What you did, concretely. Markdown works: **bold**, *italic*, lists and links."
            ),
            "visibility": _("An action is never shown more widely than its pledge."),
        }
        error_messages = {
            "description": {
                "required": _("Describe what you did."),
                "max_length": TOO_LONG,
            },
            "occurred_on": {"required": _("Say when it happened.")},
            "commitment": {
                "invalid_choice": _(
                    "Choose one of the open commitments of this pledge."
                )
            },
        }

    def __init__(self, *args: Any, pledge: Pledge, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.pledge = pledge
        commitment_field = self.fields["commitment"]
        commitment_field.queryset = pledge.open_commitments()  # type: ignore[attr-defined]
        commitment_field.empty_label = None  # type: ignore[attr-defined]
        if not self.is_bound:
            self.initial.setdefault("occurred_on", timezone.localdate())
            self.initial.setdefault("visibility", pledge.visibility)
            self.initial["submission_key"] = uuid.uuid4()

    def clean_occurred_on(self) -> date:
        occurred_on: date = self.cleaned_data["occurred_on"]
        if occurred_on > timezone.localdate():
            raise forms.ValidationError(_("The date can't be in the future."))
        if occurred_on < self.pledge.started_on:
            raise forms.ValidationError(
                _("The date can't be before the pledge started (%(date)s).")
                % {"date": self.pledge.started_on.isoformat()}
            )
        return occurred_on


class ConfirmationRequestForm(forms.Form):
    recipient_name = forms.CharField(
        label=_("Their name (optional)"),
        max_length=80,
        required=False,
        help_text=_("Used to greet them in the email. Only you will see it."),
        error_messages={"max_length": TOO_LONG},
    )
    recipient_email = forms.EmailField(
        label=_("Their email address"),
        max_length=254,
        help_text=_(
            "The person this action was meant to help, or who saw it. Only you and they will know you asked."
        ),
        error_messages={
            "required": _("Enter the email address of the person you are asking."),
            "invalid": _("Enter a valid email address, like name@example.org."),
        },
    )


class ConfirmForm(forms.Form):
    """The recipient's answer on the public page; the decision is the button pressed."""

    note = forms.CharField(
        label=_("A note for them (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only the person who asked will see it, and only if you confirm."),
        error_messages={"max_length": TOO_LONG},
    )
