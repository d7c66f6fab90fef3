"""The fast path for clean files (validate._clean_table) gives the slow path's answers.

A clean file is typed and checked as DuckDB reads it; any sign of a problem sends it
down the slow path (a VARCHAR copy, then every check). These tests run each file both
ways and compare validation and figures, and check which path a file takes.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any
from unittest import mock

from django.test import SimpleTestCase

from alongside.equity.paygap import ColumnMapping, PayGapResult, analyse
from alongside.equity.paygap.problems import ValidationResult
from alongside.equity.tests.test_paygap_golden import PAYGAP_CASES, load_case
from alongside.equity.tests.test_paygap_validate import CORPUS, GOOD, HEADER, MAPPING

SLOW = "alongside.equity.paygap.validate._clean_table"
READ = "alongside.equity.paygap.validate.read_table"

# Clean files written in ways the fast path must read exactly as the slow path does,
# and files it must hand over (padded text, duplicates, zero pay, blank rows).
EDGE_FILES = {
    "lower-case and padded genders": HEADER
    + "1, m ,10.5,0,A,1\n2,f,9.75,100,A,1\n3,\tM,12,0,B,0\n4,F ,11,,B,yes\n",
    "padded money and bonus left empty": HEADER
    + "1,M, 10.5 ,,A,1\n2,F,9.75\t,100,A,TRUE\n3,M,.5,0,B,0\n4,F,7.,0,B,No\n",
    "blank rows in the middle and at the end": HEADER
    + "1,M,10.5,0,A,1\n\n,,,,,\n2,F,9.75,100,A,1\n3,M,12,0,B,0\n\n\n",
    "padded category": HEADER + "1,M,10.5,0,A ,1\n2,F,9.75,100,A,1\n3,M,12,0, B,0\n",
    "duplicate id": HEADER + GOOD + "3,F,11,0,B,1\n",
    "zero pay for a full-pay employee": HEADER + GOOD + "4,F,0,0,B,1\n",
    "zero pay on leave": HEADER + GOOD + "4,F,0,0,B,0\n",
    "unmapped gender": HEADER + GOOD + "4,Q,10,0,B,1\n",
    "outliers and basic above total": HEADER + GOOD + "4,F,900,0,B,1\n5,M,0.2,0,B,1\n",
}


def _validation(result: ValidationResult) -> dict[str, Any]:
    return {
        "errors": result.errors,
        "warnings": result.warnings,
        "error_count": result.error_count,
        "warning_count": result.warning_count,
        "row_count": result.row_count,
    }


def _both_ways(
    path: Path, mapping: ColumnMapping
) -> tuple[
    tuple[ValidationResult, PayGapResult | None],
    tuple[ValidationResult, PayGapResult | None],
]:
    fast = analyse(path, mapping)
    with mock.patch(SLOW, return_value=None):
        slow = analyse(path, mapping)
    return fast, slow


class FastPathTests(SimpleTestCase):
    def setUp(self) -> None:
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)

    def write(self, data: bytes) -> Path:
        path = Path(self.tmp.name) / "payroll.csv"
        path.write_bytes(data)
        return path

    def assert_same(self, path: Path, mapping: ColumnMapping) -> bool:
        (fast_v, fast_r), (slow_v, slow_r) = _both_ways(path, mapping)
        self.assertEqual(_validation(fast_v), _validation(slow_v))
        self.assertEqual(fast_r is None, slow_r is None)
        if fast_r is not None and slow_r is not None:
            self.assertEqual(fast_r.as_dict(), slow_r.as_dict())
        return fast_r is not None

    def test_a_clean_file_never_makes_the_varchar_copy(self) -> None:
        path = self.write((HEADER + GOOD).encode())
        with mock.patch(READ, side_effect=AssertionError("slow path taken")):
            validation, result = analyse(path, MAPPING)
        self.assertTrue(validation.ok)
        self.assertEqual(validation.row_count, 3)
        self.assertIsNotNone(result)

    def test_golden_files_give_the_same_figures_both_ways(self) -> None:
        for name in PAYGAP_CASES:
            with self.subTest(name):
                path, _, mapping = load_case(name)
                self.assertTrue(self.assert_same(path, mapping))

    def test_malformed_files_give_the_same_report_both_ways(self) -> None:
        for name, (data, _) in CORPUS.items():
            with self.subTest(name):
                self.assertFalse(self.assert_same(self.write(data), MAPPING))

    def test_edge_files_give_the_same_answer_both_ways(self) -> None:
        for name, text in EDGE_FILES.items():
            with self.subTest(name):
                self.assert_same(self.write(text.encode()), MAPPING)

    def test_files_with_problems_take_the_slow_path(self) -> None:
        for name in ("padded category", "duplicate id", "unmapped gender"):
            with self.subTest(name):
                path = self.write(EDGE_FILES[name].encode())
                with (
                    mock.patch(READ, side_effect=AssertionError("slow path")),
                    self.assertRaises(AssertionError),
                ):
                    analyse(path, MAPPING)
