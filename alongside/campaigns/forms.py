from __future__ import annotations

import copy
import re
from typing import Any
from urllib.parse import urlsplit

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from alongside.campaigns.countries import countries
from alongside.campaigns.images import process_upload
from alongside.campaigns.models import Campaign, Gender
from alongside.lib.emailaddr import normalize_email

TOO_LONG = _("Keep this under %(limit_value)d characters (it has %(show_value)d).")
MAX_FRAME_ANCESTORS = 20
_HOST = re.compile(
    r"^(\*\.)?([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$"
)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


def clean_origin(line: str, number: int) -> str:
    """One CSP frame-ancestors source: https://host[:port], optionally *.host."""
    value = line.strip().lower().rstrip("/")
    where = _("Line %(n)d (“%(line)s”)") % {"n": number, "line": line.strip()[:80]}
    if any(c in value for c in " ;,'\"\t\r\n"):
        raise ValidationError(
            _(
                "%(where)s: write one origin per line, without spaces, quotes, commas or semicolons."
            )
            % {"where": where}
        )
    parts = urlsplit(value)
    if parts.scheme not in {"https", "http"} or not parts.netloc:
        raise ValidationError(
            _("%(where)s: write a full origin such as https://partner.example.org.")
            % {"where": where}
        )
    if parts.path or parts.query or parts.fragment or "@" in parts.netloc:
        raise ValidationError(
            _("%(where)s: only the origin (scheme and host), without a path.")
            % {"where": where}
        )
    host = parts.hostname or ""
    try:
        port = parts.port
    except ValueError:
        raise ValidationError(
            _("%(where)s: the port is not a number.") % {"where": where}
        ) from None
    local = host in {"localhost", "127.0.0.1"}
    if parts.scheme == "http" and not local:
        raise ValidationError(
            _(
                "%(where)s: partner sites must use https:// (http:// only for localhost)."
            )
            % {"where": where}
        )
    if not local and (not _HOST.match(host) or "." not in host.lstrip("*.")):
        raise ValidationError(
            _("%(where)s: “%(host)s” is not a valid domain name.")
            % {"where": where, "host": host}
        )
    return f"{parts.scheme}://{host}" + (f":{port}" if port else "")


class CampaignForm(forms.ModelForm[Campaign]):
    image = forms.ImageField(
        label=_("Image"),
        required=False,
        help_text=_("JPEG, PNG or WebP, up to 5 MB. Resized to 1,600 pixels at most."),
    )

    class Meta:
        model = Campaign
        fields = (
            "title",
            "slug",
            "statement",
            "image",
            "image_alt",
            "goal",
            "starts_at",
            "ends_at",
            "ask_name",
            "ask_country",
            "ask_gender",
            "consent_text",
            "privacy_notice",
            "frame_ancestors",
        )
        widgets = {
            "statement": forms.Textarea(attrs={"rows": 6}),
            "privacy_notice": forms.Textarea(attrs={"rows": 6}),
            "frame_ancestors": forms.Textarea(attrs={"rows": 3}),
            "consent_text": forms.Textarea(attrs={"rows": 2}),
            "starts_at": DateTimeInput,
            "ends_at": DateTimeInput,
        }
        error_messages = {
            "title": {
                "max_length": TOO_LONG,
                "required": _("Give the campaign a title."),
            },
            "statement": {
                "max_length": TOO_LONG,
                "required": _("Write the statement people sign."),
            },
            "slug": {
                "unique": _(
                    "Another campaign already uses this short name; choose another."
                ),
                "invalid": _("Use only lower-case letters, digits and hyphens."),
            },
            "privacy_notice": {
                "required": _(
                    "Signers must be told how their data is used: write the privacy notice."
                ),
                "max_length": TOO_LONG,
            },
            "consent_text": {
                "required": _("Write what signers agree to."),
                "max_length": TOO_LONG,
            },
            "goal": {"required": _("Set a goal: how many confirmed signatures?")},
        }

    def clean_slug(self) -> str:
        slug: str = self.cleaned_data["slug"]
        if slug != slug.lower():
            raise ValidationError(_("Use only lower-case letters, digits and hyphens."))
        return slug

    def clean_image(self) -> Any:
        upload = self.cleaned_data.get("image")
        if (
            upload
            and upload is not getattr(self.instance, "image", None)
            and hasattr(upload, "content_type")
        ):
            return process_upload(upload)
        return upload

    def clean_frame_ancestors(self) -> str:
        raw: str = self.cleaned_data.get("frame_ancestors", "")
        lines = [line for line in raw.splitlines() if line.strip()]
        if len(lines) > MAX_FRAME_ANCESTORS:
            raise ValidationError(
                _("List at most %(max)d sites.") % {"max": MAX_FRAME_ANCESTORS}
            )
        errors, origins = [], []
        for number, line in enumerate(raw.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                origin = clean_origin(line, number)
            except ValidationError as e:
                errors.extend(e.messages)
            else:
                if origin not in origins:
                    origins.append(origin)
        if errors:
            raise ValidationError(errors)
        return "\n".join(origins)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("Signing must close after it opens."))
        if data.get("image") and not data.get("image_alt", "").strip():
            self.add_error(
                "image_alt", _("Describe the image for people who can't see it.")
            )
        return data


def _country_choices() -> list[tuple[str, Any]]:
    return [("", _("Choose…")), *countries().items()]


class CountryField(forms.ChoiceField):
    """A country by ISO code. The 250 choices are built only when the field is rendered
    (a callable), and a submitted code is checked with one dict lookup: a signing POST
    neither copies nor scans the list."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=_country_choices, **kwargs)

    def valid_value(self, value: Any) -> bool:
        return str(value) in countries()


class SignatureForm(forms.Form):
    """The public signing form; fields the campaign doesn't ask for are removed."""

    email = forms.CharField(
        label=_("Email address"),
        strip=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text=_("We send you a link to confirm. It is never shown publicly."),
        error_messages={"required": _("Enter your email address.")},
    )
    first_name = forms.CharField(
        label=_("First name"),
        max_length=60,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
        error_messages={
            "required": _("Enter your first name."),
            "max_length": TOO_LONG,
        },
    )
    country = CountryField(
        label=_("Country"),
        error_messages={
            "required": _("Choose your country."),
            "invalid_choice": _("Choose a country from the list."),
        },
    )
    gender = forms.ChoiceField(
        label=_("How do you sign? (optional)"),
        required=False,
        choices=Gender.choices,
        widget=forms.RadioSelect,
        help_text=_("Lets the campaign count men's commitments. Never shown publicly."),
        error_messages={"invalid_choice": _("Choose one of the options, or none.")},
    )
    show_name = forms.BooleanField(
        label=_("Show my first name on the public list of supporters"),
        required=False,
        help_text=_("Otherwise you are counted anonymously."),
    )
    consent = forms.BooleanField(
        error_messages={"required": _("Tick the box to agree, or you can't sign.")},
    )
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args: Any, campaign: Campaign, **kwargs: Any) -> None:
        bound = bool(args and args[0] is not None) or kwargs.get("data") is not None
        if bound:
            # A signing POST only validates: it shares this process's fields for the
            # campaign's settings instead of deep-copying all seven (with their widgets
            # and 250 country choices) at every request. Validating and rendering
            # read a field, never change it; every error lives on the form.
            self.base_fields = {}  # type: ignore[misc]
        super().__init__(*args, **kwargs)
        self.campaign = campaign
        if bound:
            self.fields = dict(_shared_fields(campaign))
        else:
            _adapt_fields(self.fields, campaign)

    def clean_email(self) -> str:
        return normalize_email(self.cleaned_data.get("email", ""))

    def _clean_fields(self) -> None:
        """Django's `Form._clean_fields` without making a BoundField per field.

        The same steps for each field: its widget's value from the data, `clean()`,
        then the form's `clean_<name>()`, errors to `add_error`. Django reads the value
        through a BoundField (`_clean_bound_field`), which differs from this only for
        disabled fields and file fields; this form has neither. The BoundFields are
        still made, lazily, when the form is rendered.
        """
        for name, field in self.fields.items():
            try:
                value = field.widget.value_from_datadict(
                    self.data, self.files, self.add_prefix(name)
                )
                self.cleaned_data[name] = field.clean(value)
                clean_field = getattr(self, f"clean_{name}", None)
                if clean_field is not None:
                    self.cleaned_data[name] = clean_field()
            except ValidationError as e:
                self.add_error(name, e)

    def is_bot(self) -> bool:
        return bool(self.data.get("website", "").strip())


def _adapt_fields(fields: dict[str, forms.Field], campaign: Campaign) -> None:
    """The signing form's fields for `campaign`: its consent text, without the fields it
    does not ask for."""
    fields["consent"].label = campaign.consent_text
    if not campaign.ask_name:
        del fields["first_name"]
        del fields["show_name"]
    if not campaign.ask_country:
        del fields["country"]
    if not campaign.ask_gender:
        del fields["gender"]


_SHARED_FIELDS: dict[tuple[object, ...], dict[str, forms.Field]] = {}
_SHARED_FIELDS_MAX = 256


def _shared_fields(campaign: Campaign) -> dict[str, forms.Field]:
    key = (
        campaign.ask_name,
        campaign.ask_country,
        campaign.ask_gender,
        campaign.consent_text,
    )
    fields = _SHARED_FIELDS.get(key)
    if fields is None:
        fields = copy.deepcopy(SignatureForm.base_fields)
        _adapt_fields(fields, campaign)
        if len(_SHARED_FIELDS) >= _SHARED_FIELDS_MAX:
            _SHARED_FIELDS.clear()
        _SHARED_FIELDS[key] = fields
    return fields
