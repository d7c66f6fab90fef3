from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from alongside.recognition.models import KUDOS_MESSAGE_MAX_LENGTH


class KudosForm(forms.Form):
    message = forms.CharField(
        label=_("Message (optional)"),
        required=False,
        max_length=KUDOS_MESSAGE_MAX_LENGTH,
        help_text=_(
            "A few words on what it meant to you. Plain text, up to 280 characters."
        ),
        error_messages={
            "max_length": _(
                "Keep the message to %(limit_value)d characters or fewer "
                "(it has %(show_value)d)."
            )
        },
    )


class BadgeRevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Required. The member will see it, and it is kept in the audit trail."
        ),
        error_messages={
            "required": _("Give the reason for revoking this badge."),
            "max_length": _(
                "Keep the reason to %(limit_value)d characters or fewer "
                "(it has %(show_value)d)."
            ),
        },
    )
