"""Figures as people read them: suppression with the organization's k, rounding, charts.

Reports store full precision; everything shown (page, PDF) goes through this module, which
applies the engine's `suppress` with the k of the moment and, on top, hides any cell
that rests on fewer than k women or k men (a second lock: a page never shows a figure
the engine would hide). Percentages are rounded to one decimal place here, and only here.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.debug import sensitive_variables

from alongside.equity import charts, paygap

if TYPE_CHECKING:
    from alongside.equity.models import PayGapReport


@dataclass
class Cell:
    value: float | None
    suppressed: bool
    reason: str = ""
    female_count: int | None = None
    male_count: int | None = None
    # Hidden although it rests on k or more people itself, only so that another cell
    # cannot be worked out from it (complementary suppression, differencing).
    protects_other: bool = False
    k: int = 0

    @property
    def hidden_label(self) -> str:
        """Why the cell is hidden, in words that are true for this cell."""
        if self.protects_other:
            return protects_label()
        return suppressed_label(self.k) if self.k else _("suppressed")

    @property
    def shown(self) -> bool:
        return self.value is not None and not self.suppressed

    @property
    def display(self) -> str:
        if self.suppressed:
            return _("suppressed")
        if self.value is None:
            return _("undefined")
        return f"{self.value:.1f}%"


@dataclass
class Measure:
    key: str
    label: str
    explanation: str
    cell: Cell


@dataclass
class BandRow:
    label: str
    women: Cell
    men: Cell


@dataclass
class CategoryRow:
    name: str
    total: Cell
    basic: Cell
    bonus_all: Cell
    bonus_recipients: Cell
    flag: bool | None  # None: not determined (suppressed or undefined)


@dataclass
class PayGapView:
    k: int
    suppressed_label: str
    uk_measures: list[Measure]
    uk_bonus: list[tuple[str, Cell]]
    uk_bands: list[BandRow]
    eu_measures: list[Measure]
    eu_bonus: list[tuple[str, Cell]]
    eu_bands: list[BandRow]
    categories: list[CategoryRow]
    flagged: list[str]
    art10_status: str  # "flagged" | "clear" | "undetermined"
    threshold: float
    counts: dict[str, Any]
    charts: dict[str, charts.Chart] = field(default_factory=dict)
    any_suppressed: bool = False


UK_MEASURES: list[tuple[str, Any, Any]] = [
    (
        "mean_hourly_gap_pct",
        gettext_lazy("Mean hourly pay gap"),
        gettext_lazy(
            "Add up the hourly pay of the men and divide by how many there are; do the "
            "same for the women. The gap is how much lower the women's average is, as a "
            "share of the men's. Full-pay relevant employees only."
        ),
    ),
    (
        "median_hourly_gap_pct",
        gettext_lazy("Median hourly pay gap"),
        gettext_lazy(
            "Line the men up from lowest to highest paid and take the one in the middle; "
            "do the same for the women. The gap compares these two middle people, so a "
            "few very high salaries move it less than the mean."
        ),
    ),
    (
        "mean_bonus_gap_pct",
        gettext_lazy("Mean bonus gap"),
        gettext_lazy(
            "The average bonus of the men who received one, against the average of the "
            "women who received one, over the 12 months before the snapshot date."
        ),
    ),
    (
        "median_bonus_gap_pct",
        gettext_lazy("Median bonus gap"),
        gettext_lazy(
            "The middle bonus among men who received one, against the middle bonus "
            "among women who received one."
        ),
    ),
]

EU_MEASURES: list[tuple[str, Any, Any]] = [
    (
        "a_gender_pay_gap_pct",
        gettext_lazy("(a) Gender pay gap (mean)"),
        gettext_lazy(
            "Like the UK mean gap, but over every worker in the file, including people "
            "on reduced pay because of leave."
        ),
    ),
    (
        "c_median_gender_pay_gap_pct",
        gettext_lazy("(c) Median gender pay gap"),
        gettext_lazy("The middle man's hourly pay against the middle woman's."),
    ),
    (
        "b_variable_pay_gap_recipients_pct",
        gettext_lazy("(b) Gap in variable pay, among people who received it (mean)"),
        gettext_lazy(
            "Bonuses and other variable pay, averaged over the people who received any."
        ),
    ),
    (
        "b_variable_pay_gap_all_workers_pct",
        gettext_lazy("(b) Gap in variable pay, over all workers (mean)"),
        gettext_lazy(
            "The same, averaged over everyone, counting 0 for people who received none. "
            "The Directive does not say which average it means, so both are shown."
        ),
    ),
    (
        "d_median_variable_pay_gap_recipients_pct",
        gettext_lazy("(d) Median gap in variable pay, among recipients"),
        gettext_lazy("The middle bonus of men who received one, against women's."),
    ),
    (
        "d_median_variable_pay_gap_all_workers_pct",
        gettext_lazy("(d) Median gap in variable pay, over all workers"),
        gettext_lazy(
            "The middle variable pay over everyone; often 0 for both when most people "
            "receive none, which makes the gap undefined."
        ),
    ),
]

BAND_LABELS = {
    0: gettext_lazy("Lower quartile"),
    1: gettext_lazy("Lower middle quartile"),
    2: gettext_lazy("Upper middle quartile"),
    3: gettext_lazy("Upper quartile"),
}


def suppressed_label(k: int) -> str:
    return _("Suppressed: fewer than %(k)s people") % {"k": k}


def protects_label() -> str:
    """The label of a cell hidden only to protect another (it is not small itself)."""
    return _("Hidden so that another cell cannot be worked out")


def report_k(report: PayGapReport, k: int) -> int:
    """The k a report is shown with: the k in force now, and never less than the k it
    was generated with (a lowered k never applies to reports already generated)."""
    return max(k, int(report.k_used or 0))


def women_count_text(count: int) -> str:
    if count == 0:
        return _("no women")
    return ngettext("%(n)s woman", "%(n)s women", count) % {"n": count}


def men_count_text(count: int) -> str:
    if count == 0:
        return _("no men")
    return ngettext("%(n)s man", "%(n)s men", count) % {"n": count}


def counted_sentence(women: int | None, men: int | None, k: int) -> str:
    """ "Counted: 12 women and 1 man." Never "None women": a hidden count says so."""
    if women is None or men is None or 0 < women < k or 0 < men < k:
        return _(
            "Fewer than %(k)s women or fewer than %(k)s men are in this report."
        ) % {"k": k}
    return _("Counted: %(women)s and %(men)s.") % {
        "women": women_count_text(women),
        "men": men_count_text(men),
    }


def _hidden_by_counts(fig: dict[str, Any], k: int) -> bool:
    for key in ("male_count", "female_count"):
        count = fig.get(key)
        if isinstance(count, int) and 0 < count < k:
            return True
    return False


def _gap_cell(fig: dict[str, Any] | None, k: int) -> Cell:
    if not fig:
        return Cell(None, False, _("not computed"))
    small = _hidden_by_counts(fig, k)
    suppressed = bool(fig.get("suppressed")) or small
    value = None if suppressed else fig.get("value")
    return Cell(
        value=value,
        suppressed=suppressed,
        reason="" if suppressed else str(fig.get("reason") or ""),
        female_count=None if suppressed else fig.get("female_count"),
        male_count=None if suppressed else fig.get("male_count"),
        protects_other=suppressed and not small and bool(fig.get("protects_other")),
        k=k,
    )


def _proportion_cell(fig: dict[str, Any] | None, k: int) -> Cell:
    if not fig:
        return Cell(None, False, _("not computed"))
    count = fig.get("count")
    small = isinstance(count, int) and 0 < count < k
    suppressed = bool(fig.get("suppressed")) or small
    return Cell(
        value=None if suppressed else fig.get("value"),
        suppressed=suppressed,
        reason="" if suppressed else str(fig.get("reason") or ""),
        protects_other=suppressed and not small and bool(fig.get("protects_other")),
        k=k,
    )


def _bands(raw: list[dict[str, Any]] | None, k: int) -> list[BandRow]:
    rows = []
    for i, band in enumerate(raw or []):
        small = _hidden_by_counts(band, k)
        suppressed = bool(band.get("suppressed")) or small
        protects = suppressed and not small and bool(band.get("protects_other"))
        women = None if suppressed else band.get("female_pct")
        men = None if suppressed else band.get("male_pct")
        label = str(BAND_LABELS.get(i, band.get("band", "")))
        rows.append(
            BandRow(
                label,
                Cell(
                    women,
                    suppressed,
                    "",
                    band.get("female_count") if not suppressed else None,
                    protects_other=protects,
                    k=k,
                ),
                Cell(
                    men,
                    suppressed,
                    "",
                    None,
                    band.get("male_count") if not suppressed else None,
                    protects_other=protects,
                    k=k,
                ),
            )
        )
    return rows


def _measures(
    section: dict[str, Any], spec: list[tuple[str, Any, Any]], k: int
) -> list[Measure]:
    return [
        Measure(key, str(label), str(explanation), _gap_cell(section.get(key), k))
        for key, label, explanation in spec
    ]


@sensitive_variables()
def _suppressed(figures: dict[str, Any], k: int) -> dict[str, Any]:
    """The engine's suppression, on a copy. Fails closed: an error shows nothing."""
    from alongside.equity.models import EngineFailure

    try:
        result: dict[str, Any] = paygap.suppress(copy.deepcopy(figures), k)
    except Exception as exc:  # noqa: BLE001 - re-raised without its message
        raise EngineFailure(f"Suppression failed ({type(exc).__name__}).") from None
    return result


@sensitive_variables()
def _suppressed_representation(data: dict[str, Any], k: int) -> dict[str, Any]:
    from alongside.equity.models import EngineFailure

    try:
        result: dict[str, Any] = paygap.suppress_representation(copy.deepcopy(data), k)
    except Exception as exc:  # noqa: BLE001 - re-raised without its message
        raise EngineFailure(f"Suppression failed ({type(exc).__name__}).") from None
    return result


def pay_gap_view(report: PayGapReport, k: int) -> PayGapView:
    k = report_k(report, k)
    figures = _suppressed({**report.figures, "counts": report.counts}, k)
    uk = figures.get("uk_gpg_2017") or {}
    eu = figures.get("eu_2023_970_art9") or {}
    label = suppressed_label(k)
    categories: list[CategoryRow] = []
    for raw in eu.get("g_categories") or []:
        total = _gap_cell(raw.get("mean_gap_pct"), k)
        if _hidden_by_counts(raw, k):
            total = Cell(None, True, k=k)
        flag = raw.get("art10_flag") if total.shown else None
        hidden = Cell(None, True, protects_other=total.protects_other, k=k)
        categories.append(
            CategoryRow(
                name=str(raw.get("category")),
                total=total,
                basic=hidden
                if total.suppressed
                else _gap_cell(raw.get("basic_pay_gap_pct"), k),
                bonus_all=hidden
                if total.suppressed
                else _gap_cell(raw.get("variable_pay_gap_all_workers_pct"), k),
                bonus_recipients=hidden
                if total.suppressed
                else _gap_cell(raw.get("variable_pay_gap_recipients_pct"), k),
                flag=flag if isinstance(flag, bool) else None,
            )
        )
    flagged = [c.name for c in categories if c.flag]
    if flagged:
        status = "flagged"
    elif any(c.flag is None for c in categories):
        status = "undetermined"
    else:
        status = "clear"
    uk_bonus = [
        (_("Women"), _proportion_cell(uk.get("female_bonus_pct"), k)),
        (_("Men"), _proportion_cell(uk.get("male_bonus_pct"), k)),
    ]
    eu_bonus = [
        (
            _("Women"),
            _proportion_cell(eu.get("e_female_receiving_variable_pay_pct"), k),
        ),
        (_("Men"), _proportion_cell(eu.get("e_male_receiving_variable_pay_pct"), k)),
    ]
    counts = figures.get("counts") or {}
    raw_counts = report.counts or {}
    view = PayGapView(
        k=k,
        suppressed_label=label,
        uk_measures=_measures(uk, UK_MEASURES, k),
        uk_bonus=uk_bonus,
        uk_bands=_bands(uk.get("quartiles"), k),
        eu_measures=_measures(eu, EU_MEASURES, k),
        eu_bonus=eu_bonus,
        eu_bands=_bands(eu.get("f_quartiles"), k),
        categories=categories,
        flagged=flagged,
        art10_status=status,
        threshold=float(eu.get("art10_threshold_pct") or 5.0),
        counts={
            "female": counts.get("female"),
            "male": counts.get("male"),
            "neither": counts.get("neither_excluded"),
            # From the stored counts: after suppression a small count is None, which
            # is not "small" any more and printed as "None women".
            "small": _hidden_by_counts(
                {
                    "male_count": raw_counts.get("male"),
                    "female_count": raw_counts.get("female"),
                },
                k,
            )
            or counts.get("male") is None
            or counts.get("female") is None,
            "sentence": counted_sentence(counts.get("female"), counts.get("male"), k),
        },
    )
    view.any_suppressed = (
        any(m.cell.suppressed for m in (*view.uk_measures, *view.eu_measures))
        or any(c.total.suppressed for c in categories)
        or any(b.women.suppressed for b in (*view.uk_bands, *view.eu_bands))
    )
    women, men = _("Women"), _("Men")
    view.charts = {
        "uk_quartiles": charts.stacked_shares(
            [(b.label, b.women.value, b.men.value) for b in view.uk_bands],
            [b.women.hidden_label for b in view.uk_bands],
            women,
            men,
        ),
        "categories": charts.diverging_bars(
            [(c.name, c.total.value) for c in categories],
            [c.total.hidden_label for c in categories],
            view.threshold,
        ),
        "bonus": charts.paired_bars(
            [
                (f"{women} (UK)", uk_bonus[0][1].value),
                (f"{men} (UK)", uk_bonus[1][1].value),
            ],
            [uk_bonus[0][1].hidden_label, uk_bonus[1][1].hidden_label],
            [charts.WOMEN_FILL, charts.MEN_FILL],
        ),
    }
    return view


def median_gap_trend(reports: list[PayGapReport], k: int) -> dict[str, Any]:
    """Median hourly gap (UK) per report, oldest first, suppression applied."""
    rows: list[dict[str, Any]] = []
    for report in sorted(reports, key=lambda r: (r.snapshot_date, r.pk)):
        shown_k = report_k(report, k)
        uk = (
            _suppressed({**report.figures, "counts": report.counts}, shown_k).get(
                "uk_gpg_2017"
            )
            or {}
        )
        rows.append(
            {
                "report": report,
                "median": _gap_cell(uk.get("median_hourly_gap_pct"), shown_k),
                "mean": _gap_cell(uk.get("mean_hourly_gap_pct"), shown_k),
            }
        )
    chart = charts.trend_line(
        [
            (r["report"].snapshot_date.strftime("%Y-%m-%d"), r["median"].value)
            for r in rows
        ],
        _("suppressed"),
    )
    return {"rows": rows, "chart": chart}


def problems_view(validation: paygap.ValidationResult) -> dict[str, Any]:
    return {
        "errors": validation.errors,
        "warnings": validation.warnings,
        "more_errors": max(0, validation.error_count - len(validation.errors)),
        "more_warnings": max(0, validation.warning_count - len(validation.warnings)),
    }


# Representation -----------------------------------------------------------------------


def representation_view(report: PayGapReport | None, k: int) -> dict[str, Any] | None:
    if report is None or not report.representation:
        return None
    k = report_k(report, k)
    data = _suppressed_representation(report.representation, k)
    label = suppressed_label(k)
    leadership_raw = data.get("leadership") or {}
    top = set(leadership_raw.get("levels") or [])
    levels: list[dict[str, Any]] = []
    for raw in data.get("levels") or []:
        small = _hidden_by_counts(raw, k)
        suppressed = bool(raw.get("suppressed")) or small
        protects = suppressed and not small and bool(raw.get("protects_other"))
        share = None if suppressed else raw.get("female_share_pct")
        women = Cell(share, suppressed, protects_other=protects, k=k)
        levels.append(
            {
                "name": str(raw.get("level")),
                "female": None if suppressed else raw.get("female_count"),
                "male": None if suppressed else raw.get("male_count"),
                "women": women,
                "men": Cell(
                    None if share is None else 100.0 - share,
                    suppressed,
                    protects_other=protects,
                    k=k,
                ),
                "suppressed": suppressed,
                "hidden_label": women.hidden_label,
                "leadership": raw.get("level") in top,
            }
        )
    leadership_raw = data.get("leadership") or {}
    leadership_small = _hidden_by_counts(leadership_raw, k)
    leadership_hidden = bool(leadership_raw.get("suppressed")) or leadership_small
    leadership = Cell(
        None if leadership_hidden else leadership_raw.get("female_share_pct"),
        leadership_hidden,
        protects_other=leadership_hidden
        and not leadership_small
        and bool(leadership_raw.get("protects_other")),
        k=k,
    )
    chart = charts.stacked_shares(
        [(lv["name"], lv["women"].value, lv["men"].value) for lv in levels],
        [lv["hidden_label"] for lv in levels],
        _("Women"),
        _("Men"),
    )
    return {
        "levels": levels,
        "leadership": leadership,
        "leadership_levels": sorted(top),
        "chart": chart,
        "suppressed_label": label,
        "k": k,
        "any_suppressed": any(lv["suppressed"] for lv in levels),
    }


def leadership_trend(reports: list[PayGapReport], k: int) -> dict[str, Any]:
    rows: list[dict[str, Any]] = []
    for report in sorted(reports, key=lambda r: (r.snapshot_date, r.pk)):
        view = representation_view(report, k)
        if view is None:
            continue
        rows.append({"report": report, "leadership": view["leadership"]})
    chart = charts.trend_line(
        [
            (r["report"].snapshot_date.strftime("%Y-%m-%d"), r["leadership"].value)
            for r in rows
        ],
        _("suppressed"),
    )
    return {"rows": rows, "chart": chart}
