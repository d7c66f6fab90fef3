"""`manage.py wording check|review [FILE ...|-] [--format text|json]`: batch checks.

`check` checks job ads for gendered wording; `review` runs the performance-review aid.

Output framing: JSON Lines. With --format json each input gives ONE line holding one
JSON object, in the order the inputs were named:
    {"file": "ad.txt", "verdict": "...", "masculine_words": [...], "feminine_words": [...]}
`file` is the name as given ("-" for standard input). With --format text each input
gives a short readable report, separated by a blank line.

An input that cannot be read (missing, not UTF-8, not a real .docx/.pdf, unsupported
extension) is reported on stderr as `wording: <file>: <reason>`; the other inputs are
still checked, and the command then exits with status 1. Exit status 0 means every
input was checked.
"""

from __future__ import annotations

import json
import sys
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from alongside.equity.wording.checker import WordingResult, check
from alongside.equity.wording.extract import ExtractionError, extract_text
from alongside.equity.wording.reviews import CATEGORIES, ReviewResult, check_review


class Command(BaseCommand):
    help = (
        "Check job ads for masculine- and feminine-coded words (Gaucher, Friesen and "
        "Kay 2011). `wording check FILE ...` reads .txt (UTF-8), .docx and .pdf files; "
        "`-` or no file reads standard input. --format json prints one JSON object per "
        "line and input. `wording review FILE ...` runs the performance-review "
        "language aid the same way."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        subcommands = parser.add_subparsers(dest="subcommand", required=True)
        for name, help_text in (
            ("check", "Check job ads (files or standard input) for gendered wording."),
            (
                "review",
                "Flag performance-review language worth a second look (a heuristic "
                "aid, not a verdict).",
            ),
        ):
            sub = subcommands.add_parser(name, help=help_text)
            sub.add_argument(
                "files",
                nargs="*",
                metavar="FILE",
                help="Files to check; `-` (or none) reads standard input.",
            )
            sub.add_argument(
                "--format",
                choices=("text", "json"),
                default="text",
                help="text: a readable report (default); json: one JSON object per line.",
            )

    def handle(self, *args: Any, **options: Any) -> None:
        files: list[str] = options["files"] or ["-"]
        failed = 0
        for index, name in enumerate(files):
            try:
                text = extract_text(*_read(name))
            except ExtractionError as e:
                failed += 1
                self.stderr.write(f"wording: {name}: {e}")
                continue
            if options["subcommand"] == "review":
                report = check_review(text)
                data = _review_dict(report)
                readable = _review_report(name, report)
            else:
                result = check(text)
                data = result.as_dict()
                readable = _text_report(name, result)
            if options["format"] == "json":
                self.stdout.write(json.dumps({"file": name, **data}))
            else:
                if index:
                    self.stdout.write("")
                self.stdout.write(readable)
        if failed:
            raise CommandError(
                f"{failed} of {len(files)} input(s) could not be read (see above)."
            )


def _read(name: str) -> tuple[str, bytes]:
    """(name for type detection, content); stdin's type is sniffed from its bytes."""
    if name == "-":
        return "", sys.stdin.buffer.read()
    try:
        with open(name, "rb") as f:
            return name, f.read()
    except OSError as e:
        raise ExtractionError(f"cannot read the file ({e.strerror})") from None


def _text_report(name: str, result: WordingResult) -> str:
    label = "standard input" if name == "-" else name
    lines = [
        f"{label}: {result.verdict}",
        f"  masculine-coded ({len(result.masculine_words)}): "
        + (", ".join(result.masculine_words) or "none"),
        f"  feminine-coded ({len(result.feminine_words)}): "
        + (", ".join(result.feminine_words) or "none"),
    ]
    return "\n".join(lines)


def _review_dict(report: ReviewResult) -> dict[str, Any]:
    return {
        "counts": {key: report.count(key) for key in CATEGORIES},
        "findings": [
            {
                "text": finding.text,
                "start": finding.start,
                "category": finding.entry.category,
                "flag": finding.category.flag,
                "alternative": str(finding.entry.alternative),
            }
            for finding in report.findings
        ],
    }


def _review_report(name: str, report: ReviewResult) -> str:
    label = "standard input" if name == "-" else name
    lines = [
        f"{label}: {len(report.flagged)} phrase(s) to look at again; "
        f"{report.count('standout')} standout, {report.count('grindstone')} grindstone, "
        f"{report.count('achievement')} achievement word(s)"
    ]
    for category, findings in report.by_category():
        if category.flag:
            lines.append(f"  {category.name}:")
            lines.extend(
                f"    \u201c{f.text}\u201d: {f.entry.alternative}" for f in findings
            )
    return "\n".join(lines)
