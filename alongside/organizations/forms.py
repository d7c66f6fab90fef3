from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import DomainNameValidator
from django.utils.translation import gettext_lazy as _

from alongside.organizations.invitation_csv import MAX_BYTES
from alongside.organizations.models import Invitation, Organization, Role

# Anyone can get an address at these; opening an organization to them opens it to everyone.
PUBLIC_EMAIL_DOMAINS = frozenset(
    {
        "aol.com",
        "gmail.com",
        "gmx.com",
        "gmx.de",
        "gmx.net",
        "googlemail.com",
        "hotmail.com",
        "icloud.com",
        "live.com",
        "mail.com",
        "mail.ru",
        "me.com",
        "msn.com",
        "outlook.com",
        "proton.me",
        "protonmail.com",
        "web.de",
        "yahoo.com",
        "yandex.ru",
        "zoho.com",
    }
)


class OrganizationCreateForm(forms.ModelForm[Organization]):
    class Meta:
        model = Organization
        fields = ("name", "slug", "description")
        help_texts = {
            "slug": _(
                "Lowercase letters, digits and hyphens; it appears in links, e.g. /o/northwind/."
            ),
            "description": _("What your program is about. Markdown is allowed."),
        }

    def clean_slug(self) -> str:
        slug: str = self.cleaned_data["slug"].lower()
        if Organization.objects.filter(slug=slug).exists():
            raise ValidationError(_("This short name is taken. Choose another one."))
        return slug


class OrganizationSettingsForm(forms.ModelForm[Organization]):
    class Meta:
        model = Organization
        fields = (
            "name",
            "description",
            "join_domains",
            "require_admin_mfa",
            "min_group_size",
        )
        help_texts = {
            "description": _("What your program is about. Markdown is allowed."),
            "join_domains": _(
                "Comma-separated domains, e.g. example.org. Anyone with a verified address "
                "at one of them can join as a member without an invitation. Leave empty to "
                "allow invitations only."
            ),
            "require_admin_mfa": _(
                "Recommended. Program admins see members, invitations and the audit log, so "
                "their accounts need more than a password. Admins without an authenticator "
                "app are asked to set one up before opening admin pages."
            ),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The field shows what k will be: a pending lowering's value while it waits
        # (so setting it back is a change, which cancels the lowering), else k as it
        # applies now. The service, not this form, decides when a value applies.
        pending = self.instance.pending_min_group_size()
        self.initial["min_group_size"] = (
            pending[0] if pending else self.instance.effective_min_group_size()
        )
        self.fields["min_group_size"].help_text = _(
            "Figures broken down by a personal trait are hidden for groups smaller than "
            "this. At least 3. Raising it applies at once; lowering it applies only "
            "after %(days)d days, and every program admin is told."
        ) % {"days": settings.MIN_GROUP_SIZE_LOWERING_DAYS}

    def clean_join_domains(self) -> str:
        raw: str = self.cleaned_data["join_domains"]
        domains: list[str] = []
        validate = DomainNameValidator(accept_idna=False)
        for part in raw.replace(";", ",").replace("\n", ",").split(","):
            domain = part.strip().lower().lstrip("@")
            if not domain:
                continue
            try:
                validate(domain)
            except ValidationError:
                raise ValidationError(
                    _("“%(domain)s” is not a domain name such as example.org.")
                    % {"domain": domain[:60]}
                ) from None
            if "." not in domain:
                raise ValidationError(
                    _("“%(domain)s” is not a full domain name such as example.org.")
                    % {"domain": domain[:60]}
                )
            if domain in PUBLIC_EMAIL_DOMAINS:
                raise ValidationError(
                    _(
                        "Anyone can get an address at %(domain)s, so it cannot open your "
                        "organization. Invite those people instead."
                    )
                    % {"domain": domain}
                )
            if domain not in domains:
                domains.append(domain)
        joined = ", ".join(domains)
        if len(joined) > Organization._meta.get_field("join_domains").max_length:  # type: ignore[operator]
            raise ValidationError(_("Too many domains; list at most a few."))
        return joined


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("New role"), choices=Role.choices)


class InvitationForm(forms.ModelForm[Invitation]):
    class Meta:
        model = Invitation
        fields = ("email", "name", "role")
        labels = {"name": _("Name (optional)")}
        help_texts = {
            "name": _("Used only to greet them in the email."),
        }

    def clean_email(self) -> str:
        email: str = self.cleaned_data["email"]
        return email.strip().lower()

    def validate_unique(self) -> None:
        # The service re-issues an open invitation to the same address instead.
        pass


class InvitationCsvForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "Columns: email, role (optional: member, mentor, facilitator or program admin; "
            "member when empty), name (optional). The first row names the columns. "
            "Up to 500 rows."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_file(self) -> bytes:
        upload: UploadedFile[bytes] = self.cleaned_data["file"]
        if upload.size is not None and upload.size > MAX_BYTES:
            raise ValidationError(
                _("The file is larger than %(size)d KB. Split it into smaller files.")
                % {"size": MAX_BYTES // 1024}
            )
        data: bytes = upload.read(MAX_BYTES + 1)
        if len(data) > MAX_BYTES:
            raise ValidationError(
                _("The file is larger than %(size)d KB. Split it into smaller files.")
                % {"size": MAX_BYTES // 1024}
            )
        return data
