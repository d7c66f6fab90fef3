from __future__ import annotations

import io
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.utils.translation import gettext_lazy as _

from alongside.learning.models import Course, Lesson, LessonImage, Question, Quiz

MAX_IMAGE_BYTES = 2 * 1024 * 1024
MAX_IMAGE_PIXELS = 4000 * 4000
IMAGE_FORMATS = {"PNG": "png", "JPEG": "jpg", "WEBP": "webp", "GIF": "gif"}
CHOICE_ROWS = 5


class CourseForm(forms.ModelForm[Course]):
    class Meta:
        model = Course
        fields = ("title", "summary", "description", "prerequisites")
        widgets = {"prerequisites": forms.CheckboxSelectMultiple}

    def __init__(self, *args: Any, prerequisite_choices: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["prerequisites"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = prerequisite_choices
        field.label_from_instance = lambda course: (  # type: ignore[method-assign,assignment]
            _("%(title)s (library)") % {"title": course.title}
            if course.is_library
            else course.title
        )
        field.required = False
        field.help_text = _("Members must complete these before they can enroll.")

    def clean_prerequisites(self) -> Any:
        """Refuse a cycle (a prerequisite that itself requires this course, at any depth):
        nobody could ever enroll in either."""
        chosen = self.cleaned_data["prerequisites"]
        if self.instance._state.adding:
            return chosen
        seen: set[int] = set()
        frontier = [c.pk for c in chosen]
        while frontier:
            pk = frontier.pop()
            if pk == self.instance.pk:
                raise ValidationError(
                    _("These prerequisites would require this course itself.")
                )
            if pk in seen:
                continue
            seen.add(pk)
            frontier.extend(
                Course.prerequisites.through.objects.filter(
                    from_course_id=pk
                ).values_list("to_course_id", flat=True)
            )
        return chosen


class ModuleForm(forms.Form):
    title = forms.CharField(label=_("Module title"), max_length=140)


class LessonForm(forms.ModelForm[Lesson]):
    class Meta:
        model = Lesson
        fields = ("title", "body", "video_url", "sources")
        widgets = {
            "body": forms.Textarea(attrs={"rows": 16}),
            "sources": forms.Textarea(attrs={"rows": 3}),
        }


class LessonImageForm(forms.ModelForm[LessonImage]):
    class Meta:
        model = LessonImage
        fields = ("image", "alt_text", "caption")

    def clean_image(self) -> UploadedFile[bytes]:
        """Open the upload with pillow, refuse anything that is not a reasonable image,
        and re-encode it, which drops metadata (location, camera) and any trailing data."""
        from PIL import Image, UnidentifiedImageError

        upload = self.cleaned_data["image"]
        if upload.size and upload.size > MAX_IMAGE_BYTES:
            raise ValidationError(_("The image is larger than 2 MB."))
        try:
            upload.seek(0)
            with Image.open(upload) as probe:
                probe.verify()
            upload.seek(0)
            with Image.open(upload) as opened:
                image: Any = opened
                fmt = image.format or ""
                if fmt not in IMAGE_FORMATS:
                    raise ValidationError(_("Use a PNG, JPEG, WebP or GIF image."))
                if image.width * image.height > MAX_IMAGE_PIXELS:
                    raise ValidationError(
                        _("The image is too large (at most 4000 × 4000 pixels).")
                    )
                image.load()
                if fmt == "JPEG" and image.mode not in ("RGB", "L"):
                    image = image.convert("RGB")
                out = io.BytesIO()
                image.save(out, format=fmt)
        except ValidationError:
            raise
        except (
            UnidentifiedImageError,
            OSError,
            ValueError,
            Image.DecompressionBombError,
        ):
            raise ValidationError(_("This file is not an image we can read.")) from None
        self.instance.image_format = IMAGE_FORMATS[fmt]
        return SimpleUploadedFile(
            f"image.{IMAGE_FORMATS[fmt]}",
            out.getvalue(),
            content_type=f"image/{fmt.lower()}",
        )


class QuizForm(forms.ModelForm[Quiz]):
    class Meta:
        model = Quiz
        fields = ("pass_mark_pct",)


class QuestionForm(forms.Form):
    prompt = forms.CharField(
        label=_("Question"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=Question.Kind.choices)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for i in range(1, CHOICE_ROWS + 1):
            self.fields[f"choice_{i}_text"] = forms.CharField(
                label=_("Answer %(n)d") % {"n": i}, max_length=500, required=False
            )
            self.fields[f"choice_{i}_correct"] = forms.BooleanField(
                label=_("Answer %(n)d is correct") % {"n": i}, required=False
            )
            self.fields[f"choice_{i}_explanation"] = forms.CharField(
                label=_("Why (shown after answering) %(n)d") % {"n": i},
                max_length=2000,
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def choice_rows(
        self,
    ) -> list[tuple[forms.BoundField, forms.BoundField, forms.BoundField]]:
        return [
            (
                self[f"choice_{i}_text"],
                self[f"choice_{i}_correct"],
                self[f"choice_{i}_explanation"],
            )
            for i in range(1, CHOICE_ROWS + 1)
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        choices = []
        for i in range(1, CHOICE_ROWS + 1):
            text = (data.get(f"choice_{i}_text") or "").strip()
            correct = bool(data.get(f"choice_{i}_correct"))
            explanation = (data.get(f"choice_{i}_explanation") or "").strip()
            if not text:
                if correct or explanation:
                    self.add_error(
                        f"choice_{i}_text", _("Answer %(n)d has no text.") % {"n": i}
                    )
                continue
            choices.append(
                {"text": text, "correct": correct, "explanation": explanation}
            )
        if len(choices) < 2:
            raise ValidationError(_("Give at least two answers."))
        n_correct = sum(1 for c in choices if c["correct"])
        if n_correct == 0:
            raise ValidationError(_("Mark at least one answer as correct."))
        if data.get("kind") == Question.Kind.SINGLE and n_correct > 1:
            raise ValidationError(
                _(
                    "A one-answer question has exactly one correct answer; choose “Several answers” instead."
                )
            )
        data["choices"] = choices
        return data

    @classmethod
    def initial_for(cls, question: Question) -> dict[str, Any]:
        initial: dict[str, Any] = {"prompt": question.prompt, "kind": question.kind}
        for i, choice in enumerate(question.choices.all()[:CHOICE_ROWS], start=1):
            initial[f"choice_{i}_text"] = choice.text
            initial[f"choice_{i}_correct"] = choice.correct
            initial[f"choice_{i}_explanation"] = choice.explanation
        return initial
