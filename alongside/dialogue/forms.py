from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from alongside.circles.models import Circle
from alongside.dialogue import language_screen
from alongside.dialogue.models import Flag, MemberTrust, ModerationSettings, Post, Space


class SpaceForm(forms.ModelForm[Space]):
    material_change = forms.BooleanField(
        label=_(
            "The guidelines changed materially: every member accepts them again "
            "before posting"
        ),
        required=False,
    )

    class Meta:
        model = Space
        fields: tuple[str, ...] = ("name", "description", "guidelines")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            del self.fields["material_change"]


class SpaceCreateForm(SpaceForm):
    """Where the space lives: the whole organization (program admins) or one of the
    circles the creator facilitates."""

    place = forms.ChoiceField(label=_("Where"), widget=forms.RadioSelect)

    class Meta(SpaceForm.Meta):
        # A safe space is chosen here only: the edit form never offers it.
        fields = ("place", "name", "description", "guidelines", "is_safe")

    def __init__(
        self, *args: Any, circles: list[Circle], whole_organization: bool, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        choices: list[tuple[str, str]] = []
        if whole_organization:
            choices.append(("org", str(_("The whole organization"))))
        choices += [
            (str(c.pk), str(_("The circle “%(name)s”") % {"name": c.name}))
            for c in circles
        ]
        place = self.fields["place"]
        assert isinstance(place, forms.ChoiceField)
        place.choices = choices
        self.circles = {str(c.pk): c for c in circles}

    def chosen_circle(self) -> Circle | None:
        return self.circles.get(self.cleaned_data["place"])


class ThreadForm(forms.Form):
    title = forms.CharField(
        label=_("Title"),
        max_length=140,
        error_messages={"required": _("Give the conversation a title.")},
    )
    body = forms.CharField(
        label=_("Your message"),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=Post._meta.get_field("body").help_text,
    )


class PostForm(forms.ModelForm[Post]):
    class Meta:
        model = Post
        fields = ("body",)
        labels = {"body": _("Your reply")}
        widgets = {"body": forms.Textarea(attrs={"rows": 5})}
        error_messages = {"body": {"required": _("Write something before posting.")}}


__all__ = ["PostForm", "SpaceCreateForm", "SpaceForm", "ThreadForm"]


# Moderation ----------------------------------------------------------------------------


class FlagForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Why are you flagging this post?"),
        choices=Flag.Reason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a reason.")},
    )
    detail = forms.CharField(
        label=_("Anything moderators should know (optional)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Moderators see the reason and this note, never who sent it. The author "
            "never learns who flagged the post."
        ),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason, as the member will read it"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Say why: the member reads it.")},
    )

    def __init__(self, *args: Any, required: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = required
        if not required:
            self.fields["reason"].label = _("Reason for the author (optional)")


class SuspendForm(ReasonForm):
    days = forms.TypedChoiceField(
        label=_("For how long"),
        coerce=int,
        choices=[
            (1, _("1 day")),
            (3, _("3 days")),
            (7, _("7 days")),
            (30, _("30 days")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how long.")},
    )


class StatementForm(forms.Form):
    statement = forms.CharField(
        label=_("Why should the moderators look again?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={
            "required": _("Tell the moderators why they should look again.")
        },
    )


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            ("upheld", _("The decision stands")),
            ("overturned", _("Reverse the decision")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a decision.")},
    )
    response = forms.CharField(
        label=_("Answer to the member"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Write an answer: the member reads it.")},
    )


class TrustForm(forms.Form):
    level = forms.TypedChoiceField(
        label=_("Trust level"),
        coerce=int,
        choices=[
            c for c in MemberTrust.Level.choices if c[0] < MemberTrust.Level.LEADER
        ],
    )


class SettingsForm(forms.ModelForm[ModerationSettings]):
    class Meta:
        model = ModerationSettings
        fields = (
            "screen_enabled",
            "screen_extra_terms",
            "screen_allowed_terms",
            "auto_hide_score",
            "auto_hide_reporters",
        )
        widgets = {
            "screen_extra_terms": forms.Textarea(attrs={"rows": 5}),
            "screen_allowed_terms": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "auto_hide_score": _(
                "Flags weigh 1 from basic members, 2 from members, 3 from regulars; "
                "new members can't flag. Between 2 and 50."
            ),
            "auto_hide_reporters": _(
                "At least this many different members must have flagged it. "
                "Between 2 and 20."
            ),
        }

    def clean_screen_extra_terms(self) -> str:
        text: str = self.cleaned_data["screen_extra_terms"]
        terms = language_screen.parse_terms(text)
        if len(terms) > language_screen.MAX_TERMS:
            raise forms.ValidationError(
                _("At most %(max)d words or phrases.")
                % {"max": language_screen.MAX_TERMS}
            )
        for term in terms:
            if len(term) > language_screen.MAX_TERM_LENGTH:
                raise forms.ValidationError(
                    _("“%(term)s…” is too long: at most %(max)d characters a line.")
                    % {"term": term[:20], "max": language_screen.MAX_TERM_LENGTH}
                )
            if not language_screen.normalize(term).strip() or not any(
                c.isalpha() for c in term
            ):
                raise forms.ValidationError(
                    _("“%(term)s” has no letters to match.") % {"term": term}
                )
        return "\n".join(terms)

    def clean_screen_allowed_terms(self) -> str:
        text: str = self.cleaned_data["screen_allowed_terms"]
        terms = language_screen.parse_terms(text)
        built_in = {
            language_screen.normalize(t) for t in language_screen.BUILT_IN_TERMS
        }
        for term in terms:
            if language_screen.normalize(term) not in built_in:
                raise forms.ValidationError(
                    _(
                        "“%(term)s” is not on the built-in list, so there is nothing "
                        "to let through. Only built-in words go here."
                    )
                    % {"term": term}
                )
        return "\n".join(terms)

    def clean_auto_hide_score(self) -> int:
        value: int = self.cleaned_data["auto_hide_score"]
        if not 2 <= value <= 50:
            raise forms.ValidationError(_("Choose a score between 2 and 50."))
        return value

    def clean_auto_hide_reporters(self) -> int:
        value: int = self.cleaned_data["auto_hide_reporters"]
        if not 2 <= value <= 20:
            raise forms.ValidationError(
                _(
                    "Choose between 2 and 20 members: one member alone never hides a post."
                )
            )
        return value
