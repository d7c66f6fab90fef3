"""Text extraction from .txt, .docx and .pdf files (built here with python-docx and fpdf2)."""

from __future__ import annotations

import io
import zipfile

from django.test import SimpleTestCase

from alongside.equity.wording import check
from alongside.equity.wording.extract import (
    MAX_DOCX_UNPACKED_BYTES,
    ExtractionError,
    extract_text,
)


def make_docx(*paragraphs: str, table: list[list[str]] | None = None) -> bytes:
    import docx

    document = docx.Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                grid.cell(r, c).text = value
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def make_pdf(*lines: str) -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    for line in lines:
        pdf.cell(text=line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def make_blank_pdf() -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    return bytes(pdf.output())


class ExtractTestCase(SimpleTestCase):
    def test_it_reads_utf8_text_with_or_without_bom(self) -> None:
        self.assertEqual(
            extract_text("ad.txt", "Caf\u00e9 leader".encode()), "Caf\u00e9 leader"
        )
        self.assertEqual(extract_text("ad.TXT", b"\xef\xbb\xbfleader"), "leader")

    def test_it_rejects_text_that_is_not_utf8(self) -> None:
        with self.assertRaisesMessage(ExtractionError, "is not UTF-8 text"):
            extract_text("ad.txt", "caf\u00e9".encode("latin-1"))

    def test_it_rejects_binary_posing_as_text(self) -> None:
        with self.assertRaisesMessage(ExtractionError, "binary file"):
            extract_text("ad.txt", b"\x00\x01leader")

    def test_it_reads_paragraphs_and_tables_of_a_docx(self) -> None:
        data = make_docx(
            "We want a competitive leader.",
            "Kind colleagues.",
            table=[["Skills", "analytical"], ["Team", "supportive"]],
        )
        text = extract_text("ad.docx", data)
        result = check(text)
        self.assertEqual(
            result.masculine_words, ["competitive", "leader", "analytical"]
        )
        self.assertEqual(result.feminine_words, ["kind", "supportive"])

    def test_it_reads_the_text_of_a_pdf(self) -> None:
        data = make_pdf("A driven, self-confident leader.", "Loyal and warm.")
        result = check(extract_text("ad.pdf", data))
        self.assertEqual(result.masculine_words, ["driven", "self-confident", "leader"])
        self.assertEqual(result.feminine_words, ["loyal", "warm"])

    def test_it_rejects_a_broken_docx_or_pdf(self) -> None:
        with self.assertRaisesMessage(
            ExtractionError, "not a readable Word (.docx) document"
        ):
            extract_text("ad.docx", b"PK\x03\x04 not really a zip")
        with (
            self.assertRaisesMessage(ExtractionError, "not a readable PDF"),
            self.assertLogs("pypdf", "WARNING"),  # pypdf logs the broken file too
        ):
            extract_text("ad.pdf", b"%PDF-1.4 nonsense")

    def test_it_refuses_a_docx_that_unpacks_to_too_much(self) -> None:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("word/document.xml", b"0" * (MAX_DOCX_UNPACKED_BYTES + 1))
        self.assertLess(len(buffer.getvalue()), 200_000)
        with self.assertRaisesMessage(ExtractionError, "unpacks to more than 50 MB"):
            extract_text("bomb.docx", buffer.getvalue())

    def test_it_says_when_a_pdf_has_no_text(self) -> None:
        with self.assertRaisesMessage(ExtractionError, "no text that can be extracted"):
            extract_text("scan.pdf", make_blank_pdf())

    def test_it_rejects_other_file_types(self) -> None:
        with self.assertRaisesMessage(
            ExtractionError, "is not a .txt, .docx or .pdf file"
        ):
            extract_text("ad.rtf", b"{\\rtf1 leader}")

    def test_without_extension_it_sniffs_the_content(self) -> None:
        self.assertIn("leader", extract_text("", make_pdf("leader")))
        self.assertIn("leader", extract_text("", make_docx("leader")))
        self.assertEqual(extract_text("", b"leader"), "leader")
