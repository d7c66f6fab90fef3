from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from alongside.circles.models import Circle
from alongside.dialogue.models import Post, Space


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
