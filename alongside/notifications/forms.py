from __future__ import annotations

from django import forms

from alongside.notifications.models import NotificationPreference


class NotificationPreferenceForm(forms.ModelForm[NotificationPreference]):
    class Meta:
        model = NotificationPreference
        fields = (
            "email_confirmations",
            "email_kudos",
            "email_badges",
            "email_reminders",
        )
