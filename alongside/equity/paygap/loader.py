"""Reading an uploaded payroll file into DuckDB, with the file-level checks.

The happy path never loops over rows in Python: the bytes are checked as a whole (size,
encoding, NUL bytes), and DuckDB's strict CSV reader reads the mapped columns as VARCHAR
(explicit types, no sniffing; `csv_source`), either straight into the typed, checked table
of a clean file (validate.py's fast path) or into a VARCHAR table `raw` (`read_table`).
Only when DuckDB refuses the file does a Python `csv` pass run, to say which row is
ragged or badly quoted. An .xlsx file is converted to a
temporary CSV first (openpyxl, read-only); that conversion is a Python loop by necessity.
Temporary files live in a TemporaryDirectory removed when the context manager exits.
"""

from __future__ import annotations

import csv
import io
import re
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from alongside.equity.paygap.fields import parse_header
from alongside.equity.paygap.problems import MAX_LISTED, Problem

if TYPE_CHECKING:
    import duckdb

# Limits (documented in docs/paygap-method.md).
MAX_BYTES = (
    64 * 1024 * 1024
)  # 64 MiB of CSV: about 1.4 million rows of a typical export
MAX_XLSX_BYTES = 32 * 1024 * 1024  # compressed .xlsx
MAX_XLSX_UNCOMPRESSED = 400 * 1024 * 1024  # zip-bomb guard: total uncompressed size
MAX_XLSX_RATIO = 200  # zip-bomb guard: uncompressed/compressed ratio of any member
DUCKDB_THREADS = 2
DUCKDB_MEMORY_LIMIT = "768MB"


class PayrollFileError(Exception):
    """The file cannot be read as a table; `problems` say why (no cell values)."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s) reading the payroll file")
        self.problems = problems


@dataclass(frozen=True)
class PreparedCsv:
    """A UTF-8, LF-newline CSV file ready for DuckDB, and its header row."""

    path: Path
    headers: list[str]
    delimiter: str


def connect() -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with bounded threads and memory."""
    import duckdb  # loaded on first use: a command or page that never computes skips it

    return duckdb.connect(
        config={
            "threads": DUCKDB_THREADS,
            "memory_limit": DUCKDB_MEMORY_LIMIT,
            "enable_external_access": True,
        }
    )


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def is_xlsx(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(4) == b"PK\x03\x04"


@contextmanager
def prepared_csv(
    path: Path, encoding: str = "utf-8", max_bytes: int = MAX_BYTES
) -> Iterator[PreparedCsv]:
    """Check the file's bytes and yield a CSV DuckDB can read (raises PayrollFileError)."""
    with tempfile.TemporaryDirectory(prefix="paygap-") as tmp:
        try:
            size = path.stat().st_size
        except OSError:
            raise PayrollFileError(
                [Problem(None, None, "unreadable", "The file could not be opened.")]
            ) from None
        source = path
        if size and is_xlsx(path):
            if size > MAX_XLSX_BYTES:
                raise PayrollFileError([_too_large(MAX_XLSX_BYTES)])
            source = Path(tmp) / "sheet.csv"
            xlsx_to_csv(path, source)
            encoding = "utf-8"
            size = source.stat().st_size
        if size > max_bytes:
            raise PayrollFileError([_too_large(max_bytes)])
        data = source.read_bytes()
        rewrite = source is not path
        data, changed = _to_utf8(data, encoding)
        rewrite = rewrite or changed
        if re.search(rb"[^ \t\r\n]", data) is None:
            raise PayrollFileError(
                [Problem(None, None, "empty_file", "The file is empty.")]
            )
        if b"\r" in data:
            data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
            rewrite = True
        data = data.lstrip(b"\n")
        end = data.find(b"\n")
        first_line = (data if end < 0 else data[:end]).decode("utf-8")
        headers, delimiter = parse_header(first_line)
        data, filled = _keep_blank_rows(data, len(headers), delimiter)
        rewrite = rewrite or filled
        if rewrite:
            target = Path(tmp) / "payroll.csv"
            target.write_bytes(data)
        else:
            target = path
        del data
        yield PreparedCsv(target, headers, delimiter)


def _keep_blank_rows(data: bytes, width: int, delimiter: str) -> tuple[bytes, bool]:
    """Blank lines become rows of empty cells, so DuckDB's record numbers stay row numbers.

    (DuckDB skips blank lines; a spreadsheet shows them as rows.) Trailing blank lines
    are dropped.
    """
    if data.endswith(b"\n") and not data.endswith(b"\n\n"):
        body, changed = data, False
    else:
        body, changed = data.rstrip(b"\n") + b"\n", True
    if b"\n\n" not in body:
        return body, changed
    filler = b"\n" + (delimiter.encode() * (width - 1) if width > 1 else b" ") + b"\n"
    while b"\n\n" in body:
        body = body.replace(b"\n\n", filler)
    return body, True


def _too_large(limit: int) -> Problem:
    return Problem(
        None,
        None,
        "too_large",
        f"The file is larger than {limit // (1024 * 1024)} MB; split it or remove unused columns.",
    )


def _to_utf8(data: bytes, encoding: str) -> tuple[bytes, bool]:
    """UTF-8 bytes without a BOM, and whether they differ from the input."""
    problems: list[Problem] = []
    enc = encoding.strip().lower().replace("_", "-")
    if enc in ("utf-8", "utf8", "utf-8-sig"):
        if (
            data.startswith((b"\xff\xfe", b"\xfe\xff"))
            or data[:1] == b"\x00"
            or data[1:2] == b"\x00"
        ):
            raise PayrollFileError(
                [
                    Problem(
                        None,
                        None,
                        "encoding",
                        "The file looks like UTF-16. Save it as 'CSV UTF-8', or choose UTF-16 as its encoding.",
                    )
                ]
            )
        changed = False
        if data.startswith(b"\xef\xbb\xbf"):
            data = data[3:]
            changed = True
        _nul_problems(data, problems)
        # UTF-8 validity of the whole file is checked by DuckDB's reader (it refuses
        # invalid sequences); structure_problems() then finds the row. Here only the
        # header line is decoded.
        try:
            data[: data.find(b"\n") if b"\n" in data[:1_000_000] else 1_000_000].decode(
                "utf-8"
            )
        except UnicodeDecodeError as exc:
            problems.append(
                Problem(
                    _line_of(data, exc.start),
                    None,
                    "encoding",
                    "Not valid UTF-8 text. Save the file as 'CSV UTF-8', or choose its encoding "
                    "(for example Windows-1252 or Latin-1 for older Excel exports).",
                )
            )
        if problems:
            raise PayrollFileError(problems)
        return data, changed
    try:
        text = data.decode(enc)
    except (LookupError, UnicodeDecodeError) as exc:
        row = None
        if isinstance(exc, UnicodeDecodeError):
            row = _line_of(data, exc.start)
        raise PayrollFileError(
            [
                Problem(
                    row,
                    None,
                    "encoding",
                    f"The file can't be read as {encoding}; check its encoding.",
                )
            ]
        ) from None
    text = text.lstrip("\ufeff")
    encoded = text.encode("utf-8")
    _nul_problems(encoded, problems)
    if problems:
        raise PayrollFileError(problems)
    return encoded, True


def _nul_problems(data: bytes, problems: list[Problem]) -> None:
    start = data.find(b"\x00")
    seen: set[int] = set()
    while start != -1 and len(seen) < MAX_LISTED:
        line = _line_of(data, start)
        if line not in seen:
            seen.add(line)
            problems.append(
                Problem(
                    line,
                    None,
                    "nul_byte",
                    "Contains a NUL byte; the file is binary or damaged.",
                )
            )
        start = data.find(b"\x00", start + 1)


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return "NaN"
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        text = repr(value)
        if "e" in text or "E" in text:
            text = format(Decimal(text), "f")
        return text
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value)


def xlsx_to_csv(source: Path, target: Path) -> None:
    """First worksheet of an .xlsx file -> UTF-8 CSV (cached values of formulas)."""
    try:
        with zipfile.ZipFile(source) as archive:
            total = 0
            for info in archive.infolist():
                total += info.file_size
                if (
                    info.compress_size
                    and info.file_size / info.compress_size > MAX_XLSX_RATIO
                    and info.file_size > 1024 * 1024
                ):
                    raise PayrollFileError(
                        [
                            Problem(
                                None,
                                None,
                                "zip_bomb",
                                "The workbook is compressed suspiciously well; it was not opened.",
                            )
                        ]
                    )
            if total > MAX_XLSX_UNCOMPRESSED:
                raise PayrollFileError(
                    [
                        Problem(
                            None,
                            None,
                            "zip_bomb",
                            "The workbook expands to more than the size limit; it was not opened.",
                        )
                    ]
                )
    except zipfile.BadZipFile:
        raise PayrollFileError(
            [Problem(None, None, "bad_xlsx", "The file is not a valid .xlsx workbook.")]
        ) from None
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(source, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many types for damaged workbooks
        raise PayrollFileError(
            [Problem(None, None, "bad_xlsx", "The .xlsx workbook could not be read.")]
        ) from None
    try:
        sheet = workbook.worksheets[0]
        width: int | None = None
        pending_blank = 0
        with target.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            for values in sheet.iter_rows(values_only=True):
                cells = [_cell_text(v) for v in values]
                if width is None:
                    while cells and cells[-1] == "":
                        cells.pop()
                    width = len(cells)
                else:
                    while len(cells) > width and cells[-1] == "":
                        cells.pop()
                    cells += [""] * (width - len(cells))
                if not any(cells):
                    pending_blank += 1
                    continue
                for _ in range(pending_blank):
                    writer.writerow([""] * (width or 0))
                pending_blank = 0
                writer.writerow(cells)
    finally:
        workbook.close()


def csv_source(prepared: PreparedCsv, select: dict[str, str]) -> tuple[str, list[Any]]:
    """A SELECT of the selected columns (alias -> header) as VARCHAR, and its parameters.

    DuckDB's strict CSV reader with explicit types (no sniffing); records in file order.
    """
    index = {header: i for i, header in enumerate(prepared.headers)}
    columns = {f"c{i}": "VARCHAR" for i in range(len(prepared.headers))}
    projection = ", ".join(
        f'c{index[header]} AS "{alias}"' for alias, header in select.items()
    )
    return (
        f"SELECT {projection} FROM read_csv(?, delim=?, quote='\"', escape='\"', "
        "header=true, auto_detect=false, strict_mode=true, columns=?, "
        "max_line_size=4194304, parallel=true)",
        [str(prepared.path), prepared.delimiter, columns],
    )


def read_table(
    prepared: PreparedCsv, select: dict[str, str]
) -> duckdb.DuckDBPyConnection:
    """Load the selected columns (alias -> header) as VARCHAR into table `raw`, file order.

    `raw.rowid + 2` is the spreadsheet row of each record. Raises PayrollFileError with
    row-level problems when the file is not a well-formed CSV.
    """
    import duckdb

    source, params = csv_source(prepared, select)
    con = connect()
    try:
        con.execute(f"CREATE TABLE raw AS {source}", params)
    except duckdb.Error:
        con.close()
        raise PayrollFileError(structure_problems(prepared)) from None
    return con


def structure_problems(prepared: PreparedCsv) -> list[Problem]:
    """Which records are ragged or badly quoted (the slow path, only for bad files)."""
    problems: list[Problem] = []
    width = len(prepared.headers)
    raw = prepared.path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return [
            Problem(
                _line_of(raw, exc.start),
                None,
                "encoding",
                "Not valid UTF-8 text. Save the file as 'CSV UTF-8', or choose its encoding "
                "(for example Windows-1252 or Latin-1 for older Excel exports).",
            )
        ]
    reader = csv.reader(io.StringIO(text), delimiter=prepared.delimiter, strict=True)
    record = 0
    try:
        for cells in reader:
            record += 1
            if record == 1 or (not cells):
                continue
            if len(cells) != width:
                problems.append(
                    Problem(
                        record,
                        None,
                        "ragged_row",
                        f"Has {len(cells)} cells where the header has {width}; check for a stray "
                        f"'{prepared.delimiter}' or a missing value.",
                    )
                )
            elif any(len(c) > 1_000_000 for c in cells):
                problems.append(
                    Problem(
                        record,
                        None,
                        "too_long",
                        "A cell is longer than 1,000,000 characters.",
                    )
                )
            if len(problems) >= MAX_LISTED:
                break
    except csv.Error:
        problems.append(
            Problem(
                record + 1,
                None,
                "bad_quotes",
                "A quote (\") is not closed or is followed by other text; the file can't be read "
                "past this row.",
            )
        )
    if not problems:
        problems.append(
            Problem(
                None, None, "unreadable", "The file could not be read as a CSV table."
            )
        )
    return problems
