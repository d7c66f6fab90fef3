"""PDF documents with a Unicode font, the same on every machine.

The DejaVu Sans font files are shipped in `alongside/lib/fonts/` (their license is next
to them), so names in any Latin, Greek or Cyrillic script print as written whether or not
the system has fonts installed.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fpdf import FPDF

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT_FAMILY = "DejaVu"


def new_pdf(**kwargs: Any) -> FPDF:
    """An FPDF document with the shipped Unicode font registered as `FONT_FAMILY`."""
    from fpdf import FPDF  # fpdf2 loads in ~0.1 s: only when a PDF is made

    pdf = FPDF(**kwargs)
    pdf.add_font(FONT_FAMILY, "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font(FONT_FAMILY, "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.set_font(FONT_FAMILY, "", 12)
    return pdf
