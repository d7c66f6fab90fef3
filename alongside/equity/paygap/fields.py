"""Canonical payroll fields (docs/paygap-method.md, "Input") and the column mapping.

An organization's file has its own headers and its own gender values; a `ColumnMapping`
maps them onto the canonical fields below. The mapping holds no personal data (headers
and category labels like "M"/"F"), so the web side may store it as JSON.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

GenderCode = Literal["male", "female", "neither"]
GENDER_CODES: tuple[GenderCode, ...] = ("male", "female", "neither")
Kind = Literal["paygap", "representation"]


@dataclass(frozen=True)
class Field:
    """One canonical input field."""

    name: str
    label: str
    kind: Literal["id", "gender", "money", "flag", "text"]
    help: str
    required_for: frozenset[str]
    aliases: tuple[str, ...] = ()


FIELDS: tuple[Field, ...] = (
    Field(
        "employee_id",
        "Employee ID",
        "id",
        "A unique reference per person (payroll number). Used to catch duplicates.",
        frozenset({"paygap"}),
        (
            "employee id",
            "employee number",
            "staff id",
            "staff number",
            "staff no",
            "payroll id",
            "payroll number",
            "person id",
            "id",
            "emp id",
            "employee no",
        ),
    ),
    Field(
        "gender",
        "Gender",
        "gender",
        "Each value is mapped to male, female or neither; people recorded as neither are "
        "left out of every figure and counted.",
        frozenset({"paygap", "representation"}),
        ("gender", "sex", "legal sex", "gender identity"),
    ),
    Field(
        "hourly_pay",
        "Hourly pay",
        "money",
        "Hourly rate of ordinary pay in the relevant pay period, bonus pay pro rata "
        "included (UK regs 3, 6, 7), before deductions.",
        frozenset({"paygap"}),
        (
            "hourly pay",
            "hourly rate",
            "hourly rate of pay",
            "pay per hour",
            "rate per hour",
            "hourly",
            "gross hourly pay",
        ),
    ),
    Field(
        "bonus_pay",
        "Bonus pay",
        "money",
        "Bonus (complementary or variable) pay in the 12 months ending with the snapshot "
        "date; 0 or blank for none.",
        frozenset({"paygap"}),
        (
            "bonus pay",
            "bonus",
            "bonuses",
            "variable pay",
            "annual bonus",
            "bonus amount",
        ),
    ),
    Field(
        "category",
        "Category of workers",
        "text",
        "Group of workers doing the same work or work of equal value (EU Directive "
        "Art. 3(1)(h)).",
        frozenset({"paygap"}),
        (
            "category",
            "category of workers",
            "job family",
            "job category",
            "worker category",
            "pay category",
            "role category",
        ),
    ),
    Field(
        "full_pay_relevant",
        "Full-pay relevant employee",
        "flag",
        "1/yes when the person was not on reduced or nil pay because of leave in the "
        "relevant pay period (UK reg. 1(2)).",
        frozenset({"paygap"}),
        (
            "full pay relevant",
            "full pay relevant employee",
            "full-pay relevant",
            "full pay",
            "fpre",
        ),
    ),
    Field(
        "relevant",
        "Relevant employee",
        "flag",
        "1/yes when employed on the snapshot date (UK). Optional: everyone is relevant "
        "if not mapped.",
        frozenset(),
        ("relevant", "relevant employee", "employed on snapshot date"),
    ),
    Field(
        "basic_hourly_pay",
        "Basic hourly pay",
        "money",
        "Ordinary basic wage per hour, without complementary or variable components (EU "
        "Art. 9(1)(g)). Optional: hourly pay is used if not mapped.",
        frozenset(),
        (
            "basic hourly pay",
            "basic hourly rate",
            "basic pay per hour",
            "base hourly pay",
            "basic rate",
        ),
    ),
    Field(
        "level",
        "Level or grade",
        "text",
        "Seniority level or grade, for the representation pipeline.",
        frozenset({"representation"}),
        (
            "level",
            "grade",
            "band",
            "seniority",
            "job level",
            "career level",
            "pay grade",
        ),
    ),
)

FIELDS_BY_NAME: dict[str, Field] = {f.name: f for f in FIELDS}
PAYGAP_REQUIRED: tuple[str, ...] = tuple(
    f.name for f in FIELDS if "paygap" in f.required_for
)
REPRESENTATION_REQUIRED: tuple[str, ...] = tuple(
    f.name for f in FIELDS if "representation" in f.required_for
)

# Source gender values recognised without the user saying so (compared case-insensitively
# after trimming). Anything else must be mapped explicitly, or validation rejects it.
DEFAULT_GENDER_VALUES: dict[str, GenderCode] = {
    "m": "male",
    "male": "male",
    "man": "male",
    "men": "male",
    "f": "female",
    "female": "female",
    "woman": "female",
    "women": "female",
    "w": "female",
}
NEITHER_HINTS = (
    "x",
    "other",
    "non-binary",
    "nonbinary",
    "non binary",
    "diverse",
    "d",
    "prefer not to say",
    "not known",
    "unknown",
    "n",
)


def normalise_value(value: str) -> str:
    """How gender values are compared: trimmed and case-folded."""
    return value.strip().casefold()


def _normalise_header(header: str) -> str:
    return re.sub(r"[\s_\-./]+", " ", header.strip().casefold()).strip()


@dataclass
class ColumnMapping:
    """Which source column holds each canonical field, and what each gender value means.

    `columns`: field name -> source header (exactly as in the file, trimmed).
    `gender_values`: source value -> "male" | "female" | "neither" ("other" is accepted
    as a synonym of "neither"). Keys are matched trimmed and case-insensitively.
    `encoding`: the declared encoding of a CSV file ("utf-8" also accepts a BOM).
    """

    columns: dict[str, str] = field(default_factory=dict)
    gender_values: dict[str, str] = field(default_factory=dict)
    encoding: str = "utf-8"

    def gender_lookup(self) -> dict[str, GenderCode]:
        """Normalised source value -> gender code (an empty mapping uses the defaults)."""
        source = self.gender_values or dict(DEFAULT_GENDER_VALUES)
        lookup: dict[str, GenderCode] = {}
        for value, code in source.items():
            canonical = "neither" if code in ("other", "neither") else code
            if canonical in ("male", "female", "neither"):
                lookup[normalise_value(value)] = canonical  # type: ignore[assignment]
        return lookup

    def invalid_gender_codes(self) -> list[str]:
        return sorted(
            {
                c
                for c in self.gender_values.values()
                if c not in ("male", "female", "neither", "other")
            }
        )

    def to_json(self) -> str:
        return json.dumps(
            {
                "columns": self.columns,
                "gender_values": self.gender_values,
                "encoding": self.encoding,
            },
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, text: str | bytes | dict[str, Any]) -> ColumnMapping:
        data = text if isinstance(text, dict) else json.loads(text)
        columns = {str(k): str(v) for k, v in dict(data.get("columns", {})).items()}
        genders = {
            str(k): str(v) for k, v in dict(data.get("gender_values", {})).items()
        }
        return cls(
            columns=columns,
            gender_values=genders,
            encoding=str(data.get("encoding", "utf-8")),
        )


def detect_delimiter(header_line: str) -> str:
    """The delimiter of a CSV header line: the most frequent of `,` `;` tab (`,` on a tie)."""
    counts = {d: header_line.count(d) for d in (",", ";", "\t")}
    best = max(counts.values())
    if best == 0:
        return ","
    return next(d for d in (",", ";", "\t") if counts[d] == best)


def parse_header(first_line: str) -> tuple[list[str], str]:
    """Headers (trimmed) and delimiter from the first line of a CSV file."""
    line = first_line.lstrip("\ufeff").rstrip("\r\n")
    delimiter = detect_delimiter(line)
    rows = list(csv.reader(io.StringIO(line), delimiter=delimiter))
    headers = [h.strip() for h in rows[0]] if rows else []
    return headers, delimiter


def detect_columns(path: Path | str, encoding: str = "utf-8") -> list[str]:
    """The header row of a CSV or .xlsx file (empty list when there is none or it can't be read)."""
    from alongside.equity.paygap.loader import PayrollFileError, prepared_csv

    try:
        with prepared_csv(Path(path), encoding) as prepared:
            return list(prepared.headers)
    except PayrollFileError:
        return []


def sample_values(
    path: Path | str, column: str, limit: int = 20, encoding: str = "utf-8"
) -> list[str]:
    """Distinct values of one column, most frequent first (for mapping gender values).

    Meant for text columns (gender, category, level); never call it on a pay column in a
    context that logs.
    """
    from alongside.equity.paygap.loader import (
        PayrollFileError,
        prepared_csv,
        read_table,
    )

    try:
        with prepared_csv(Path(path), encoding) as prepared:
            if column not in prepared.headers:
                return []
            con = read_table(prepared, {"value": column})
            rows = con.execute(
                "SELECT trim(coalesce(value, '')) AS v, count(*) AS n FROM raw "
                "GROUP BY v ORDER BY n DESC, v LIMIT ?",
                [limit],
            ).fetchall()
            con.close()
            return [str(r[0]) for r in rows]
    except PayrollFileError:
        return []


def suggest_mapping(headers: Sequence[str]) -> ColumnMapping:
    """Guess field -> header from header names; unmatched fields are left out."""
    columns: dict[str, str] = {}
    normalised = {_normalise_header(h): h for h in headers}
    for f in FIELDS:
        candidates = (_normalise_header(f.name), *f.aliases)
        for alias in candidates:
            if alias in normalised and normalised[alias] not in columns.values():
                columns[f.name] = normalised[alias]
                break
    return ColumnMapping(columns=columns, gender_values={})


def suggest_gender_values(values: Iterable[str]) -> dict[str, str]:
    """A gender mapping for the given source values; unrecognised values are left out."""
    suggestion: dict[str, str] = {}
    for value in values:
        key = normalise_value(value)
        if key in DEFAULT_GENDER_VALUES:
            suggestion[value] = DEFAULT_GENDER_VALUES[key]
        elif key in NEITHER_HINTS:
            suggestion[value] = "neither"
    return suggestion
