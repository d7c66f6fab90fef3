from __future__ import annotations

from datetime import date
from pathlib import PurePath
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alongside.equity.models import (
    MAX_K,
    MIN_K,
    EquitySettings,
    PayGapReport,
    UploadKind,
)

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
ALLOWED_SUFFIXES = {".csv", ".xlsx"}
GENDER_CHOICES = [
    ("female", _("Woman")),
    ("male", _("Man")),
    ("neither", _("Neither (left out of the figures)")),
]


def gender_field_name(value: str) -> str:
    """A stable form field name per source value ("F" -> "gender_46")."""
    return f"gender_{value.encode('utf-8').hex()}"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class EquitySettingsForm(forms.ModelForm[EquitySettings]):
    class Meta:
        model = EquitySettings
        fields = ("min_group_size", "keep_payroll_rows")
        widgets = {
            "min_group_size": forms.NumberInput(attrs={"min": MIN_K, "max": MAX_K})
        }


class GrantAnalystForm(forms.Form):
    user = forms.TypedChoiceField(label=_("Member"), coerce=int, choices=())

    def __init__(self, *args: Any, candidates: list[tuple[int, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["user"].choices = [("", _("Choose a member")), *candidates]  # type: ignore[attr-defined]


class UploadForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What the file is for"),
        choices=UploadKind.choices,
        initial=UploadKind.PAYROLL,
        widget=forms.RadioSelect,
    )
    file = forms.FileField(
        label=_("Payroll file (CSV or Excel .xlsx, at most 5 MB)"),
        help_text=_(
            "One row per employee. Columns are matched on the next page; extra "
            "columns are ignored. Names are not needed: an employee number is enough."
        ),
    )

    def clean_file(self) -> UploadedFile[Any]:
        upload: UploadedFile[Any] = self.cleaned_data["file"]
        suffix = PurePath(upload.name or "").suffix.lower()
        if suffix not in ALLOWED_SUFFIXES:
            raise forms.ValidationError(
                _("Upload a .csv or .xlsx file (this one ends in “%(suffix)s”).")
                % {"suffix": suffix or _("no extension")}
            )
        if upload.size is None or upload.size == 0:
            raise forms.ValidationError(_("The file is empty."))
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("The file is larger than 5 MB; split it or remove unused columns.")
            )
        return upload


class MappingForm(forms.Form):
    """One choice per canonical field (the file's headers), then one per gender value."""

    def __init__(
        self,
        *args: Any,
        fields_spec: list[tuple[str, str, str, bool]],
        headers: list[str],
        gender_values: list[str],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        header_choices = [(h, h) for h in headers]
        self.column_fields: list[str] = []
        for name, label, help_text, required in fields_spec:
            choices = (
                header_choices
                if required
                else [("", _("(not in this file)")), *header_choices]
            )
            if required:
                choices = [("", _("Choose a column")), *header_choices]
            self.fields[f"col_{name}"] = forms.ChoiceField(
                label=label, help_text=help_text, choices=choices, required=required
            )
            self.column_fields.append(f"col_{name}")
        self.gender_fields: list[tuple[str, str]] = []
        for value in gender_values:
            key = gender_field_name(value)
            shown = value or _("(empty)")
            # No default: an empty, invalid first option, so an unrecognised value
            # (or a blank cell) is never counted as a woman because the browser
            # submits the first choice of a select left alone.
            self.fields[key] = forms.ChoiceField(
                label=_("“%(value)s” in the gender column means") % {"value": shown},
                choices=[("", _("Choose what this value means")), *GENDER_CHOICES],
                required=True,
                error_messages={
                    "required": _(
                        "Say what “%(value)s” in the gender column means: a woman, "
                        "a man, or neither (left out of the figures)."
                    )
                    % {"value": shown},
                },
            )
            self.gender_fields.append((key, value))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        chosen: dict[str, str] = {}
        for name in self.column_fields:
            column = data.get(name)
            if not column:
                continue
            if column in chosen:
                self.add_error(
                    name,
                    _("Column “%(column)s” is already used for another field.")
                    % {"column": column},
                )
            chosen[column] = name
        return data

    def columns(self) -> dict[str, str]:
        return {
            name.removeprefix("col_"): self.cleaned_data[name]
            for name in self.column_fields
            if self.cleaned_data.get(name)
        }

    def gender_mapping(self) -> dict[str, str]:
        return {value: self.cleaned_data[key] for key, value in self.gender_fields}

    def column_bound_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.column_fields]

    def gender_bound_fields(self) -> list[forms.BoundField]:
        return [self[key] for key, _value in self.gender_fields]


class ComputeForm(forms.Form):
    title = forms.CharField(label=_("Report title"), max_length=200)
    snapshot_date = forms.DateField(
        label=_("Snapshot date"),
        help_text=_(
            "The date the payroll describes (in the UK, 5 April; 31 March "
            "for public bodies)."
        ),
        widget=DateInput(),
    )
    level_order = forms.CharField(
        label=_("Levels from entry to leadership"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "One level per line, lowest first, as written in the file. "
            "The last line counts as leadership."
        ),
    )
    confirm_warnings = forms.BooleanField(
        label=_(
            "I have read the warnings above and the figures should be computed anyway."
        ),
        required=False,
    )

    replace = forms.BooleanField(required=False)

    def __init__(
        self,
        *args: Any,
        has_warnings: bool,
        levels: list[str] | None,
        replaceable: PayGapReport | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.has_warnings = has_warnings
        self.levels = levels
        self.replaceable = replaceable
        if replaceable is None:
            del self.fields["replace"]
        else:
            self.fields["replace"].label = _(
                "Delete the earlier report “%(title)s” (snapshot date %(date)s) and "
                "publish this one in its place."
            ) % {"title": replaceable.title, "date": replaceable.snapshot_date}
            self.fields["replace"].help_text = _(
                "Only one report per period is published. Anyone who has "
                "already read or downloaded the earlier report could still compare it "
                "with this one."
            )
        if not has_warnings:
            del self.fields["confirm_warnings"]
        if levels is None:
            del self.fields["level_order"]

    def clean_snapshot_date(self) -> date:
        value: date = self.cleaned_data["snapshot_date"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("The snapshot date can't be in the future."))
        return value

    def clean_confirm_warnings(self) -> bool:
        value: bool = self.cleaned_data.get("confirm_warnings", False)
        if self.has_warnings and not value:
            raise forms.ValidationError(
                _("Tick this box to confirm you have read the warnings.")
            )
        return value

    def clean_level_order(self) -> list[str]:
        raw: str = self.cleaned_data.get("level_order", "")
        order = [line.strip() for line in raw.splitlines() if line.strip()]
        if self.levels is None or not order:
            return order
        known = set(self.levels)
        unknown = [level for level in order if level not in known]
        if unknown:
            raise forms.ValidationError(
                _("These levels are not in the file: %(levels)s")
                % {"levels": ", ".join(unknown)}
            )
        missing = [level for level in self.levels if level not in order]
        if missing:
            raise forms.ValidationError(
                _("Put every level of the file in the list; missing: %(levels)s")
                % {"levels": ", ".join(missing)}
            )
        if len(set(order)) != len(order):
            raise forms.ValidationError(_("A level is listed twice."))
        return order


class DeleteReportForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("Yes, delete this report and everything computed for it."),
        required=True,
    )
