"""`manage.py paygap`: one JSON object, row-level problems on stderr, exit status."""

from __future__ import annotations

import json
import tempfile
from io import StringIO
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import SimpleTestCase

GOLDEN = Path(__file__).parent / "golden"


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("paygap", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


class PaygapCommandTests(SimpleTestCase):
    def setUp(self) -> None:
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)

    def write(self, text: str) -> Path:
        path = Path(self.tmp.name) / "payroll.csv"
        path.write_text(text)
        return path

    def test_report_json_is_one_object_with_both_sections(self) -> None:
        out, err = run("report", str(GOLDEN / "basic.csv"), "--format", "json")
        data = json.loads(out)
        self.assertEqual(set(data), {"uk_gpg_2017", "eu_2023_970_art9", "counts"})
        self.assertAlmostEqual(
            data["uk_gpg_2017"]["mean_hourly_gap_pct"]["value"], 15.0
        )
        self.assertEqual(err, "")

    def test_column_and_gender_options(self) -> None:
        out, err = run(
            "report",
            str(GOLDEN / "neither.csv"),
            "--column",
            "employee_id=Staff no",
            "--column",
            "gender=Sex",
            "--column",
            "hourly_pay=Hourly rate",
            "--column",
            "bonus_pay=Bonus",
            "--column",
            "category=Job family",
            "--column",
            "full_pay_relevant=Full pay",
            "--gender",
            "M=male",
            "--gender",
            "F=female",
            "--gender",
            "X=neither",
            "--gender",
            "Non-binary=neither",
        )
        data = json.loads(out)
        self.assertEqual(data["counts"]["neither_excluded"], 2)
        self.assertIn("warning: column 'Sex'", err)  # a third recorded as neither
        # Without the mapping for X the file is rejected, row by row.
        with self.assertRaises(CommandError) as raised:
            run("report", str(GOLDEN / "neither.csv"))
        self.assertEqual(raised.exception.returncode, 1)

    def test_bad_input_exits_1_with_row_level_problems_on_stderr(self) -> None:
        path = self.write(
            "employee_id,gender,hourly_pay,bonus_pay,category,full_pay_relevant\n"
            "1,M,12.5,0,A,1\n2,F,abc,0,A,1\n2,Q,-1,0,A,1\n"
        )
        out, err = StringIO(), StringIO()
        with self.assertRaises(CommandError) as raised:
            call_command("paygap", "report", str(path), stdout=out, stderr=err)
        self.assertEqual(raised.exception.returncode, 1)
        self.assertEqual(out.getvalue(), "")
        lines = err.getvalue().strip().splitlines()
        self.assertEqual(
            lines,
            [
                f"paygap: {path}: row 3, column 'hourly_pay': Not a number. Use digits with a full stop as the decimal mark.",
                f"paygap: {path}: row 4, column 'employee_id': Same employee ID as row 3; each person needs one row.",
                f"paygap: {path}: row 4, column 'gender': Gender value not in the mapping; map it to male, female or neither.",
                f"paygap: {path}: row 4, column 'hourly_pay': Negative; pay can't be below zero.",
            ],
        )
        self.assertNotIn("abc", err.getvalue())

    def test_min_group_size_suppresses(self) -> None:
        out, _ = run("report", str(GOLDEN / "basic.csv"), "--min-group-size", "5")
        data = json.loads(out)
        self.assertTrue(data["uk_gpg_2017"]["mean_hourly_gap_pct"]["suppressed"])
        self.assertIsNone(data["uk_gpg_2017"]["mean_hourly_gap_pct"]["value"])
        self.assertEqual(data["suppression"]["k"], 5)
        out, _ = run("report", str(GOLDEN / "basic.csv"), "--min-group-size", "2")
        self.assertAlmostEqual(
            json.loads(out)["uk_gpg_2017"]["mean_hourly_gap_pct"]["value"], 15.0
        )

    def test_text_format(self) -> None:
        out, _ = run("report", str(GOLDEN / "basic.csv"), "--format", "text")
        self.assertIn("Mean hourly pay gap", out)
        self.assertIn("15.0%", out)
        self.assertIn("Article 10 joint pay assessment trigger: yes", out)

    def test_strict_makes_warnings_fatal(self) -> None:
        text = (
            "employee_id,gender,hourly_pay,bonus_pay,category,full_pay_relevant\n"
            + "".join(f"{i},{'MF'[i % 2]},{30000 + i},0,A,1\n" for i in range(1, 7))
        )
        path = self.write(text)
        out, err = run("report", str(path))
        self.assertIn("uk_gpg_2017", out)
        self.assertIn("warning:", err)
        with self.assertRaises(CommandError) as raised:
            run("report", str(path), "--strict")
        self.assertEqual(raised.exception.returncode, 1)

    def test_validate_and_representation(self) -> None:
        out, _ = run("validate", str(GOLDEN / "basic.csv"))
        self.assertTrue(json.loads(out)["ok"])
        out, _ = run(
            "representation",
            str(GOLDEN / "representation.csv"),
            "--level-order",
            "Junior,Mid,Senior,Director",
            "--min-group-size",
            "5",
        )
        data = json.loads(out)
        self.assertEqual(
            [lv["level"] for lv in data["levels"]],
            ["Junior", "Mid", "Senior", "Director"],
        )
        self.assertTrue(data["leadership"]["suppressed"])
        out, _ = run(
            "representation", str(GOLDEN / "representation.csv"), "--format", "text"
        )
        self.assertIn("Leadership (Director): women 0.0%", out)

    def test_usage_errors_exit_2(self) -> None:
        for args in (
            ("report", "/nonexistent.csv"),
            ("report", str(GOLDEN / "basic.csv"), "--column", "salary=Pay"),
            ("report", str(GOLDEN / "basic.csv"), "--gender", "M=man"),
        ):
            with self.subTest(args), self.assertRaises(CommandError) as raised:
                run(*args)
            self.assertEqual(raised.exception.returncode, 2)


class PaygapCommandWordingTests(SimpleTestCase):
    def test_counts_never_read_none_women_and_plurals_are_right(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "tiny.csv"
            path.write_text(
                "employee_id,gender,hourly_pay,bonus_pay,category,full_pay_relevant\n"
                "1,F,14,0,A,1\n2,M,15,0,A,1\n"
            )
            suppressed, _err = run(
                "report", str(path), "--format", "text", "--min-group-size", "5"
            )
            shown, _err = run("report", str(path), "--format", "text")
        self.assertNotIn("None", suppressed)
        self.assertIn(
            "People: a few men (suppressed), a few women (suppressed)", suppressed
        )
        self.assertIn("People: 1 man, 1 woman;", shown)
        self.assertNotIn("1 women", shown)
