"""PDF export of a report (fpdf2): the same suppressed, rounded figures as the page.

Everything comes from display.py, so the PDF can never show a figure the page hides.
Charts are simple bars drawn with rectangles. Core PDF fonts are Latin-1 only: text is
transliterated where it must be (typographic quotes and dashes), anything else becomes "?".
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.translation import gettext as _

from alongside.equity import display

if TYPE_CHECKING:
    from alongside.equity.models import PayGapReport
    from alongside.equity.pdf_document import ReportPDF

_REPLACEMENTS = {
    "\u2018": "'",
    "\u2019": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u2013": "-",
    "\u2014": "-",
    "\u2026": "...",
    "\u00a0": " ",
}


def _latin1(text: object) -> str:
    value = str(text)
    for bad, good in _REPLACEMENTS.items():
        value = value.replace(bad, good)
    return value.encode("latin-1", "replace").decode("latin-1")


def _row_label(hidden: str | list[str], i: int) -> str:
    return hidden if isinstance(hidden, str) else hidden[i]


def _hex(fill: str) -> tuple[int, int, int]:
    fill = fill.lstrip("#")
    return int(fill[0:2], 16), int(fill[2:4], 16), int(fill[4:6], 16)


def render_report(report: PayGapReport, k: int, organization_name: str) -> bytes:
    k = display.report_k(report, k)
    hidden = display.suppressed_label(k)
    from alongside.equity.pdf_document import (
        ReportPDF,  # fpdf2 loads here, not at start-up
    )

    pdf = ReportPDF(
        _("%(org)s - %(title)s - generated %(date)s")
        % {
            "org": organization_name,
            "title": report.title,
            "date": timezone.localdate().isoformat(),
        }
    )
    pdf.set_title(_latin1(report.title))
    pdf.set_author(_latin1(organization_name))
    pdf.add_page()
    pdf.heading(report.title, size=16)
    pdf.paragraph(
        _("%(org)s. Snapshot date %(date)s.")
        % {"org": organization_name, "date": report.snapshot_date.isoformat()}
    )
    pdf.paragraph(
        _(
            "Figures resting on fewer than %(k)s women or fewer than %(k)s men are "
            "suppressed. A positive gap means men are paid more. Percentages are "
            "rounded to one decimal place."
        )
        % {"k": k}
    )
    if report.figures:
        view = display.pay_gap_view(report, k)
        pdf.paragraph(view.counts["sentence"])
        _pay_gap_sections(pdf, view, hidden)
    rep = display.representation_view(report, k)
    if rep is not None:
        pdf.heading(_("Representation by level"))
        pdf.simple_table(
            [_("Level"), _("Women"), _("Men"), _("Women's share")],
            [
                [lv["name"], lv["hidden_label"], "", ""]
                if lv["suppressed"]
                else [
                    lv["name"],
                    str(lv["female"]),
                    str(lv["male"]),
                    lv["women"].display,
                ]
                for lv in rep["levels"]
            ],
            [60, 30, 30, 54],
        )
        pdf.share_bars(
            [(lv["name"], lv["women"].value, lv["men"].value) for lv in rep["levels"]],
            [lv["hidden_label"] for lv in rep["levels"]],
        )
        leadership = rep["leadership"]
        pdf.paragraph(
            _("Women's share of leadership: %(value)s")
            % {
                "value": leadership.hidden_label
                if leadership.suppressed
                else leadership.display
            }
        )
    return bytes(pdf.output())


def _cell_text(cell: display.Cell, hidden: str) -> str:
    if cell.suppressed:
        return cell.hidden_label or hidden
    return cell.display


def _pay_gap_sections(pdf: ReportPDF, view: display.PayGapView, hidden: str) -> None:
    pdf.heading(_("UK gender pay gap (2017 regulations)"))
    pdf.simple_table(
        [_("Measure"), _("Value")],
        [[m.label, _cell_text(m.cell, hidden)] for m in view.uk_measures]
        + [
            [_("%(who)s receiving a bonus") % {"who": who}, _cell_text(cell, hidden)]
            for who, cell in view.uk_bonus
        ],
        [110, 64],
    )
    pdf.heading(_("Women and men in each quartile pay band (UK)"), size=11)
    pdf.share_bars(
        [(b.label, b.women.value, b.men.value) for b in view.uk_bands],
        [b.women.hidden_label for b in view.uk_bands],
    )
    pdf.simple_table(
        [_("Quartile pay band"), _("Women"), _("Men")],
        [
            [b.label, _cell_text(b.women, hidden), _cell_text(b.men, hidden)]
            for b in view.uk_bands
        ],
        [74, 50, 50],
    )
    pdf.heading(_("EU Pay Transparency Directive (2023/970, Article 9)"))
    pdf.simple_table(
        [_("Indicator"), _("Value")],
        [[m.label, _cell_text(m.cell, hidden)] for m in view.eu_measures]
        + [
            [
                _("(e) %(who)s receiving variable pay") % {"who": who},
                _cell_text(cell, hidden),
            ]
            for who, cell in view.eu_bonus
        ],
        [124, 50],
    )
    pdf.simple_table(
        [_("(f) Quartile pay band"), _("Women"), _("Men")],
        [
            [b.label, _cell_text(b.women, hidden), _cell_text(b.men, hidden)]
            for b in view.eu_bands
        ],
        [74, 50, 50],
    )
    pdf.heading(_("(g) Mean gap by category of workers"), size=11)
    pdf.gap_bars(
        [(c.name, c.total.value) for c in view.categories],
        [c.total.hidden_label for c in view.categories],
    )
    pdf.simple_table(
        [
            _("Category"),
            _("Total pay"),
            _("Basic pay"),
            _("Variable (recipients)"),
            _("5%+"),
        ],
        [
            [
                c.name,
                _cell_text(c.total, hidden),
                _cell_text(c.basic, hidden),
                _cell_text(c.bonus_recipients, hidden),
                _("Yes") if c.flag is True else (_("No") if c.flag is False else "-"),
            ]
            for c in view.categories
        ],
        [52, 33, 33, 40, 16],
    )
    pdf.heading(_("The five-percent rule (Article 10)"), size=11)
    if view.art10_status == "flagged":
        text = _(
            "These categories show a difference in average pay of 5%% or more: %(names)s. "
            "Unless it is justified on objective, gender-neutral criteria or remedied "
            "within six months, a joint pay assessment is required."
        ) % {"names": ", ".join(view.flagged)}
    elif view.art10_status == "undetermined":
        text = _(
            "No shown category reaches 5%, but some are suppressed or undefined, so the "
            "test can't be completed from this report."
        )
    else:
        text = _("No category reaches the 5% line.")
    pdf.paragraph(text)
