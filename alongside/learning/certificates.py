"""The certificate as a PDF (fpdf2): name, course, date, organization and the public
verification link."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils import formats
from django.utils.translation import gettext as _

from alongside.lib.pdf import FONT_FAMILY, new_pdf

if TYPE_CHECKING:
    from alongside.learning.models import Certificate


def certificate_pdf_bytes(certificate: Certificate) -> bytes:
    pdf = new_pdf(orientation="landscape", format="A4")
    pdf.set_title(_("Certificate of completion"))
    pdf.set_author(certificate.organization_name)
    pdf.add_page()
    family = FONT_FAMILY

    pdf.set_draw_color(60, 60, 60)
    pdf.rect(10, 10, 277, 190)
    pdf.set_y(35)
    pdf.set_font(family, "B", 30)
    pdf.cell(
        0,
        16,
        _("Certificate of completion"),
        align="C",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.set_font(family, "", 14)
    pdf.ln(8)
    pdf.cell(0, 10, _("This certifies that"), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, "B", 24)
    pdf.cell(0, 14, certificate.member_name, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, "", 14)
    pdf.cell(0, 10, _("completed the course"), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, "B", 20)
    pdf.multi_cell(
        0, 12, certificate.course_title, align="C", new_x="LMARGIN", new_y="NEXT"
    )
    pdf.set_font(family, "", 14)
    day = formats.date_format(certificate.issued_at, "j F Y")
    pdf.cell(
        0,
        10,
        _("at %(org)s on %(day)s") % {"org": certificate.organization_name, "day": day},
        align="C",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.set_y(170)
    pdf.set_font(family, "", 9)
    pdf.cell(
        0,
        6,
        _("Check this certificate at:"),
        align="C",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    url = certificate.verification_url()
    pdf.cell(0, 6, url, align="C", link=url, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
