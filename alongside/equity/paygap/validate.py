"""Validation of an uploaded payroll file against a column mapping.

Every check runs as SQL over the whole file and every problem is reported (the lists are
capped at MAX_LISTED, the counts are totals); nothing stops at the first problem. Messages
say where and what, never the cell's value: they are safe to log and to show. (The upload
page may echo a cell back to the uploader from its own copy; this module doesn't.)
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from alongside.equity.paygap.fields import (
    FIELDS_BY_NAME,
    PAYGAP_REQUIRED,
    REPRESENTATION_REQUIRED,
    ColumnMapping,
    Kind,
)
from alongside.equity.paygap.loader import (
    MAX_BYTES,
    PayrollFileError,
    PreparedCsv,
    connect,
    csv_source,
    prepared_csv,
    read_table,
)
from alongside.equity.paygap.problems import MAX_LISTED, Problem, ValidationResult

if TYPE_CHECKING:
    import duckdb  # annotations only: DuckDB is loaded where it runs (loader.py)

__all__ = ["CODES", "Problem", "ValidationResult", "checked_table", "validate"]

MAX_TEXT = 200  # characters in an id, gender, category or level cell
NEITHER_WARNING_SHARE = 0.05
ANNUAL_LOOKING_HOURLY = (
    500.0  # an hourly rate above this looks like annual or monthly pay
)
THOUSANDS_LOOKING_HOURLY = (
    1.0  # a median hourly rate below this looks like pay in thousands
)
OUTLIER_FACTOR = 20.0

CODES: dict[str, str] = {
    # file
    "too_large": "The file is over the size limit.",
    "empty_file": "The file is empty.",
    "no_rows": "The file has a header but no rows.",
    "encoding": "The file is not in the declared text encoding.",
    "nul_byte": "The file contains NUL bytes.",
    "ragged_row": "A row has more or fewer cells than the header.",
    "bad_quotes": "Unbalanced quotes.",
    "unreadable": "Not a CSV table.",
    "zip_bomb": "A workbook that expands too much.",
    "bad_xlsx": "A damaged workbook.",
    # mapping
    "unmapped_field": "A required field has no column.",
    "missing_column": "A mapped column is not in the file.",
    "duplicate_header": "A mapped header appears twice.",
    "empty_header": "A column has no header.",
    "mapping": "The mapping itself is inconsistent.",
    # cells
    "blank": "A required cell is empty.",
    "not_a_number": "Not a number.",
    "decimal_comma": "A comma used as decimal mark or thousands separator.",
    "currency_symbol": "A currency symbol in a number.",
    "scientific_notation": "A number in scientific notation.",
    "not_finite": "NaN or Infinity.",
    "negative": "A negative amount.",
    "zero_hourly_pay": "Zero hourly pay for a full-pay relevant employee.",
    "not_a_flag": "Not yes/no.",
    "unknown_gender": "A gender value the mapping doesn't cover.",
    "duplicate_id": "An employee ID used twice.",
    "formula": "A cell that a spreadsheet would run as a formula.",
    "control_character": "Invisible control or direction characters.",
    "too_long": "A cell longer than the limit.",
    "invalid_row": "A row rejected without a more specific reason.",
    # warnings
    "looks_annual": "Hourly pay that looks like annual or monthly pay.",
    "looks_thousands": "Pay that looks like it is in thousands.",
    "pay_outlier": "Hourly pay far from the median.",
    "basic_above_total": "Basic hourly pay above total hourly pay (swapped columns?).",
    "category_looks_numeric": "The category column holds numbers (wrong column?).",
    "many_neither": "Many people recorded as neither male nor female.",
    "no_men": "No men in a population, so its gaps are undefined.",
    "no_women": "No women in a population.",
    "zero_pay_on_leave": "Zero hourly pay for people not on full pay.",
    "full_pay_not_relevant": "Full-pay relevant but not relevant.",
    "duplicate_header_unused": "A repeated header in a column that isn't used.",
}

NUMBER = r"^([0-9]+(\.[0-9]*)?|\.[0-9]+)$"
NEGATIVE = r"^-([0-9]+(\.[0-9]*)?|\.[0-9]+)$"
FLAG_TRUE_BASE = ("1", "y", "yes", "true", "t")
FLAG_FALSE_BASE = ("0", "n", "no", "false", "f")


def _casings(words: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(
        dict.fromkeys(w for word in words for w in (word, word.title(), word.upper()))
    )


# Accepted exactly as written (lower, Title or UPPER case, no surrounding spaces): an
# exact IN list costs a fraction of lower(trim(...)) on a million rows.
FLAG_TRUE = _casings(FLAG_TRUE_BASE)
FLAG_FALSE = _casings(FLAG_FALSE_BASE)
# C0 controls except tab, DEL, and bidirectional / zero-width formatting characters.
CONTROL = "[\\x00-\\x08\\x0a-\\x1f\\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]"

MESSAGES: dict[str, str] = {
    "blank": "Empty; a value is needed.",
    "not_a_number": "Not a number. Use digits with a full stop as the decimal mark.",
    "decimal_comma": "Not a number: has a comma. Use a full stop as the decimal mark and no thousands separators.",
    "currency_symbol": "Not a number: has a currency sign or letters. Remove them.",
    "scientific_notation": "Not a number: in scientific notation (like 1E+03). Format the column as a plain number.",
    "not_finite": "Not a number (NaN or Infinity).",
    "negative": "Negative; pay can't be below zero.",
    "zero_hourly_pay": "Hourly pay is 0 for a full-pay relevant employee; such a person is not on full pay.",
    "not_a_flag": "Not a yes/no value; use 1/0, yes/no or true/false (no spaces around).",
    "unknown_gender": "Gender value not in the mapping; map it to male, female or neither.",
    "formula": "Starts with = + - or @, which a spreadsheet would run as a formula.",
    "control_character": "Contains invisible control or text-direction characters.",
    "too_long": f"Longer than {MAX_TEXT} characters.",
    "invalid_row": "A value in this row can't be used; check its cells.",
}

LOW_CARDINALITY = ("category", "level", "full_pay_relevant", "relevant")


def validate(
    path: Path | str,
    mapping: ColumnMapping,
    *,
    kind: Kind = "paygap",
    max_bytes: int = MAX_BYTES,
) -> ValidationResult:
    """Check the file and the mapping; report every problem (see module docstring)."""
    with checked_table(Path(path), mapping, kind=kind, max_bytes=max_bytes) as (
        result,
        con,
    ):
        if con is not None:
            con.close()
        return result


@contextmanager
def checked_table(
    path: Path,
    mapping: ColumnMapping,
    *,
    kind: Kind = "paygap",
    max_bytes: int = MAX_BYTES,
) -> Iterator[tuple[ValidationResult, duckdb.DuckDBPyConnection | None]]:
    """Validate, and when there is no error yield a connection with table `payroll`.

    `payroll` columns: row (spreadsheet row), gender ('male'|'female'|'neither'),
    hourly_pay, basic_hourly_pay, bonus_pay (DOUBLE), category, level (VARCHAR),
    relevant, full_pay_relevant (BOOLEAN). Unmapped optional fields get their defaults.
    """
    result = ValidationResult()
    try:
        with prepared_csv(path, mapping.encoding, max_bytes) as prepared:
            select = _check_mapping(prepared.headers, mapping, kind, result)
            if not result.ok:
                yield result, None
                return
            con = _clean_table(prepared, mapping, select, result)
            clean = con is not None
            if con is None:
                con = read_table(prepared, select)
            try:
                if not clean:
                    _check_cells(con, mapping, select, result)
                if result.error_count == 0:
                    _check_warnings(con, select, mapping, result)
                    yield result, con
                else:
                    yield result, None
            finally:
                con.close()
    except PayrollFileError as exc:
        for problem in exc.problems:
            result.add_error(problem)
        yield result, None


def _check_mapping(
    headers: list[str], mapping: ColumnMapping, kind: Kind, result: ValidationResult
) -> dict[str, str]:
    required = PAYGAP_REQUIRED if kind == "paygap" else REPRESENTATION_REQUIRED
    for name in required:
        if not mapping.columns.get(name):
            result.add_error(
                Problem(
                    None,
                    None,
                    "unmapped_field",
                    f"No column is chosen for '{FIELDS_BY_NAME[name].label}', which is required.",
                )
            )
    for code in mapping.invalid_gender_codes():
        result.add_error(
            Problem(
                None,
                None,
                "mapping",
                f"Gender values can map to male, female or neither, not '{code}'.",
            )
        )
    counts: dict[str, int] = {}
    for header in headers:
        counts[header] = counts.get(header, 0) + 1
    for position, header in enumerate(headers, start=1):
        if header == "" and len(headers) > 1:
            result.add_warning(
                Problem(
                    1,
                    None,
                    "empty_header",
                    f"Column {position} has no header; it is ignored.",
                )
            )
    used: dict[str, str] = {}
    select: dict[str, str] = {}
    for name, header in mapping.columns.items():
        if not header:
            continue
        if name not in FIELDS_BY_NAME:
            result.add_error(Problem(None, None, "mapping", f"Unknown field '{name}'."))
            continue
        if header not in counts:
            hint = ""
            if headers and all(_looks_numeric(h) for h in headers if h):
                hint = " The first row looks like data: the file needs a header row."
            result.add_error(
                Problem(
                    1,
                    header,
                    "missing_column",
                    f"No column with this header in the file.{hint}",
                )
            )
            continue
        if counts[header] > 1:
            result.add_error(
                Problem(
                    1,
                    header,
                    "duplicate_header",
                    "Two columns have this header; rename one.",
                )
            )
            continue
        other = used.get(header)
        if other is not None and {name, other} != {"hourly_pay", "basic_hourly_pay"}:
            result.add_error(
                Problem(
                    None,
                    header,
                    "mapping",
                    f"The same column is chosen for '{FIELDS_BY_NAME[other].label}' "
                    f"and '{FIELDS_BY_NAME[name].label}'.",
                )
            )
            continue
        used[header] = name
        if kind == "representation" and name not in ("gender", "level", "employee_id"):
            continue
        select[name] = header
    for header, n in counts.items():
        if n > 1 and header not in used and header:
            result.add_warning(
                Problem(
                    1,
                    header,
                    "duplicate_header_unused",
                    "Two columns have this header; neither is used.",
                )
            )
    return select


def _looks_numeric(text: str) -> bool:
    try:
        float(text.replace(",", "."))
    except ValueError:
        return False
    return True


def _q(name: str) -> str:
    return f'"{name}"'


NUMBER_PADDED = r"[ \t]*([0-9]+(\.[0-9]*)?|\.[0-9]+)[ \t]*"


def _gender_table(con: duckdb.DuckDBPyConnection, mapping: ColumnMapping) -> None:
    """gmap(raw, g): each distinct source value of the file that the mapping covers.

    Matching is trimmed (spaces, tabs) and lower-cased, both sides in SQL, so the rule is
    one rule. A blank cell is the value '' (mappable like any other).
    """
    con.execute("CREATE OR REPLACE TEMP TABLE gnorm (v VARCHAR, g VARCHAR)")
    lookup = mapping.gender_lookup()
    if lookup:
        con.executemany("INSERT INTO gnorm VALUES (?, ?)", list(lookup.items()))
    con.execute(
        "CREATE OR REPLACE TEMP TABLE gmap AS SELECT d.raw, any_value(n.g) AS g FROM "
        "(SELECT DISTINCT coalesce(gender, '') AS raw FROM raw) d JOIN gnorm n "
        f"ON {_norm('n.v')} = {_norm('d.raw')} GROUP BY d.raw"
    )


def _norm(expr: str) -> str:
    """How gender values are compared (fields.normalise_value is the Python mirror)."""
    return f"lower(trim(coalesce({expr}, ''), ' \t'))"


def _literal(value: str) -> str:
    """A SQL string literal (DuckDB: only the quote needs doubling)."""
    return "'" + value.replace("'", "''") + "'"


def _valid_sql(alias: str, mapping: ColumnMapping, gender: str = "gmap.g") -> str:
    """Cheap per-cell validity (the fast path); the detailed CASE runs only on failures."""
    col = _q(alias)
    kind = FIELDS_BY_NAME[alias].kind
    if kind == "money":
        valid = f"regexp_full_match({col}, '{NUMBER_PADDED}')"
        return (
            f"({col} IS NULL OR {valid})"
            if alias == "bonus_pay"
            else f"coalesce({valid}, false)"
        )
    if kind == "flag":
        return f"({col} IN ({', '.join(repr(v) for v in (*FLAG_TRUE, *FLAG_FALSE))}))"
    if alias == "gender":
        return f"({gender} IS NOT NULL)"
    # The rules of _detailed_checks in one expression: not blank, no formula sign first
    # (after spaces and tabs), no control characters in category and level.
    if alias in ("category", "level"):
        inner = CONTROL[1:-1]
        pattern = f"[ \\t]*[^ \\t=+\\-@{inner}][^{inner}]*"
    else:
        # Ids: look at the first character; only a leading space or tab needs the regex.
        pattern = "(?s)[ \\t]*[^ \\t=+\\-@].*"
        first = (
            f"CASE WHEN ord({col}) IN (32, 9) THEN regexp_full_match({col}, '{pattern}') "
            f"ELSE ord({col}) NOT IN (0, 61, 43, 45, 64) END"
        )
        return f"({col} IS NOT NULL AND length({col}) <= {MAX_TEXT} AND {first})"
    return f"({col} IS NOT NULL AND length({col}) <= {MAX_TEXT} AND regexp_full_match({col}, '{pattern}'))"


def _clean_table(
    prepared: PreparedCsv,
    mapping: ColumnMapping,
    select: dict[str, str],
    result: ValidationResult,
) -> duckdb.DuckDBPyConnection | None:
    """The fast path: view `payroll` built while the file is read, if the file is clean.

    One pass types and checks every record as DuckDB reads it (no VARCHAR copy of the
    file, no second pass). It gives up (None) at the first sign of any problem: an
    unreadable file, a row some check rejects, a padded category or level, a possible
    duplicate id, no rows. Then the caller takes the slow path (read_table and
    _check_cells), which finds and reports every problem; so results and error reports
    are those of the slow path, and the fast path only decides that there are none.
    Sets result.row_count when it succeeds.
    """
    import duckdb

    if "gender" not in select:
        return None
    con = connect()
    try:
        con.execute("CREATE TEMP TABLE gnorm (v VARCHAR, g VARCHAR)")
        lookup = mapping.gender_lookup()
        if lookup:
            con.executemany("INSERT INTO gnorm VALUES (?, ?)", list(lookup.items()))
        pairs = con.execute(
            f"SELECT {_norm('v')} AS k, any_value(g), count(DISTINCT g) FROM gnorm "
            "GROUP BY k ORDER BY k"
        ).fetchall()
        if len(pairs) > 64 or any(n > 1 for _, _, n in pairs):
            con.close()
            return None
        genders = {k: g for k, g, _ in pairs}
        # Values as written in the lookup (and in capitals) are matched exactly first:
        # normalising every cell costs more than the rest of the gender check.
        exact = {
            c: genders[k]
            for c, k in con.execute(
                "SELECT DISTINCT c, " + _norm("c") + " FROM (SELECT v AS c FROM gnorm "
                "UNION ALL SELECT upper(v) FROM gnorm) ORDER BY c"
            ).fetchall()
            if k in genders
        }
        whens = " ".join(
            f"WHEN {_literal(k)} THEN {_literal(g)}" for k, g in genders.items()
        )
        gender = (
            f"(CASE {_norm(_q('gender'))} {whens} END)" if pairs else "NULL::VARCHAR"
        )
        if exact:
            first = " ".join(
                f"WHEN {_literal(c)} THEN {_literal(g)}" for c, g in exact.items()
            )
            gender = f"(CASE coalesce({_q('gender')}, '') {first} ELSE {gender} END)"
        checks = [
            f"coalesce({_valid_sql(a, mapping)}, false)"
            for a in select
            if a not in ("gender", "category", "level")
        ]
        ok = " AND ".join(checks) or "true"  # and a mapped gender (counted below)
        blank = " AND ".join(f"{_q(a)} IS NULL" for a in select)
        hourly = _money_sql("hourly_pay", select, "NULL::DOUBLE")
        basic = _money_sql("basic_hourly_pay", select, hourly)
        bonus = _money_sql("bonus_pay", select, "0.0")
        texts = {
            a: (_q(a) if a in select else "NULL::VARCHAR")
            for a in ("category", "level")
        }
        relevant = _flag_sql("relevant", select)
        full_pay = _flag_sql("full_pay_relevant", select)
        employee_id = _q("employee_id") if "employee_id" in select else "NULL::VARCHAR"
        source, params = csv_source(prepared, select)
        try:
            con.execute(
                f"CREATE TABLE clean AS SELECT {blank} AS blank, {gender} AS gender, "
                f"{hourly} AS hourly_pay, {basic} AS basic_hourly_pay, {bonus} AS bonus_pay, "
                f"{texts['category']} AS category, {texts['level']} AS level, "
                f"{relevant} AS relevant, {full_pay} AND {relevant} AS full_pay_relevant, "
                f"{full_pay} AS full_pay_marked, {ok} AS ok, {employee_id} AS employee_id "
                f"FROM ({source})",
                params,
            )
        except duckdb.Error:
            con.close()
            return None
        counts = con.execute(
            "SELECT count(*) FILTER (NOT blank), "
            "count(*) FILTER (NOT blank AND (NOT ok OR gender IS NULL)), "
            "count(*) FILTER (NOT blank AND hourly_pay = 0 AND full_pay_relevant), "
            "count(employee_id) - count(DISTINCT hash(employee_id)) FROM clean"
        ).fetchone()
        assert counts is not None
        rows, bad, zero_pay, duplicates = (int(c) for c in counts)
        texts_ok = True
        for alias in ("category", "level"):
            if alias in select and texts_ok:
                col = _q(alias)
                wrong = con.execute(
                    f"SELECT count(*) FILTER (NOT coalesce({_valid_sql(alias, mapping)}, "
                    f"false) OR {col} <> trim({col})) FROM (SELECT DISTINCT {alias} AS "
                    f"{col} FROM clean WHERE NOT blank)"
                ).fetchone()
                texts_ok = wrong is not None and not wrong[0]
        if not rows or bad or zero_pay or duplicates or not texts_ok:
            con.close()
            return None
        con.execute(
            "CREATE VIEW payroll AS SELECT rowid AS rid, rowid + 2 AS row, gender, "
            "hourly_pay, basic_hourly_pay, bonus_pay, category, level, relevant, "
            "full_pay_relevant, full_pay_marked, ok FROM clean WHERE NOT blank"
        )
    except BaseException:
        con.close()
        raise
    result.row_count = rows
    return con


def _check_cells(
    con: duckdb.DuckDBPyConnection,
    mapping: ColumnMapping,
    select: dict[str, str],
    result: ValidationResult,
) -> None:
    """Build table `payroll` (typed) in one pass with a per-row `ok`; classify bad rows."""
    _gender_table(con, mapping)
    blank_row = " AND ".join(f"{_q(a)} IS NULL" for a in select)
    # Columns with few distinct values are checked once per distinct value (below), the
    # others cell by cell in the pass that builds the typed table.
    low = [a for a in select if a in LOW_CARDINALITY]
    per_row = [a for a in select if a not in LOW_CARDINALITY]
    if low:
        # One pass for the distinct combinations (a few hundred in a real file).
        columns = ", ".join(_q(a) for a in low)
        con.execute(f"CREATE TEMP TABLE lowcard AS SELECT DISTINCT {columns} FROM raw")
    # Gender: a CASE over the few source values the mapping covers (cheaper than a join).
    pairs = con.execute("SELECT raw, g FROM gmap ORDER BY raw").fetchall()
    join = ""
    if len(pairs) <= 64:
        whens = " ".join(f"WHEN {_literal(raw)} THEN {_literal(g)}" for raw, g in pairs)
        gender = (
            f"(CASE coalesce(raw.gender, '') {whens} END)" if pairs else "NULL::VARCHAR"
        )
    else:
        join = "LEFT JOIN gmap ON gmap.raw = coalesce(raw.gender, '') "
        gender = "gmap.g"
    valid = (
        " AND ".join(
            f"coalesce({_valid_sql(a, mapping, gender)}, false)" for a in per_row
        )
        or "true"
    )
    hourly = _money_sql("hourly_pay", select, "NULL::DOUBLE")
    basic = _money_sql("basic_hourly_pay", select, hourly)
    bonus = _money_sql("bonus_pay", select, "0.0")
    # Surrounding spaces are not part of a category or level name (trimmed only when
    # some value has them: trimming a million cells costs more than looking).
    texts: dict[str, str] = {}
    for alias in ("category", "level"):
        texts[alias] = "NULL::VARCHAR"
        if alias in select:
            col = _q(alias)
            padded = con.execute(
                f"SELECT bool_or({col} <> trim({col})) FROM lowcard"
            ).fetchone()
            texts[alias] = f"trim({col})" if padded and padded[0] else col
    relevant = _flag_sql("relevant", select)
    full_pay = _flag_sql("full_pay_relevant", select)
    con.execute(
        f"CREATE TABLE payroll AS SELECT raw.rowid AS rid, raw.rowid + 2 AS row, {gender} AS gender, "
        f"{hourly} AS hourly_pay, {basic} AS basic_hourly_pay, {bonus} AS bonus_pay, "
        f"{texts['category']} AS category, {texts['level']} AS level, {relevant} AS relevant, "
        f"{full_pay} AND {relevant} AS full_pay_relevant, {full_pay} AS full_pay_marked, "
        f"{valid} AS ok FROM raw {join}WHERE NOT ({blank_row})"
    )
    counts = con.execute(
        "SELECT count(*), count(*) FILTER (NOT ok), "
        "count(*) FILTER (ok AND hourly_pay = 0 AND full_pay_relevant) FROM payroll"
    ).fetchone()
    assert counts is not None
    result.row_count, bad_rows, zero_pay = (int(c) for c in counts)
    if result.row_count == 0:
        result.add_error(
            Problem(None, None, "no_rows", "The file has a header but no rows of data.")
        )
        return
    checks: list[str] = []
    if bad_rows:
        bad = "rowid IN (SELECT rid FROM payroll WHERE NOT ok)"
        checks += [_detailed_check(a, mapping, bad) for a in per_row]
    for alias in low:
        # Blank rows may raise a false alarm here, which the filtered check clears.
        alias_valid = f"coalesce({_valid_sql(alias, mapping)}, false)"
        wrong = con.execute(
            f"SELECT count(*) FROM lowcard WHERE NOT {alias_valid}"
        ).fetchone()
        if wrong and wrong[0]:
            where = f"NOT ({blank_row}) AND NOT {alias_valid}"
            checks.append(_detailed_check(alias, mapping, where))
    if zero_pay:
        checks.append(
            "SELECT rid AS r, 'hourly_pay' AS f, 'zero_hourly_pay' AS code FROM payroll "
            "WHERE ok AND hourly_pay = 0 AND full_pay_relevant"
        )
    if "employee_id" in select:
        # IDs are compared exactly as written (no trimming or case folding).
        dup = con.execute(
            # Hashes first (cheap); a collision can only raise a false alarm, which the
            # exact window query below then clears.
            "SELECT count(employee_id) - count(DISTINCT hash(employee_id)) FROM raw"
        ).fetchone()
        if dup and dup[0]:
            checks.append(
                "SELECT r, 'employee_id' AS f, 'duplicate_id:' || (first_r + 2) AS code FROM ("
                "SELECT rowid AS r, min(rowid) OVER (PARTITION BY employee_id) AS first_r FROM raw "
                "WHERE employee_id IS NOT NULL) WHERE r <> first_r"
            )
    if not checks:
        return
    union = " UNION ALL ".join(checks)
    con.execute(
        f"CREATE TEMP TABLE problems AS SELECT * FROM ({union}) WHERE code IS NOT NULL"
    )
    # Safety net: a row the fast path rejected must have a listed reason.
    con.execute(
        "INSERT INTO problems SELECT rid, '_row', 'invalid_row' FROM payroll "
        "WHERE NOT ok AND rid NOT IN (SELECT r FROM problems)"
    )
    total = int(con.execute("SELECT count(*) FROM problems").fetchone()[0])  # type: ignore[index]
    listed = con.execute(
        "SELECT r, f, code FROM problems ORDER BY r, f LIMIT ?", [MAX_LISTED]
    ).fetchall()
    for r, alias, code in listed:
        header = select.get(alias)
        if code.startswith("duplicate_id:"):
            first = code.split(":", 1)[1]
            result.add_error(
                Problem(
                    int(r) + 2,
                    header,
                    "duplicate_id",
                    f"Same employee ID as row {first}; each person needs one row.",
                )
            )
        else:
            result.add_error(Problem(int(r) + 2, header, code, MESSAGES[code]))
    result.error_count += max(0, total - len(listed))


def _detailed_check(alias: str, mapping: ColumnMapping, where: str) -> str:
    """Why each cell of one column is wrong (NULL when it isn't), over raw rows `where`."""
    col = _q(alias)
    value = f"trim(coalesce({col}, ''), ' \t')"
    kind = FIELDS_BY_NAME[alias].kind
    if alias == "gender":
        blank = "false" if "" in mapping.gender_lookup() else f"{value} = ''"
        case = (
            f"CASE WHEN coalesce({col}, '') IN (SELECT raw FROM gmap) THEN NULL "
            f"WHEN {blank} THEN 'blank' ELSE 'unknown_gender' END"
        )
    elif kind in ("id", "text"):
        control = (
            f"WHEN regexp_matches({col}, '{CONTROL}') THEN 'control_character' "
            if alias in ("category", "level")
            else ""
        )
        case = (
            f"CASE WHEN {value} = '' THEN 'blank' "
            f"WHEN length({col}) > {MAX_TEXT} THEN 'too_long' "
            f"WHEN regexp_matches({value}, '^[=+\\-@]') THEN 'formula' {control}END"
        )
    elif kind == "money":
        blank = "'blank'" if alias != "bonus_pay" else "NULL"
        case = (
            f"CASE WHEN {value} = '' THEN {blank} "
            f"WHEN regexp_full_match({col}, '{NUMBER_PADDED}') THEN NULL "
            f"WHEN regexp_matches({value}, '{NEGATIVE}') THEN 'negative' "
            f"WHEN regexp_matches({value}, '^[=@]') THEN 'formula' "
            f"WHEN lower({value}) IN ('nan', 'inf', 'infinity', '-inf', '-infinity', '+inf') "
            "THEN 'not_finite' "
            f"WHEN regexp_matches({value}, '^[-+]?[0-9.]+[eE][-+]?[0-9]+$') "
            "THEN 'scientific_notation' "
            f"WHEN regexp_matches({value}, '^[-+]?[0-9.,\\s]+$') AND {value} LIKE '%,%' "
            "THEN 'decimal_comma' "
            f"WHEN regexp_matches({value}, '[0-9]') AND regexp_matches({value}, '[^0-9.,\\s+-]') "
            "THEN 'currency_symbol' ELSE 'not_a_number' END"
        )
    else:  # flag
        allowed = ", ".join(f"'{v}'" for v in (*FLAG_TRUE, *FLAG_FALSE))
        case = (
            f"CASE WHEN {value} = '' THEN 'blank' "
            f"WHEN coalesce({col}, '') NOT IN ({allowed}) THEN 'not_a_flag' END"
        )
    return f"SELECT rowid AS r, '{alias}' AS f, {case} AS code FROM raw WHERE {where}"


def _flag_sql(alias: str, select: dict[str, str]) -> str:
    if alias not in select:
        return "true"
    true_values = ", ".join(f"'{v}'" for v in FLAG_TRUE)
    col = _q(alias)
    return f"coalesce({col} IN ({true_values}), false)"


def _money_sql(alias: str, select: dict[str, str], default: str) -> str:
    if alias not in select:
        return default
    col = _q(alias)
    # Only `ok` rows are used, so the value is a plain decimal (maybe padded with spaces).
    return f"coalesce(TRY_CAST({col} AS DOUBLE), 0.0)"  # TRY_CAST ignores the padding


def _check_warnings(
    con: duckdb.DuckDBPyConnection,
    select: dict[str, str],
    mapping: ColumnMapping,
    result: ValidationResult,
) -> None:
    (total, neither, males, females) = con.execute(
        "SELECT count(*), count(*) FILTER (gender = 'neither'), count(*) FILTER (gender = 'male'), "
        "count(*) FILTER (gender = 'female') FROM payroll"
    ).fetchone()  # type: ignore[misc]
    if total and neither / total >= NEITHER_WARNING_SHARE:
        result.add_warning(
            Problem(
                None,
                select["gender"],
                "many_neither",
                f"{neither} of {total} people ({100 * neither / total:.0f}%) are recorded as neither "
                "male nor female; they are left out of every figure. Check the gender mapping.",
            )
        )
    if "hourly_pay" not in select:
        return
    gender_header = select["gender"]
    if males == 0:
        result.add_warning(
            Problem(
                None,
                gender_header,
                "no_men",
                "Nobody is recorded as male, so no gap can be computed.",
            )
        )
    if females == 0:
        result.add_warning(
            Problem(
                None,
                gender_header,
                "no_women",
                "Nobody is recorded as female, so no gap can be computed.",
            )
        )
    hourly_header = select["hourly_pay"]
    median = con.execute(
        "SELECT median(hourly_pay) FROM payroll WHERE hourly_pay > 0"
    ).fetchone()[0]  # type: ignore[index]
    if median is not None:
        if median < THOUSANDS_LOOKING_HOURLY:
            result.add_warning(
                Problem(
                    None,
                    hourly_header,
                    "looks_thousands",
                    "The typical hourly pay is below 1; is the column in thousands?",
                )
            )
        elif median > ANNUAL_LOOKING_HOURLY:
            result.add_warning(
                Problem(
                    None,
                    hourly_header,
                    "looks_annual",
                    "The typical hourly pay is above 500; is this annual or monthly pay "
                    "rather than an hourly rate?",
                )
            )
        else:
            rows = con.execute(
                "SELECT row, hourly_pay > ? FROM payroll WHERE hourly_pay > ? OR "
                "(hourly_pay > 0 AND hourly_pay < ?) ORDER BY row",
                [
                    ANNUAL_LOOKING_HOURLY,
                    median * OUTLIER_FACTOR,
                    median / OUTLIER_FACTOR,
                ],
            ).fetchall()
            for row, high in rows:
                if high:
                    result.add_warning(
                        Problem(
                            int(row),
                            hourly_header,
                            "looks_annual",
                            "Hourly pay above 500 looks like annual or monthly pay.",
                        )
                    )
                else:
                    result.add_warning(
                        Problem(
                            int(row),
                            hourly_header,
                            "pay_outlier",
                            f"Hourly pay is over {OUTLIER_FACTOR:.0f} times away from "
                            "the median; check the amount and its unit.",
                        )
                    )
    if "basic_hourly_pay" in select and select["basic_hourly_pay"] != hourly_header:
        for (row,) in con.execute(
            "SELECT row FROM payroll WHERE basic_hourly_pay > hourly_pay + 1e-9 ORDER BY row LIMIT ?",
            [MAX_LISTED],
        ).fetchall():
            result.add_warning(
                Problem(
                    int(row),
                    select["basic_hourly_pay"],
                    "basic_above_total",
                    "Basic hourly pay is above total hourly pay; are the two columns swapped?",
                )
            )
    zero_leave = con.execute(
        "SELECT count(*) FROM payroll WHERE hourly_pay = 0 AND NOT full_pay_relevant"
    ).fetchone()[0]  # type: ignore[index]
    if zero_leave:
        result.add_warning(
            Problem(
                None,
                hourly_header,
                "zero_pay_on_leave",
                f"{zero_leave} people not on full pay have hourly pay 0; they count in "
                "the EU figures (all workers) and not in the UK hourly figures.",
            )
        )
    if "relevant" in select and "full_pay_relevant" in select:
        n = con.execute(
            "SELECT count(*) FROM payroll WHERE full_pay_marked AND NOT relevant"
        ).fetchone()[0]  # type: ignore[index]
        if n:
            result.add_warning(
                Problem(
                    None,
                    select["full_pay_relevant"],
                    "full_pay_not_relevant",
                    f"{n} people are marked full-pay relevant but not relevant; "
                    "they are treated as not full-pay relevant.",
                )
            )
    if "category" in select:
        distinct = con.execute(
            "SELECT count(DISTINCT category) FROM payroll"
        ).fetchone()
        if not distinct or distinct[0] <= max(20, total // 5):
            return
        numeric_share = con.execute(
            f"SELECT avg(CASE WHEN regexp_matches(category, '{NUMBER}') THEN 1.0 ELSE 0.0 END), "
            "count(DISTINCT category) FROM payroll"
        ).fetchone()
        if (
            numeric_share
            and numeric_share[0] is not None
            and numeric_share[0] > 0.9
            and numeric_share[1] > max(20, total // 5)
        ):
            result.add_warning(
                Problem(
                    None,
                    select["category"],
                    "category_looks_numeric",
                    "The category column holds many different numbers; is it a pay column?",
                )
            )
