"""The FPDF document of a report's PDF export (pdf.py draws into it).

A module of its own so that fpdf2 (about 0.1 s to import) loads only when a PDF is made:
pdf.py imports this inside `render_report`.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from fpdf import FPDF

from alongside.equity import charts
from alongside.equity.pdf import _hex, _latin1, _row_label


class ReportPDF(FPDF):
    def __init__(self, footer_text: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.footer_text = footer_text
        self.set_auto_page_break(auto=True, margin=18)
        self.set_margins(18, 18, 18)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("Helvetica", size=8)
        self.set_text_color(90, 90, 90)
        self.cell(0, 6, _latin1(f"{self.footer_text} - {self.page_no()}"), align="C")
        self.set_text_color(0, 0, 0)

    # Building blocks -------------------------------------------------------------------

    def heading(self, text: str, size: int = 14) -> None:
        self.ln(2)
        self.set_font("Helvetica", style="B", size=size)
        self.multi_cell(0, 7, _latin1(text), new_x="LMARGIN", new_y="NEXT")
        self.set_font("Helvetica", size=10)

    def paragraph(self, text: str, size: int = 10) -> None:
        self.set_font("Helvetica", size=size)
        self.multi_cell(0, 5, _latin1(text), new_x="LMARGIN", new_y="NEXT")
        self.ln(1)

    def simple_table(
        self, header: list[str], rows: list[list[str]], widths: list[float]
    ) -> None:
        self.set_font("Helvetica", style="B", size=9)
        for text, width in zip(header, widths, strict=True):
            self.cell(width, 6, _latin1(text), border=1)
        self.ln()
        self.set_font("Helvetica", size=9)
        for row in rows:
            if self.will_page_break(6):
                self.add_page()
            for text, width in zip(row, widths, strict=True):
                self.cell(width, 6, _latin1(text)[:70], border=1)
            self.ln()
        self.ln(2)

    def share_bars(
        self,
        rows: list[tuple[str, float | None, float | None]],
        hidden: str | list[str],
    ) -> None:
        """Stacked 100 % bars: women's share then men's share."""
        label_w, bar_w, bar_h = 45.0, 100.0, 5.0
        for i, (label, women, men) in enumerate(rows):
            if self.will_page_break(bar_h + 2):
                self.add_page()
            x, y = self.l_margin, self.get_y()
            self.set_font("Helvetica", size=8)
            self.cell(label_w, bar_h, _latin1(label)[:30])
            if women is None or men is None:
                self.cell(bar_w, bar_h, _latin1(_row_label(hidden, i)))
            else:
                w = bar_w * max(0.0, min(100.0, women)) / 100
                self.set_fill_color(*_hex(charts.WOMEN_FILL))
                self.rect(x + label_w, y, w, bar_h, style="F")
                self.set_fill_color(*_hex(charts.MEN_FILL))
                self.rect(x + label_w + w, y, bar_w - w, bar_h, style="F")
                self.set_x(x + label_w + bar_w + 2)
                self.cell(30, bar_h, f"{women:.1f}% / {men:.1f}%")
            self.ln(bar_h + 1.5)
        self.set_font("Helvetica", size=8)
        self.set_fill_color(*_hex(charts.WOMEN_FILL))
        self.rect(self.l_margin + 45, self.get_y() + 1, 3, 3, style="F")
        self.set_x(self.l_margin + 49)
        self.cell(25, 5, _latin1(_("Women")))
        self.set_fill_color(*_hex(charts.MEN_FILL))
        self.rect(self.get_x(), self.get_y() + 1, 3, 3, style="F")
        self.set_x(self.get_x() + 4)
        self.cell(25, 5, _latin1(_("Men")))
        self.ln(8)

    def gap_bars(
        self, rows: list[tuple[str, float | None]], hidden: str | list[str]
    ) -> None:
        """Bars from a zero line: right when men are paid more, left when women are."""
        label_w, half, bar_h = 55.0, 45.0, 5.0
        values = [abs(v) for _label, v in rows if v is not None]
        scale = max([*values, 10.0])
        for i, (label, value) in enumerate(rows):
            if self.will_page_break(bar_h + 2):
                self.add_page()
            x, y = self.l_margin, self.get_y()
            zero = x + label_w + half
            self.set_font("Helvetica", size=8)
            self.cell(label_w, bar_h, _latin1(label)[:34])
            self.set_draw_color(120, 120, 120)
            self.line(zero, y - 0.5, zero, y + bar_h + 0.5)
            if value is None:
                self.set_x(zero + 2)
                self.cell(60, bar_h, _latin1(_row_label(hidden, i)))
            else:
                w = max(half * abs(value) / scale, 0.3)
                self.set_fill_color(*_hex(charts.GAP_FILL))
                self.rect(zero if value >= 0 else zero - w, y, w, bar_h, style="F")
                self.set_x(x + label_w + 2 * half + 2)
                self.cell(20, bar_h, f"{value:.1f}%")
            self.ln(bar_h + 1.5)
        self.ln(3)
