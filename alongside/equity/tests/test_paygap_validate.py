"""Malformed-file corpus: each variant is rejected with row-level problems."""

from __future__ import annotations

import io
import logging
import tempfile
import zipfile
from pathlib import Path

from django.test import SimpleTestCase

from alongside.equity.paygap import (
    ColumnMapping,
    PayrollInvalid,
    analyse,
    compute,
    detect_columns,
    sample_values,
    suggest_gender_values,
    suggest_mapping,
    validate,
)
from alongside.equity.paygap.validate import CODES

HEADER = "employee_id,gender,hourly_pay,bonus_pay,category,full_pay_relevant\n"
GOOD = "1,M,10.50,0,A,1\n2,F,9.75,100,A,1\n3,M,12,0,B,0\n"
MAPPING = ColumnMapping(
    columns={
        "employee_id": "employee_id",
        "gender": "gender",
        "hourly_pay": "hourly_pay",
        "bonus_pay": "bonus_pay",
        "category": "category",
        "full_pay_relevant": "full_pay_relevant",
    },
    gender_values={"M": "male", "F": "female", "X": "neither"},
)
CANARY = "987654.321"


def row(cells: str) -> bytes:
    return (HEADER + GOOD + cells + "\n").encode()


# name -> (file bytes, [(row, column, code), ...] expected among the errors)
CORPUS: dict[str, tuple[bytes, list[tuple[int | None, str | None, str]]]] = {
    "empty file": (b"", [(None, None, "empty_file")]),
    "only blank lines": (b"\n\r\n  \n", [(None, None, "empty_file")]),
    "header only": (HEADER.encode(), [(None, None, "no_rows")]),
    "missing header": (GOOD.encode(), [(1, "employee_id", "missing_column")]),
    "duplicated header": (
        b"employee_id,gender,hourly_pay,bonus_pay,category,full_pay_relevant,gender\n1,M,10,0,A,1,F\n",
        [(1, "gender", "duplicate_header")],
    ),
    "missing required column": (
        b"employee_id,gender,hourly_pay,category,full_pay_relevant\n1,M,10,A,1\n",
        [(1, "bonus_pay", "missing_column")],
    ),
    "wrong delimiter": (
        b"employee_id|gender|hourly_pay|bonus_pay|category|full_pay_relevant\n1|M|10|0|A|1\n",
        [(1, "gender", "missing_column")],
    ),
    "unbalanced quotes": (
        row('4,F,"10,0,A,1\n5,M,10,0,A,1'),
        [(5, None, "bad_quotes")],
    ),
    "too many cells": (row("4,F,10,0,A,1,extra"), [(5, None, "ragged_row")]),
    "too few cells": (
        row("4,F,10,0") + b"5,M,1,0,A\n",
        [(5, None, "ragged_row"), (6, None, "ragged_row")],
    ),
    "NUL bytes": (row("4,F,1\x000,0,A,1"), [(5, None, "nul_byte")]),
    "RTL override": (
        row("4,F,10,0,A\u202eB,1"),
        [(5, "category", "control_character")],
    ),
    "undeclared UTF-16": ((HEADER + GOOD).encode("utf-16"), [(None, None, "encoding")]),
    "Latin-1 as UTF-8": (
        row("4,F,10,0,Caf\u00e9,1").decode().encode("latin-1"),
        [(5, None, "encoding")],
    ),
    "negative pay": (row("4,F,-10,0,A,1"), [(5, "hourly_pay", "negative")]),
    "negative bonus": (row("4,F,10,-5,A,1"), [(5, "bonus_pay", "negative")]),
    "NaN": (row("4,F,NaN,0,A,1"), [(5, "hourly_pay", "not_finite")]),
    "Infinity": (row("4,F,10,Infinity,A,1"), [(5, "bonus_pay", "not_finite")]),
    "decimal comma": (
        row('4,F,"1.234,56",0,A,1'),
        [(5, "hourly_pay", "decimal_comma")],
    ),
    "thousands separator": (
        row('4,F,"1,234.56",0,A,1'),
        [(5, "hourly_pay", "decimal_comma")],
    ),
    "currency symbol": (
        row("4,F,\u00a312.50,0,A,1"),
        [(5, "hourly_pay", "currency_symbol")],
    ),
    "currency code": (
        row("4,F,12.50 EUR,0,A,1"),
        [(5, "hourly_pay", "currency_symbol")],
    ),
    "scientific notation": (
        row("4,F,1.2E+01,0,A,1"),
        [(5, "hourly_pay", "scientific_notation")],
    ),
    "newline in category": (
        row('4,F,10,0,"A\nB",1'),
        [(5, "category", "control_character")],
    ),
    "text in pay": (row("4,F,ten,0,A,1"), [(5, "hourly_pay", "not_a_number")]),
    "blank pay": (row("4,F,,0,A,1"), [(5, "hourly_pay", "blank")]),
    "zero pay on full pay": (
        row("4,F,0,0,A,1"),
        [(5, "hourly_pay", "zero_hourly_pay")],
    ),
    "duplicate employee id": (
        row("1,F,10,0,A,1"),
        [(5, "employee_id", "duplicate_id")],
    ),
    "blank employee id": (row(",F,10,0,A,1"), [(5, "employee_id", "blank")]),
    "blank gender": (row("4,,10,0,A,1"), [(5, "gender", "blank")]),
    "gender not in mapping": (row("4,Q,10,0,A,1"), [(5, "gender", "unknown_gender")]),
    "gender and pay swapped": (
        (HEADER + "1,10.5,M,0,A,1\n2,9.75,F,0,A,1\n").encode(),
        [
            (2, "gender", "unknown_gender"),
            (2, "hourly_pay", "not_a_number"),
            (3, "hourly_pay", "not_a_number"),
        ],
    ),
    "formula in category": (
        row("4,F,10,0,=cmd|' /C calc'!A0,1"),
        [(5, "category", "formula")],
    ),
    "formula in id": (row("@SUM(1+1),F,10,0,A,1"), [(5, "employee_id", "formula")]),
    "formula in pay": (row("4,F,=1+2,0,A,1"), [(5, "hourly_pay", "formula")]),
    "flag not yes/no": (
        row("4,F,10,0,A,maybe"),
        [(5, "full_pay_relevant", "not_a_flag")],
    ),
    "blank flag": (row("4,F,10,0,A,"), [(5, "full_pay_relevant", "blank")]),
    "blank category": (row("4,F,10,0,,1"), [(5, "category", "blank")]),
    "1 MB field": (
        row("4,F,10,0," + "A" * 1_000_000 + ",1"),
        [(5, "category", "too_long")],
    ),
}


class MalformedCorpusTests(SimpleTestCase):
    def setUp(self) -> None:
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)

    def write(self, data: bytes, name: str = "payroll.csv") -> Path:
        path = Path(self.tmp.name) / name
        path.write_bytes(data)
        return path

    def test_the_good_file_passes(self) -> None:
        result = validate(self.write((HEADER + GOOD).encode()), MAPPING)
        self.assertTrue(result.ok, result.errors)
        self.assertEqual(result.row_count, 3)

    def test_every_variant_is_rejected_with_its_row_and_column(self) -> None:
        self.assertGreaterEqual(len(CORPUS), 35)
        for name, (data, expected) in CORPUS.items():
            with self.subTest(name):
                path = self.write(data)
                result = validate(path, MAPPING)
                self.assertFalse(result.ok)
                found = {(p.row, p.column, p.code) for p in result.errors}
                for item in expected:
                    self.assertIn(item, found)
                for problem in result.errors:
                    self.assertIn(problem.code, CODES)
                    self.assertTrue(problem.message)
                with self.assertRaises(PayrollInvalid) as raised:
                    compute(path, MAPPING)
                self.assertEqual(
                    raised.exception.validation.error_count, result.error_count
                )

    def test_all_problems_are_reported_not_just_the_first(self) -> None:
        lines = [f"{i},F,bad,0,A,1" for i in range(10, 310)]
        path = self.write((HEADER + GOOD + "\n".join(lines) + "\n").encode())
        result = validate(path, MAPPING)
        self.assertEqual(result.error_count, 300)
        self.assertEqual(len(result.errors), 200)
        self.assertEqual(result.errors[0].row, 5)
        self.assertEqual(result.errors[-1].row, 204)
        # Several problems on one row are all listed.
        result = validate(self.write(row("1,Q,-1,x,,2")), MAPPING)
        codes = {(p.column, p.code) for p in result.errors}
        self.assertEqual(
            codes,
            {
                ("employee_id", "duplicate_id"),
                ("gender", "unknown_gender"),
                ("hourly_pay", "negative"),
                ("bonus_pay", "not_a_number"),
                ("category", "blank"),
                ("full_pay_relevant", "not_a_flag"),
            },
        )

    def test_rows_count_blank_lines_and_multiline_cells_like_a_spreadsheet(
        self,
    ) -> None:
        data = (
            HEADER.strip() + ",notes\n" + '1,M,10,0,A,1,\n\n2,F,10,0,A,1,"two\nlines"\n'
            "3,F,bad,0,A,1,\n"
        )
        result = validate(self.write(data.encode()), MAPPING)
        self.assertEqual(
            [(p.row, p.code) for p in result.errors], [(5, "not_a_number")]
        )
        self.assertEqual(result.row_count, 3)

    def test_file_too_large(self) -> None:
        path = self.write((HEADER + GOOD).encode())
        result = validate(path, MAPPING, max_bytes=50)
        self.assertEqual([p.code for p in result.errors], ["too_large"])

    def test_mapping_problems(self) -> None:
        path = self.write((HEADER + GOOD).encode())
        result = validate(
            path,
            ColumnMapping(columns={"gender": "gender"}, gender_values={"M": "bloke"}),
        )
        codes = sorted(p.code for p in result.errors)
        self.assertEqual(codes.count("unmapped_field"), 5)
        self.assertIn("mapping", codes)
        both = ColumnMapping(
            columns={**MAPPING.columns, "bonus_pay": "hourly_pay"},
            gender_values=MAPPING.gender_values,
        )
        self.assertIn("mapping", [p.code for p in validate(path, both).errors])

    def test_xlsx_zip_bomb_and_damaged_workbook(self) -> None:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("xl/worksheets/sheet1.xml", b"<" + b"a" * 50_000_000)
        result = validate(self.write(buffer.getvalue(), "bomb.xlsx"), MAPPING)
        self.assertEqual([p.code for p in result.errors], ["zip_bomb"])
        result = validate(
            self.write(b"PK\x03\x04 not really a zip", "bad.xlsx"), MAPPING
        )
        self.assertEqual([p.code for p in result.errors], ["bad_xlsx"])

    def test_warnings(self) -> None:
        annual = HEADER + "".join(
            f"{i},{'MF'[i % 2]},{30000 + i},0,A,1\n" for i in range(1, 11)
        )
        result = validate(self.write(annual.encode()), MAPPING)
        self.assertTrue(result.ok)
        self.assertIn("looks_annual", [p.code for p in result.warnings])
        thousands = HEADER + "".join(
            f"{i},{'MF'[i % 2]},0.0{i},0,A,1\n" for i in range(1, 9)
        )
        self.assertIn(
            "looks_thousands",
            [
                p.code
                for p in validate(self.write(thousands.encode()), MAPPING).warnings
            ],
        )
        mixed = (
            HEADER
            + "".join(f"{i},{'MF'[i % 2]},{12 + i % 3},0,A,1\n" for i in range(1, 20))
            + "20,F,25000,0,A,1\n"
        )
        warnings = validate(self.write(mixed.encode()), MAPPING).warnings
        self.assertIn(
            (21, "hourly_pay", "looks_annual"),
            [(p.row, p.column, p.code) for p in warnings],
        )
        neither = HEADER + GOOD + "4,X,10,0,A,1\n"
        self.assertIn(
            "many_neither",
            [p.code for p in validate(self.write(neither.encode()), MAPPING).warnings],
        )
        swapped = (
            "employee_id,gender,hourly_pay,basic_hourly_pay,bonus_pay,category,full_pay_relevant\n"
            "1,M,10,12,0,A,1\n2,F,10,9,0,A,1\n"
        )
        mapping = ColumnMapping(
            columns={**MAPPING.columns, "basic_hourly_pay": "basic_hourly_pay"},
            gender_values=MAPPING.gender_values,
        )
        warnings = validate(self.write(swapped.encode()), mapping).warnings
        self.assertEqual(
            [(p.row, p.code) for p in warnings], [(2, "basic_above_total")]
        )
        only_women = HEADER + "1,F,10,0,A,1\n"
        self.assertIn(
            "no_men",
            [
                p.code
                for p in validate(self.write(only_women.encode()), MAPPING).warnings
            ],
        )

    def test_no_salary_value_in_messages_exceptions_or_logs(self) -> None:
        data = (
            HEADER
            + f"1,M,{CANARY},0,A,1\n2,F,-{CANARY},{CANARY}x,A,1\n3,M,\u00a3{CANARY},"
            f"1e{CANARY},A,1\n4,F,{CANARY},0,A,1\n"
        ).encode()
        path = self.write(data)
        with self.assertNoLogs(level=logging.DEBUG):
            validation, result = analyse(path, MAPPING)
            try:
                compute(path, MAPPING)
            except PayrollInvalid as exc:
                text = str(exc) + repr(exc.validation)
        self.assertIsNone(result)
        self.assertGreaterEqual(validation.error_count, 4)
        text += repr(validation.as_dict())
        self.assertNotIn(CANARY, text)
        self.assertNotIn("987654", text)

    def test_mapping_helpers(self) -> None:
        data = "Staff no;Sex;Hourly rate;Bonus;Job family;Full pay;Grade\n1;M;10;0;A;1;2\n2;f;10;0;A;1;1\n3;X;9;0;A;1;1\n"
        path = self.write(("\ufeff" + data).encode())
        headers = detect_columns(path)
        self.assertEqual(
            headers,
            [
                "Staff no",
                "Sex",
                "Hourly rate",
                "Bonus",
                "Job family",
                "Full pay",
                "Grade",
            ],
        )
        mapping = suggest_mapping(headers)
        self.assertEqual(
            mapping.columns,
            {
                "employee_id": "Staff no",
                "gender": "Sex",
                "hourly_pay": "Hourly rate",
                "bonus_pay": "Bonus",
                "category": "Job family",
                "full_pay_relevant": "Full pay",
                "level": "Grade",
            },
        )
        values = sample_values(path, "Sex", limit=10)
        self.assertEqual(sorted(values), ["M", "X", "f"])
        mapping.gender_values = suggest_gender_values(values)
        self.assertEqual(
            mapping.gender_values, {"M": "male", "f": "female", "X": "neither"}
        )
        self.assertEqual(ColumnMapping.from_json(mapping.to_json()), mapping)
        self.assertTrue(validate(path, mapping).ok)
        self.assertEqual(detect_columns(self.write(b"")), [])
        self.assertEqual(sample_values(path, "No such column"), [])

    def test_gender_values_with_quotes_and_odd_characters(self) -> None:
        values = ["M'x", 'F"; DROP TABLE raw; --', "\\", "é"]
        lines = [f"{i},{'M' if i % 2 else 'F'},10,0,A,1" for i in range(1, 3)]
        rows = "".join(
            f'{i},"{v.replace(chr(34), chr(34) * 2)}",10,0,A,1\n'
            for i, v in enumerate(values, 3)
        )
        path = self.write((HEADER + "\n".join(lines) + "\n" + rows).encode())
        mapping = ColumnMapping(
            columns=MAPPING.columns,
            gender_values={
                "M": "male",
                "F": "female",
                values[0]: "male",
                values[1]: "female",
                values[2]: "neither",
                values[3]: "neither",
            },
        )
        data = compute(path, mapping).as_dict()
        self.assertEqual(
            (
                data["counts"]["male"],
                data["counts"]["female"],
                data["counts"]["neither_excluded"],
            ),
            (2, 2, 2),
        )
