"""Every figure of docs/paygap-method.md, computed in DuckDB SQL over table `payroll`.

Precision: amounts are DuckDB DOUBLE (IEEE binary64, Python float); means and medians are
computed by DuckDB (`avg`, `median` = mean of the two middle values for an even count),
percentages in Python float. Nothing is rounded here: round only for display. A float
carries ~15-16 significant digits, far more than the one decimal place the gov.uk
service takes; Decimal would cost several times the time on a million rows for digits
nobody reads.

Figure dicts (see docs/paygap-method.md):
  gap:        {"value", "male_count", "female_count", "reason"}
  proportion: {"value", "count", "recipients", "reason"}
  band:       {"band", "male_count", "female_count", "male_pct", "female_pct", "reason"}
`value` is None with a `reason` when the figure is undefined (no men, no women, or a
zero denominator); `reason` is None otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from alongside.equity.paygap.fields import ColumnMapping
from alongside.equity.paygap.loader import MAX_BYTES
from alongside.equity.paygap.problems import ValidationResult
from alongside.equity.paygap.validate import checked_table

if TYPE_CHECKING:
    import duckdb  # annotations only: DuckDB is loaded where it runs (loader.py)

BAND_NAMES = ("lower", "lower_middle", "upper_middle", "upper")
ART10_THRESHOLD_PCT = 5.0

UK_HOURLY = "full_pay_relevant"
UK_BONUS = "relevant"
EU_ALL = "true"


class PayrollInvalid(Exception):
    """The file has blocking errors; `validation` lists them (no cell values)."""

    def __init__(self, validation: ValidationResult) -> None:
        super().__init__(f"payroll file has {validation.error_count} error(s)")
        self.validation = validation


@dataclass
class PayGapResult:
    uk_gpg_2017: dict[str, Any]
    eu_2023_970_art9: dict[str, Any]
    counts: dict[str, Any]
    validation: ValidationResult = field(default_factory=ValidationResult)

    def as_dict(self) -> dict[str, Any]:
        return {
            "uk_gpg_2017": self.uk_gpg_2017,
            "eu_2023_970_art9": self.eu_2023_970_art9,
            "counts": self.counts,
        }


def compute(
    path: Path | str, mapping: ColumnMapping, *, max_bytes: int = MAX_BYTES
) -> PayGapResult:
    """Validate and compute; raises PayrollInvalid when the file has errors."""
    validation, result = analyse(path, mapping, max_bytes=max_bytes)
    if result is None:
        raise PayrollInvalid(validation)
    return result


def analyse(
    path: Path | str, mapping: ColumnMapping, *, max_bytes: int = MAX_BYTES
) -> tuple[ValidationResult, PayGapResult | None]:
    """Validation and (when there is no error) the figures, from one parse of the file."""
    with checked_table(Path(path), mapping, kind="paygap", max_bytes=max_bytes) as (
        validation,
        con,
    ):
        if con is None:
            return validation, None
        result = compute_from_table(con)
        result.validation = validation
        return validation, result


def _gap(m: float | None, f: float | None, nm: int, nf: int) -> dict[str, Any]:
    value: float | None = None
    reason: str | None = None
    if nm == 0 and nf == 0:
        reason = "nobody in this group"
    elif nm == 0:
        reason = "no men in this group"
    elif nf == 0:
        reason = "no women in this group"
    elif m is None or f is None or m == 0:
        reason = "men's figure is 0, so the gap is undefined"
    else:
        value = (m - f) / m * 100.0
    return {"value": value, "male_count": nm, "female_count": nf, "reason": reason}


def _proportion(recipients: int, count: int, who: str) -> dict[str, Any]:
    if count == 0:
        return {
            "value": None,
            "count": 0,
            "recipients": 0,
            "reason": f"no {who} in this group",
        }
    return {
        "value": recipients / count * 100.0,
        "count": count,
        "recipients": recipients,
        "reason": None,
    }


Stats = dict[tuple[Any, str], tuple[int, float | None, float | None]]


def _stats(
    con: duckdb.DuckDBPyConnection,
    measures: dict[str, tuple[str, str, bool]],
    group: str | None = None,
) -> dict[str, Stats]:
    """For each measure name -> (value expression, population filter, with median?):
    (group, gender) -> (count, mean, median) over men and women, in ONE scan."""
    key = group or "NULL"
    parts = []
    for value, where, with_median in measures.values():
        parts.append(f"count(*) FILTER ({where})")
        parts.append(f"avg({value}) FILTER ({where})")
        parts.append(f"median({value}) FILTER ({where})" if with_median else "NULL")
    rows = con.execute(
        f"SELECT {key} AS k, gender, {', '.join(parts)} FROM payroll "
        "WHERE gender IN ('male', 'female') GROUP BY ALL"
    ).fetchall()
    out: dict[str, Stats] = {name: {} for name in measures}
    for row in rows:
        for i, name in enumerate(measures):
            n, mean, median = row[2 + 3 * i : 5 + 3 * i]
            if n:
                out[name][(row[0], row[1])] = (int(n), mean, median)
    return out


def _gaps(
    stats: dict[tuple[Any, str], tuple[int, float | None, float | None]],
    key: Any = None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    nm, mean_m, median_m = stats.get((key, "male"), (0, None, None))
    nf, mean_f, median_f = stats.get((key, "female"), (0, None, None))
    return _gap(mean_m, mean_f, nm, nf), _gap(median_m, median_f, nm, nf)


def quartiles(
    con: duckdb.DuckDBPyConnection, where: str, value: str = "hourly_pay"
) -> list[dict[str, Any]]:
    """Reg. 13 quartile bands with the tie rule of docs/paygap-method.md (largest remainder).

    Band k holds ranked positions floor(kN/4) .. floor((k+1)N/4)-1. Groups of equal pay
    wholly inside one band are summed in SQL; the few groups that straddle a boundary
    (at most three) are split in Python so that each band gets the group's share of men.
    """
    population = f"gender IN ('male', 'female') AND ({where})"
    row = con.execute(f"SELECT count(*) FROM payroll WHERE {population}").fetchone()
    n_total = int(row[0]) if row else 0
    men = [0, 0, 0, 0]
    women = [0, 0, 0, 0]
    if n_total:
        grouped = (
            f"WITH g AS (SELECT {value} AS v, count(*) FILTER (gender = 'male') AS m, "
            f"count(*) AS n FROM payroll WHERE {population} GROUP BY v), "
            "c AS (SELECT m, n, sum(n) OVER (ORDER BY v ROWS UNBOUNDED PRECEDING) - n AS s FROM g), "
            "b AS (SELECT m, n, s, (4 * (s + 1) + $1 - 1) // $1 - 1 AS b0, "
            "(4 * (s + n) + $1 - 1) // $1 - 1 AS b1 FROM c) "
        )
        for band, inside, start, m, n in con.execute(
            grouped
            + "SELECT b0, b0 = b1, CASE WHEN b0 = b1 THEN NULL ELSE s END AS start, "
            "sum(m), sum(n) FROM b GROUP BY ALL ORDER BY b0, start",
            [n_total],
        ).fetchall():
            if inside:
                men[int(band)] += int(m)
                women[int(band)] += int(n) - int(m)
            else:
                _split_tied_group(int(start), int(n), int(m), n_total, men, women)
    bands = []
    for k, name in enumerate(BAND_NAMES):
        size = men[k] + women[k]
        if size == 0:
            bands.append(
                {
                    "band": name,
                    "male_count": 0,
                    "female_count": 0,
                    "male_pct": None,
                    "female_pct": None,
                    "reason": "nobody in this band",
                }
            )
        else:
            bands.append(
                {
                    "band": name,
                    "male_count": men[k],
                    "female_count": women[k],
                    "male_pct": men[k] / size * 100.0,
                    "female_pct": women[k] / size * 100.0,
                    "reason": None,
                }
            )
    return bands


def _split_tied_group(
    start: int, size: int, m: int, n_total: int, men: list[int], women: list[int]
) -> None:
    bounds = [(k * n_total) // 4 for k in range(5)]
    slots = [
        max(0, min(start + size, bounds[k + 1]) - max(start, bounds[k]))
        for k in range(4)
    ]
    quotas = [m * slots[k] / size for k in range(4)]
    placed = [int(q) for q in quotas]
    left = m - sum(placed)
    # Largest remainder; on equal remainders the lower band first.
    order = sorted(
        (k for k in range(4) if slots[k]), key=lambda k: (-(quotas[k] - placed[k]), k)
    )
    for k in order[:left]:
        placed[k] += 1
    for k in range(4):
        men[k] += placed[k]
        women[k] += slots[k] - placed[k]


def compute_from_table(con: duckdb.DuckDBPyConnection) -> PayGapResult:
    """All figures from a validated `payroll` table (see validate.checked_table)."""
    # UK GPG Regulations 2017, and EU Directive 2023/970 Art. 9(1) (all workers in the file)
    stats = _stats(
        con,
        {
            "hourly": ("hourly_pay", UK_HOURLY, True),
            "bonus": ("bonus_pay", f"{UK_BONUS} AND bonus_pay > 0", True),
            "relevant": ("bonus_pay", UK_BONUS, False),
            "eu_hourly": ("hourly_pay", EU_ALL, True),
            "eu_bonus_all": ("bonus_pay", EU_ALL, True),
            "eu_bonus_rec": ("bonus_pay", "bonus_pay > 0", True),
        },
    )
    hourly, bonus = stats["hourly"], stats["bonus"]
    eu_hourly, eu_bonus_all, eu_bonus_rec = (
        stats["eu_hourly"],
        stats["eu_bonus_all"],
        stats["eu_bonus_rec"],
    )

    def count(table: Stats, gender: str) -> int:
        return table.get((None, gender), (0, None, None))[0]

    props = {
        g: (count(bonus, g), count(stats["relevant"], g)) for g in ("male", "female")
    }
    eu_props = {
        g: (count(eu_bonus_rec, g), count(eu_bonus_all, g)) for g in ("male", "female")
    }
    mean_hourly, median_hourly = _gaps(hourly)
    mean_bonus, median_bonus = _gaps(bonus)
    uk = {
        "mean_hourly_gap_pct": mean_hourly,
        "median_hourly_gap_pct": median_hourly,
        "mean_bonus_gap_pct": mean_bonus,
        "median_bonus_gap_pct": median_bonus,
        "male_bonus_pct": _proportion(*props.get("male", (0, 0)), who="men"),
        "female_bonus_pct": _proportion(*props.get("female", (0, 0)), who="women"),
        "quartiles": quartiles(con, UK_HOURLY),
    }
    # EU Directive 2023/970 Art. 9(1): all workers in the file.
    a, c = _gaps(eu_hourly)
    b_all, d_all = _gaps(eu_bonus_all)
    b_rec, d_rec = _gaps(eu_bonus_rec)
    categories = _categories(con)
    flagged = [g["category"] for g in categories if g["art10_flag"]]
    undetermined = any(g["art10_flag"] is None for g in categories)
    eu = {
        "a_gender_pay_gap_pct": a,
        "b_variable_pay_gap_all_workers_pct": b_all,
        "b_variable_pay_gap_recipients_pct": b_rec,
        "c_median_gender_pay_gap_pct": c,
        "d_median_variable_pay_gap_all_workers_pct": d_all,
        "d_median_variable_pay_gap_recipients_pct": d_rec,
        "e_male_receiving_variable_pay_pct": _proportion(
            *eu_props.get("male", (0, 0)), who="men"
        ),
        "e_female_receiving_variable_pay_pct": _proportion(
            *eu_props.get("female", (0, 0)), who="women"
        ),
        "f_quartiles": quartiles(con, EU_ALL),
        "g_categories": categories,
        "art10_threshold_pct": ART10_THRESHOLD_PCT,
        "art10_flagged_categories": flagged,
        "art10_joint_assessment_flag": True
        if flagged
        else (None if undetermined else False),
    }
    totals = con.execute(
        "SELECT count(*) FILTER (gender = 'male'), count(*) FILTER (gender = 'female'), "
        "count(*) FILTER (gender = 'neither'), count(*), "
        "count(*) FILTER (gender = 'male' AND full_pay_relevant), "
        "count(*) FILTER (gender = 'female' AND full_pay_relevant), "
        "count(*) FILTER (gender = 'male' AND relevant), count(*) FILTER (gender = 'female' AND relevant), "
        "count(DISTINCT category) FROM payroll"
    ).fetchone()
    assert totals is not None
    counts = {
        "male": int(totals[0]),
        "female": int(totals[1]),
        "neither_excluded": int(totals[2]),
        "total_rows": int(totals[3]),
        "uk_full_pay_relevant": {"male": int(totals[4]), "female": int(totals[5])},
        "uk_relevant": {"male": int(totals[6]), "female": int(totals[7])},
        "categories": int(totals[8]),
    }
    return PayGapResult(uk_gpg_2017=uk, eu_2023_970_art9=eu, counts=counts)


def _categories(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    stats = _stats(
        con,
        {
            "total": ("hourly_pay", EU_ALL, False),
            "basic": ("basic_hourly_pay", EU_ALL, False),
            "bonus_all": ("bonus_pay", EU_ALL, False),
            "bonus_rec": ("bonus_pay", "bonus_pay > 0", False),
        },
        "category",
    )
    total, basic, bonus_all, bonus_rec = (
        stats["total"],
        stats["basic"],
        stats["bonus_all"],
        stats["bonus_rec"],
    )
    names = sorted({key for key, _ in total})
    categories = []
    for name in names:
        mean_total, _ = _gaps(total, name)
        mean_basic, _ = _gaps(basic, name)
        mean_bonus_all, _ = _gaps(bonus_all, name)
        mean_bonus_rec, _ = _gaps(bonus_rec, name)
        value = mean_total["value"]
        categories.append(
            {
                "category": name,
                "male_count": mean_total["male_count"],
                "female_count": mean_total["female_count"],
                "mean_gap_pct": mean_total,
                "basic_pay_gap_pct": mean_basic,
                "variable_pay_gap_all_workers_pct": mean_bonus_all,
                "variable_pay_gap_recipients_pct": mean_bonus_rec,
                "art10_flag": None
                if value is None
                else abs(value) >= ART10_THRESHOLD_PCT - 1e-9,
            }
        )
    return categories
