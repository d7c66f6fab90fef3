"""Text from an uploaded or named file: plain text (UTF-8), Word (.docx) or PDF."""

from __future__ import annotations

import io
import zipfile
from pathlib import PurePath

from django.utils.translation import gettext as _

EXTENSIONS = (".txt", ".docx", ".pdf")
MAX_PDF_PAGES = 200
# A .docx is a zip: refuse one that would unpack to more than this (a zip bomb).
MAX_DOCX_UNPACKED_BYTES = 50 * 1024 * 1024


class ExtractionError(Exception):
    """The file cannot be read as text; the message says why, for the user."""


def kind_of(name: str, data: bytes) -> str:
    """ "txt", "docx" or "pdf": by extension, or by content when there is none (stdin)."""
    suffix = PurePath(name).suffix.lower()
    if suffix in EXTENSIONS:
        return suffix[1:]
    if suffix:
        raise ExtractionError(
            _("%(name)s is not a .txt, .docx or .pdf file.") % {"name": name}
        )
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        return "docx"
    return "txt"


def extract_text(name: str, data: bytes) -> str:
    """The text of a file called `name` with content `data`, or ExtractionError."""
    kind = kind_of(name, data)
    if kind == "txt":
        return _text(name, data)
    if kind == "docx":
        return _docx(name, data)
    return _pdf(name, data)


def _text(name: str, data: bytes) -> str:
    if b"\x00" in data[:8192]:
        raise ExtractionError(
            _("%(name)s looks like a binary file, not text.") % {"name": name}
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise ExtractionError(
            _(
                "%(name)s is not UTF-8 text (invalid byte at position %(position)s); "
                "save it as UTF-8 and try again."
            )
            % {"name": name, "position": e.start}
        ) from None


def _docx(name: str, data: bytes) -> str:
    import docx

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        raise ExtractionError(
            _("%(name)s is not a readable Word (.docx) document.") % {"name": name}
        ) from None
    if unpacked > MAX_DOCX_UNPACKED_BYTES:
        raise ExtractionError(
            _("%(name)s unpacks to more than 50 MB; it is not a plain document.")
            % {"name": name}
        )
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception:  # zipfile, lxml and python-docx all raise their own errors
        raise ExtractionError(
            _("%(name)s is not a readable Word (.docx) document.") % {"name": name}
        ) from None
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def _pdf(name: str, data: bytes) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise ExtractionError(
                _("%(name)s is a password-protected PDF.") % {"name": name}
            )
        if len(reader.pages) > MAX_PDF_PAGES:
            raise ExtractionError(
                _("%(name)s has more than %(pages)s pages.")
                % {"name": name, "pages": MAX_PDF_PAGES}
            )
        text = "\n".join(page.extract_text() or "" for page in reader.pages)
    except ExtractionError:
        raise
    except (PyPdfError, ValueError, OSError, KeyError, TypeError):
        raise ExtractionError(
            _("%(name)s is not a readable PDF.") % {"name": name}
        ) from None
    if not text.strip():
        raise ExtractionError(
            _("%(name)s has no text that can be extracted (is it a scanned image?).")
            % {"name": name}
        )
    return text
