"""Shared fixtures of the equity web tests: payroll CSVs and a private upload root."""

from __future__ import annotations

import csv
import io
import shutil
import tempfile
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

HEADER = ["Staff no", "Sex", "Hourly rate", "Bonus", "Job family", "Full pay", "Grade"]

# A salary no real row has: tests look for it in logs, pages and error reports.
CANARY_PAY = "987654.32"


def payroll_rows(
    women: int = 12, men: int = 12, small_category_women: int = 2
) -> list[list[str]]:
    """A valid payroll: two big categories and one with few women (below k=5)."""
    rows: list[list[str]] = []
    n = 0
    for sex, count, base in (("F", women, 14.0), ("M", men, 16.0)):
        for i in range(count):
            n += 1
            family = "Nursing" if i % 2 == 0 else "Estates"
            grade = ["Band 2-4", "Band 5-6", "Band 8"][i % 3]
            bonus = f"{100 + 10 * i:.2f}" if i % 3 == 0 else "0"
            rows.append(
                [f"E{n:04d}", sex, f"{base + i * 0.5:.2f}", bonus, family, "1", grade]
            )
    for i in range(small_category_women):
        n += 1
        rows.append(
            [f"E{n:04d}", "F", f"{15 + i:.2f}", "0", "Chaplaincy", "1", "Band 5-6"]
        )
    for i in range(6):
        n += 1
        rows.append(
            [f"E{n:04d}", "M", f"{16 + i:.2f}", "0", "Chaplaincy", "1", "Band 5-6"]
        )
    return rows


def csv_bytes(rows: list[list[str]], header: list[str] | None = None) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header or HEADER)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def csv_file(rows: list[list[str]], name: str = "payroll.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, csv_bytes(rows), content_type="text/csv")


class PrivateUploadRoot:
    """A mixin giving each test class its own EQUITY_UPLOAD_ROOT directory."""

    upload_dir: Path
    _override: Any

    @classmethod
    def setUpClass(cls) -> None:
        cls.upload_dir = Path(tempfile.mkdtemp(prefix="equity-test-"))
        cls._override = override_settings(EQUITY_UPLOAD_ROOT=str(cls.upload_dir))
        cls._override.enable()
        super().setUpClass()  # type: ignore[misc]

    @classmethod
    def tearDownClass(cls) -> None:
        super().tearDownClass()  # type: ignore[misc]
        cls._override.disable()
        shutil.rmtree(cls.upload_dir, ignore_errors=True)

    def setUp(self) -> None:
        super().setUp()  # type: ignore[misc]
        for path in self.upload_dir.iterdir() if self.upload_dir.exists() else []:
            path.unlink()

    def files_left(self) -> list[str]:
        return (
            sorted(p.name for p in self.upload_dir.iterdir())
            if self.upload_dir.exists()
            else []
        )


def representation_dict(levels: list[tuple[str, int, int]]) -> dict[str, Any]:
    """A RepresentationResult.as_dict() shape; the last level is leadership."""

    def cell(men: int, women: int) -> dict[str, Any]:
        share = women / (men + women) * 100 if men + women else None
        return {
            "male_count": men,
            "female_count": women,
            "neither_count": 0,
            "female_share_pct": share,
            "reason": None,
        }

    rows = [
        {"level": name, "rank": i + 1, **cell(men, women)}
        for i, (name, women, men) in enumerate(levels)
    ]
    top = levels[-1]
    return {
        "levels": rows,
        "leadership": {"levels": [top[0]], **cell(top[2], top[1])},
        "overall": cell(sum(lv[2] for lv in levels), sum(lv[1] for lv in levels)),
        "order_source": "given",
    }
