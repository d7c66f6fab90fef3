"""Differencing across reports (docs/paygap-method.md, "Suppression").

Each report keeps its own cells above k, but two reports of the same organization and
snapshot date can be subtracted: the same payroll uploaded twice, minus one woman, gives
her grade, band, bonus and category; a cell of 3 hidden in one report comes back as the
difference of two shown cells. So a report is published only when, against every other
report of the organization of the same period (snapshot dates fewer than
`EQUITY_SAME_PERIOD_DAYS`, default 360, apart: moving the date by a day does not make it
another report), **every published cell differs by at least k people of each group, or
is empty in both**.

A *cell* is a headcount a report publishes or that stands behind a published figure:
the totals of women, men and people recorded as neither, the UK full-pay relevant and
relevant populations, the bonus recipients, each quartile band (UK and EU), each
category of workers and each level of the representation (with leadership and overall).
Two reports are compared on the kinds of cells both have (pay cells between two pay-gap
reports; level cells between any two reports with a representation).

"Differs by fewer than k" includes 0: the same headcount in a cell can hide one person
swapped for another, or one person's pay corrected, which the difference of the two
figures gives back. Both zero is fine (nobody is described).

Counts only: the check needs no salary, and reads the stored full-precision counts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

GROUPS = ("male", "female", "neither")

# A cell: (family, kind, name) -> {group: count}. `family` decides which reports are
# compared on it; `kind` and `name` say what the cell is, for the message.
CellKey = tuple[str, str, str]
Cells = dict[CellKey, dict[str, int]]


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _put(cells: Cells, key: CellKey, **groups: Any) -> None:
    cells[key] = {group: _int(count) for group, count in groups.items()}


def published_cells(
    figures: Mapping[str, Any] | None,
    counts: Mapping[str, Any] | None,
    representation: Mapping[str, Any] | None,
) -> Cells:
    """Every headcount a report rests on, from its stored (unsuppressed) figures."""
    cells: Cells = {}
    figures = figures or {}
    counts = counts or {}
    if figures or counts:
        _put(
            cells,
            ("pay", "total", ""),
            male=counts.get("male"),
            female=counts.get("female"),
            neither=counts.get("neither_excluded"),
        )
        for population in ("uk_full_pay_relevant", "uk_relevant"):
            group = counts.get(population)
            if isinstance(group, Mapping):
                _put(
                    cells,
                    ("pay", "population", population),
                    male=group.get("male"),
                    female=group.get("female"),
                )
        uk = figures.get("uk_gpg_2017") or {}
        eu = figures.get("eu_2023_970_art9") or {}
        for section, male_key, female_key, name in (
            (uk, "male_bonus_pct", "female_bonus_pct", "uk"),
            (
                eu,
                "e_male_receiving_variable_pay_pct",
                "e_female_receiving_variable_pay_pct",
                "eu",
            ),
        ):
            male, female = section.get(male_key) or {}, section.get(female_key) or {}
            _put(
                cells,
                ("pay", "bonus", name),
                male=male.get("recipients"),
                female=female.get("recipients"),
            )
        for section, bands_key, name in (
            (uk, "quartiles", "uk"),
            (eu, "f_quartiles", "eu"),
        ):
            for i, band in enumerate(section.get(bands_key) or []):
                _put(
                    cells,
                    ("pay", "band", f"{name}:{i}"),
                    male=band.get("male_count"),
                    female=band.get("female_count"),
                )
        for category in eu.get("g_categories") or []:
            _put(
                cells,
                ("pay", "category", str(category.get("category"))),
                male=category.get("male_count"),
                female=category.get("female_count"),
            )
    if representation:
        for level in representation.get("levels") or []:
            _put(
                cells,
                ("levels", "level", str(level.get("level"))),
                male=level.get("male_count"),
                female=level.get("female_count"),
                neither=level.get("neither_count"),
            )
        for name in ("leadership", "overall"):
            part = representation.get(name)
            if isinstance(part, Mapping):
                _put(
                    cells,
                    ("levels", name, ""),
                    male=part.get("male_count"),
                    female=part.get("female_count"),
                    neither=part.get("neither_count"),
                )
    return cells


_KIND_ORDER = (
    "total",
    "overall",
    "population",
    "bonus",
    "band",
    "category",
    "leadership",
    "level",
)


def _order(key: CellKey) -> tuple[int, int, str]:
    family, kind, name = key
    rank = _KIND_ORDER.index(kind) if kind in _KIND_ORDER else len(_KIND_ORDER)
    return (0 if family == "pay" else 1, rank, name)


def isolating_cells(a: Cells, b: Cells, k: int) -> list[CellKey]:
    """The cells in which two reports differ by fewer than k people of some group.

    Compared on the families both reports have; a cell one report lacks counts as
    empty there (a category that only one file has differs by its whole headcount).
    """
    families = {key[0] for key in a} & {key[0] for key in b}
    found: list[CellKey] = []
    for key in sorted({*a, *b}, key=_order):
        if key[0] not in families:
            continue
        left, right = a.get(key, {}), b.get(key, {})
        for group in GROUPS:
            x, y = left.get(group, 0), right.get(group, 0)
            if x == 0 and y == 0:
                continue
            if abs(x - y) < k:
                found.append(key)
                break
    return found


_BAND_NAMES = ("lower", "lower middle", "upper middle", "upper")


def describe(key: CellKey) -> str:
    """A cell in words, for the refusal message (names and labels only, no counts)."""
    family, kind, name = key
    if kind == "total":
        return _("the number of women, men and people recorded as neither")
    if kind == "population":
        return _("the full-pay or relevant employees")
    if kind == "bonus":
        return _("the people who received a bonus")
    if kind == "band":
        section, _sep, index = name.partition(":")
        band = _BAND_NAMES[int(index)] if index.isdigit() and int(index) < 4 else index
        return _("the %(band)s quartile pay band (%(section)s)") % {
            "band": band,
            "section": section.upper(),
        }
    if kind == "category":
        return _("category “%(name)s”") % {"name": name}
    if kind == "level":
        return _("level “%(name)s”") % {"name": name}
    if kind == "leadership":
        return _("leadership")
    return _("the whole organization")


@dataclass(frozen=True)
class Clash:
    """An earlier report the new one would differ from by fewer than k people."""

    report_id: int
    cells: tuple[CellKey, ...]

    def described(self, limit: int = 4) -> str:
        names = [describe(key) for key in self.cells[:limit]]
        more = len(self.cells) - len(names)
        text = "; ".join(names)
        if more > 0:
            text += " " + _("and %(n)s more") % {"n": more}
        return text
