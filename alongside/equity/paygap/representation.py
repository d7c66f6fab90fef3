"""Representation pipeline: headcount by level and gender, women's share per level.

Input: a file with (at least) a gender and a level column, either the pay-gap upload
itself or a file of its own; the same mapping type and validation apply (kind
"representation": only gender, level and, when mapped, employee_id are checked).

Level order, entry level first: the order the user gives (`level_order`, matched
trimmed and case-insensitively; a level in the file that is not in the list is an
error); else numeric order when every level is a number; else the order in which levels
first appear in the file. The top `leadership_levels` levels form "leadership".
Women's share = women / (men + women) x 100; people recorded as neither are left out of
shares and counted per level.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from alongside.equity.paygap.engine import PayrollInvalid
from alongside.equity.paygap.fields import ColumnMapping
from alongside.equity.paygap.loader import MAX_BYTES
from alongside.equity.paygap.problems import MAX_LISTED, Problem, ValidationResult
from alongside.equity.paygap.suppression import (
    PROTECTS_OTHER,
    PROTECTS_REASON,
    complete_suppression,
    is_small,
)
from alongside.equity.paygap.validate import NUMBER, checked_table

if TYPE_CHECKING:
    import duckdb  # annotations only: DuckDB is loaded where it runs (loader.py)


@dataclass
class RepresentationResult:
    levels: list[dict[str, Any]]
    leadership: dict[str, Any]
    overall: dict[str, Any]
    order_source: str
    validation: ValidationResult = field(default_factory=ValidationResult)

    def as_dict(self) -> dict[str, Any]:
        return {
            "levels": self.levels,
            "leadership": self.leadership,
            "overall": self.overall,
            "order_source": self.order_source,
        }


def _share(men: int, women: int) -> tuple[float | None, str | None]:
    if men + women == 0:
        return None, "nobody recorded as male or female"
    return women / (men + women) * 100.0, None


def _cell(men: int, women: int, neither: int) -> dict[str, Any]:
    share, reason = _share(men, women)
    return {
        "male_count": men,
        "female_count": women,
        "neither_count": neither,
        "female_share_pct": share,
        "reason": reason,
    }


def compute_representation(
    path: Path | str,
    mapping: ColumnMapping,
    *,
    level_order: Sequence[str] | None = None,
    leadership_levels: int = 1,
    max_bytes: int = MAX_BYTES,
) -> RepresentationResult:
    """Validate (kind "representation") and count; raises PayrollInvalid on errors."""
    with checked_table(
        Path(path), mapping, kind="representation", max_bytes=max_bytes
    ) as (
        validation,
        con,
    ):
        if con is None:
            raise PayrollInvalid(validation)
        result = representation_from_table(
            con,
            validation,
            level_order,
            leadership_levels,
            level_header=mapping.columns.get("level"),
        )
        result.validation = validation
        return result


def representation_from_table(
    con: duckdb.DuckDBPyConnection,
    validation: ValidationResult,
    level_order: Sequence[str] | None,
    leadership_levels: int,
    level_header: str | None = None,
) -> RepresentationResult:
    rows = con.execute(
        "SELECT level, min(row) AS first_row, count(*) FILTER (gender = 'male'), "
        "count(*) FILTER (gender = 'female'), count(*) FILTER (gender = 'neither') "
        "FROM payroll GROUP BY level"
    ).fetchall()
    by_level = {str(r[0]): (int(r[1]), int(r[2]), int(r[3]), int(r[4])) for r in rows}
    if level_order:
        wanted = {name.strip().casefold(): i for i, name in enumerate(level_order)}
        unknown = [name for name in by_level if name.casefold() not in wanted]
        if unknown:
            con.execute("CREATE OR REPLACE TEMP TABLE known (v VARCHAR)")
            con.executemany("INSERT INTO known VALUES (?)", [[w] for w in wanted])
            bad = con.execute(
                "SELECT row FROM payroll WHERE lower(level) NOT IN (SELECT v FROM known) "
                "ORDER BY row LIMIT ?",
                [MAX_LISTED],
            ).fetchall()
            total = con.execute(
                "SELECT count(*) FROM payroll WHERE lower(level) NOT IN (SELECT v FROM known)"
            ).fetchone()
            for (row,) in bad:
                validation.add_error(
                    Problem(
                        int(row),
                        level_header,
                        "unknown_level",
                        "Level not in the level order given; add it to the order.",
                    )
                )
            validation.error_count += int(total[0]) - len(bad) if total else 0
            raise PayrollInvalid(validation)
        names = sorted(by_level, key=lambda name: wanted[name.casefold()])
        source = "given"
    else:
        numeric = con.execute(
            f"SELECT bool_and(regexp_matches(level, '{NUMBER}')) FROM payroll"
        ).fetchone()
        if numeric and numeric[0]:
            names = sorted(by_level, key=lambda name: (float(name), name))
            source = "numeric"
        else:
            names = sorted(by_level, key=lambda name: by_level[name][0])
            source = "first_appearance"
    levels = []
    for rank, name in enumerate(names, start=1):
        _, men, women, neither = by_level[name]
        levels.append({"level": name, "rank": rank, **_cell(men, women, neither)})
    top = levels[-max(1, leadership_levels) :] if levels else []
    leadership = {
        "levels": [lvl["level"] for lvl in top],
        **_cell(
            sum(lv["male_count"] for lv in top),
            sum(lv["female_count"] for lv in top),
            sum(lv["neither_count"] for lv in top),
        ),
    }
    overall = _cell(
        sum(lv["male_count"] for lv in levels),
        sum(lv["female_count"] for lv in levels),
        sum(lv["neither_count"] for lv in levels),
    )
    return RepresentationResult(levels, leadership, overall, source, validation)


def suppress_representation(result: dict[str, Any], k: int) -> dict[str, Any]:
    """Same rules as pay figures (suppression.py): small level cells, complementary
    suppression across levels, and the leadership subtotal hidden when it would give back
    a hidden level."""
    out = copy.deepcopy(result)
    levels: list[dict[str, Any]] = out["levels"]
    cells = [(int(lv["male_count"]), int(lv["female_count"])) for lv in levels]
    hidden = {i for i, (m, f) in enumerate(cells) if is_small(m, k) or is_small(f, k)}
    hidden = complete_suppression(cells, hidden, k)
    leadership = out["leadership"]
    top = {i for i, lv in enumerate(levels) if lv["level"] in leadership["levels"]}
    hide_leadership = is_small(leadership["male_count"], k) or is_small(
        leadership["female_count"], k
    )
    for part in (hidden & top, hidden - top):
        men = sum(cells[i][0] for i in part)
        women = sum(cells[i][1] for i in part)
        if part and (is_small(men, k) or is_small(women, k)):
            hide_leadership = True
    reason = f"fewer than {k} men or women; suppressed"
    for i, level in enumerate(levels):
        if i in hidden:
            own = is_small(cells[i][0], k) or is_small(cells[i][1], k)
            level.update(
                male_count=None,
                female_count=None,
                female_share_pct=None,
                suppressed=True,
                reason=reason if own else PROTECTS_REASON,
                **{PROTECTS_OTHER: not own},
            )
        if is_small(level["neither_count"], k) or i in hidden:
            level["neither_count"] = None
    if hide_leadership:
        own = is_small(leadership["male_count"], k) or is_small(
            leadership["female_count"], k
        )
        leadership[PROTECTS_OTHER] = not own
        leadership.update(
            male_count=None,
            female_count=None,
            female_share_pct=None,
            suppressed=True,
            reason=reason if own else PROTECTS_REASON,
        )
    if is_small(leadership["neither_count"], k) or hide_leadership:
        leadership["neither_count"] = None
    overall = out["overall"]
    if is_small(overall["male_count"], k) or is_small(overall["female_count"], k):
        overall.update(
            male_count=None,
            female_count=None,
            female_share_pct=None,
            suppressed=True,
            reason=reason,
        )
    if is_small(overall["neither_count"], k):
        overall["neither_count"] = None
    out["suppression"] = {"k": k}
    return out
