"""Pay-gap computation engine (UK GPG Regulations 2017, EU Directive 2023/970 Art. 9/10).

Stable API for the web side (views, tasks) and the `manage.py paygap` command. Every
function works on a FILE PATH (DuckDB reads the file): the web side writes the upload to
a temporary file, calls these functions, and deletes the file afterwards. Nothing here
stores, logs or raises salary values. The method, and the rules this package keeps, are
in `docs/paygap-method.md`.

Mapping page::

    headers = detect_columns(path)                    # list[str], header row of the file
    mapping = suggest_mapping(headers)                # ColumnMapping guessed from names
    values = sample_values(path, "Sex", limit=20)     # distinct values, most frequent first
    mapping.gender_values = suggest_gender_values(values)  # {"M": "male", "F": "female", ...}
    stored = mapping.to_json(); mapping = ColumnMapping.from_json(stored)

    ColumnMapping(
        columns={"employee_id": "Staff no", "gender": "Sex", "hourly_pay": "Hourly rate",
                 "bonus_pay": "Bonus", "category": "Job family",
                 "full_pay_relevant": "Full pay", ...},      # field -> source header
        gender_values={"M": "male", "F": "female", "X": "neither"},
        encoding="utf-8",                                   # declared encoding of a CSV
    )
    FIELDS / PAYGAP_REQUIRED / REPRESENTATION_REQUIRED describe the canonical fields.

Validation (before showing a preview; report ALL problems, capped)::

    result = validate(path, mapping)                  # kind="paygap" (default) | "representation"
    result.ok                                         # no blocking errors
    result.errors, result.warnings                    # list[Problem]
    result.error_count, result.warning_count          # totals (lists are capped at 200)
    Problem(row, column, code, message)               # row as a spreadsheet shows it: header = 1
    Problem.as_dict()

    Messages never contain a cell's value (so they are safe to log); `Problem.code` is a
    stable identifier (see validate.CODES) the web side can translate or explain.

Computation (validates again; raises PayrollInvalid(validation_result) on errors)::

    result = compute(path, mapping)                   # PayGapResult
    data = result.as_dict()  # {"uk_gpg_2017": {...}, "eu_2023_970_art9": {...}, "counts": {...}}
    result.validation                                 # the ValidationResult (warnings)
    analyse(path, mapping) -> (ValidationResult, PayGapResult | None)   # one parse for both

    Figures are dicts {"value": float | None, "male_count": int, "female_count": int,
    "reason": str | None} at full precision (round only for display); quartiles are
    lists of 4 bands; see engine.py and docs/paygap-method.md for every key.

Suppression (always before showing figures to anyone but the uploader)::

    shown = suppress(result.as_dict(), k=5)           # new dict; cells hidden get
                                                      # value None, "suppressed": True
    suppress(data, k=5, prefer="eu_2023_970_art9")    # for an EU report (differencing rule)

Representation (pipeline by level)::

    rep = compute_representation(path, mapping, level_order=["Junior", "Senior", "Director"],
                                 leadership_levels=1)  # RepresentationResult
    rep.as_dict(); suppress_representation(rep.as_dict(), k=5)
"""

from __future__ import annotations

from alongside.equity.paygap.engine import (
    PayGapResult,
    PayrollInvalid,
    analyse,
    compute,
)
from alongside.equity.paygap.fields import (
    FIELDS,
    PAYGAP_REQUIRED,
    REPRESENTATION_REQUIRED,
    ColumnMapping,
    Field,
    detect_columns,
    sample_values,
    suggest_gender_values,
    suggest_mapping,
)
from alongside.equity.paygap.representation import (
    RepresentationResult,
    compute_representation,
    suppress_representation,
)
from alongside.equity.paygap.suppression import suppress
from alongside.equity.paygap.validate import Problem, ValidationResult, validate

__all__ = [
    "FIELDS",
    "PAYGAP_REQUIRED",
    "REPRESENTATION_REQUIRED",
    "ColumnMapping",
    "Field",
    "PayGapResult",
    "PayrollInvalid",
    "Problem",
    "RepresentationResult",
    "ValidationResult",
    "analyse",
    "compute",
    "compute_representation",
    "detect_columns",
    "sample_values",
    "suggest_gender_values",
    "suggest_mapping",
    "suppress",
    "suppress_representation",
    "validate",
]
