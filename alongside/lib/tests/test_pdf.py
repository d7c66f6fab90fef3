from __future__ import annotations

import io

from django.test import SimpleTestCase
from pypdf import PdfReader

from alongside.lib.pdf import FONT_FAMILY, new_pdf


class NewPdfTestCase(SimpleTestCase):
    def test_names_in_any_european_script_print_as_written(self) -> None:
        name = "Nguyễn Thị Ánh · Łukasz Żółć · Ελένη · Алексей"
        pdf = new_pdf(format="A4")
        pdf.add_page()
        pdf.set_font(FONT_FAMILY, "B", 14)
        pdf.cell(0, 10, name)
        text = PdfReader(io.BytesIO(bytes(pdf.output()))).pages[0].extract_text()
        self.assertIn(name, text)
