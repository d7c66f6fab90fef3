from __future__ import annotations

import io
import json
import shutil
import sys
import tempfile
from pathlib import Path
from unittest import mock

from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import SimpleTestCase

from alongside.equity.tests.test_wording_extract import make_docx, make_pdf


class FakeStdin:
    def __init__(self, data: bytes) -> None:
        self.buffer = io.BytesIO(data)


class WordingCommandTestCase(SimpleTestCase):
    def setUp(self) -> None:
        self.dir = Path(tempfile.mkdtemp())
        self.addCleanup(shutil.rmtree, self.dir)
        self.ad = self.dir / "ad.txt"
        self.ad.write_text(
            "A driven leader. Leader! Kind, co-operative.\n", encoding="utf-8"
        )

    def run_command(self, *args: str, stdin: bytes = b"") -> tuple[str, str]:
        out, err = io.StringIO(), io.StringIO()
        with mock.patch.object(sys, "stdin", FakeStdin(stdin)):
            call_command("wording", "check", *args, stdout=out, stderr=err)
        return out.getvalue(), err.getvalue()

    def test_it_prints_one_json_object_per_line(self) -> None:
        docx = self.dir / "ad.docx"
        docx.write_bytes(make_docx("Competitive pay.", "Supportive team."))
        pdf = self.dir / "ad.pdf"
        pdf.write_bytes(make_pdf("We want someone who bakes bread."))
        out, err = self.run_command(
            str(self.ad), str(docx), str(pdf), "--format", "json"
        )
        lines = [json.loads(line) for line in out.splitlines()]
        self.assertEqual(
            lines,
            [
                {
                    "file": str(self.ad),
                    "verdict": "masculine-coded",
                    "masculine_words": ["driven", "leader", "leader"],
                    "feminine_words": ["kind", "co-operative"],
                },
                {
                    "file": str(docx),
                    "verdict": "neutral",
                    "masculine_words": ["competitive"],
                    "feminine_words": ["supportive"],
                },
                {
                    "file": str(pdf),
                    "verdict": "empty",
                    "masculine_words": [],
                    "feminine_words": [],
                },
            ],
        )
        self.assertEqual(err, "")

    def test_it_reads_stdin_for_a_dash_or_no_file(self) -> None:
        out, _ = self.run_command("-", "--format", "json", stdin=b"lead lead lead lead")
        self.assertEqual(json.loads(out)["verdict"], "strongly masculine-coded")
        out, _ = self.run_command(
            "--format", "json", stdin="Loyal \u2014 kind".encode()
        )
        self.assertEqual(json.loads(out)["feminine_words"], ["loyal", "kind"])

    def test_it_reads_a_pdf_from_stdin(self) -> None:
        out, _ = self.run_command("--format", "json", stdin=make_pdf("driven"))
        self.assertEqual(json.loads(out)["masculine_words"], ["driven"])

    def test_it_prints_a_readable_text_report(self) -> None:
        out, _ = self.run_command(str(self.ad))
        self.assertEqual(
            out,
            f"{self.ad}: masculine-coded\n"
            "  masculine-coded (3): driven, leader, leader\n"
            "  feminine-coded (2): kind, co-operative\n",
        )
        out, _ = self.run_command("-", str(self.ad), stdin=b"no coded words here")
        self.assertIn("standard input: empty\n  masculine-coded (0): none\n", out)
        self.assertIn(f"\n\n{self.ad}: masculine-coded", out)

    def test_it_reports_an_unreadable_file_and_exits_non_zero(self) -> None:
        bad = self.dir / "latin1.txt"
        bad.write_bytes("caf\u00e9".encode("latin-1"))
        missing = self.dir / "missing.txt"
        out, err = io.StringIO(), io.StringIO()
        with self.assertRaisesMessage(
            CommandError, "2 of 3 input(s) could not be read"
        ):
            call_command(
                "wording",
                "check",
                str(missing),
                str(self.ad),
                str(bad),
                "--format",
                "json",
                stdout=out,
                stderr=err,
            )
        # The readable file is still checked; each bad one gets a clear line.
        self.assertEqual(json.loads(out.getvalue())["file"], str(self.ad))
        self.assertIn(
            f"wording: {missing}: cannot read the file (No such file or directory)",
            err.getvalue(),
        )
        self.assertIn(f"wording: {bad}: {bad} is not UTF-8 text", err.getvalue())

    def test_it_rejects_an_unsupported_file_type(self) -> None:
        rtf = self.dir / "ad.rtf"
        rtf.write_bytes(b"{\\rtf1 leader}")
        err = io.StringIO()
        with self.assertRaises(CommandError):
            call_command("wording", "check", str(rtf), stdout=io.StringIO(), stderr=err)
        self.assertIn("is not a .txt, .docx or .pdf file", err.getvalue())


class WordingReviewCommandTestCase(SimpleTestCase):
    def run_command(self, *args: str, stdin: bytes = b"") -> str:
        out = io.StringIO()
        with mock.patch.object(sys, "stdin", FakeStdin(stdin)):
            call_command("wording", "review", *args, stdout=out, stderr=io.StringIO())
        return out.getvalue()

    def test_it_prints_findings_as_json_lines(self) -> None:
        out = self.run_command(
            "-", "--format", "json", stdin=b"She is bossy. Delivered it."
        )
        data = json.loads(out)
        self.assertEqual(data["file"], "-")
        self.assertEqual(data["counts"]["personality"], 1)
        self.assertEqual(data["counts"]["achievement"], 1)
        self.assertEqual(
            [
                (f["text"], f["category"], f["flag"], f["start"])
                for f in data["findings"]
            ],
            [
                ("bossy", "personality", True, 7),
                ("Delivered", "achievement", False, 14),
            ],
        )

    def test_it_prints_a_readable_report(self) -> None:
        out = self.run_command(stdin=b"Hardworking and helpful.")
        self.assertIn("standard input: 2 phrase(s) to look at again", out)
        self.assertIn(
            "  Grindstone words:\n    \u201cHardworking\u201d: add what the work achieved",
            out,
        )
