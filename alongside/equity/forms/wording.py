"""The wording checker's one form: paste text or upload a .txt/.docx/.pdf file."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from alongside.equity.wording.extract import EXTENSIONS, ExtractionError, extract_text

MAX_TEXT_CHARS = 100_000
MAX_UPLOAD_BYTES = 2 * 1024 * 1024


class WordingForm(forms.Form):
    text = forms.CharField(
        label=_("Text to check"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_("Paste the text here, or upload a file below."),
    )
    file = forms.FileField(
        label=_("Or upload a file"),
        required=False,
        help_text=_("A .txt (UTF-8), .docx or .pdf file of at most 2 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(EXTENSIONS)}),
    )

    def clean_file(self) -> UploadedFile[bytes] | None:
        upload: UploadedFile[bytes] | None = self.cleaned_data.get("file")
        if upload is None:
            return None
        name = upload.name or ""
        if not name.lower().endswith(EXTENSIONS):
            raise forms.ValidationError(
                _("%(name)s is not a .txt, .docx or .pdf file."),
                params={"name": name},
                code="file_type",
            )
        if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _(
                    "%(name)s is %(size)s MB; the limit is 2 MB. Paste the text "
                    "instead, or split the file."
                ),
                params={"name": name, "size": f"{upload.size / 1_048_576:.1f}"},
                code="file_size",
            )
        return upload

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        upload: UploadedFile[bytes] | None = cleaned.get("file")
        if upload is not None:
            try:
                text = extract_text(upload.name or "", upload.read())
            except ExtractionError as e:
                self.add_error("file", str(e))
                return cleaned
            cleaned["text"] = text
        if len(cleaned.get("text") or "") > MAX_TEXT_CHARS:
            self.add_error(
                "file" if upload is not None else "text",
                forms.ValidationError(
                    _(
                        "The text is %(length)s characters long; the limit is "
                        "%(limit)s. Check it in parts."
                    ),
                    params={
                        "length": len(cleaned["text"]),
                        "limit": MAX_TEXT_CHARS,
                    },
                    code="too_long",
                ),
            )
        return cleaned
