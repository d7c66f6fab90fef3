"""The report page, PDF, history and representation: suppression, rounding, no-store."""

from __future__ import annotations

import io
import re
from datetime import date
from pathlib import Path

from django.urls import reverse
from pypdf import PdfReader

from alongside.audit.models import AuditEvent
from alongside.equity import paygap, services
from alongside.equity.models import EquitySettings, PayGapReport, PayrollUpload
from alongside.equity.tests.helpers import (
    PrivateUploadRoot,
    csv_bytes,
    payroll_rows,
    representation_dict,
)
from alongside.test import BaseTestCase

MAPPING = paygap.ColumnMapping(
    columns={
        "employee_id": "Staff no",
        "gender": "Sex",
        "hourly_pay": "Hourly rate",
        "bonus_pay": "Bonus",
        "category": "Job family",
        "full_pay_relevant": "Full pay",
        "level": "Grade",
    },
    gender_values={"F": "female", "M": "male"},
)


class ReportPagesBase(PrivateUploadRoot, BaseTestCase):
    """Signed in as Paula, with `make_report`: the base of report page tests (it holds
    no tests of its own, so modules that subclass it run none twice)."""

    def make_report(
        self, snapshot: date, rows: list[list[str]] | None = None, title: str = ""
    ) -> PayGapReport:
        path = self.upload_dir / f"{snapshot.isoformat()}.csv"
        path.write_bytes(csv_bytes(rows or payroll_rows()))
        upload = PayrollUpload.objects.create(
            organization=self.org,
            uploaded_by=self.paula,
            original_name="p.csv",
            stored_name=path.name,
        )
        services.upload_map(upload, MAPPING.columns, MAPPING.gender_values)
        return services.report_compute(
            upload,
            title=title or f"Pay gap {snapshot.year}",
            snapshot_date=snapshot,
            level_order=["Band 2-4", "Band 5-6", "Band 8"],
            actor=self.paula,
        )

    def setUp(self) -> None:
        super().setUp()
        self.client.force_login(self.paula)

    def url(self, name: str, **kwargs: int) -> str:
        return reverse(f"equity:{name}", kwargs={"org": "northwind", **kwargs})


class ReportPagesTestCase(ReportPagesBase):
    def test_the_report_shows_rounded_figures_charts_tables_and_suppression(
        self,
    ) -> None:
        report = self.make_report(date(2026, 4, 5))
        r = self.client.get(self.url("report_detail", report_id=report.pk))
        self.assertEqual(r.status_code, 200)
        body = r.content.decode()
        # Rounded for display only: one decimal place, full precision kept in the JSON.
        stored = report.figures["uk_gpg_2017"]["median_hourly_gap_pct"]["value"]
        self.assertNotEqual(round(stored, 1), stored)
        self.assertIn(f"{stored:.1f}%", body)
        self.assertNotIn(repr(stored), body)
        # Chaplaincy has 2 women (< k=5): suppressed, with the label, and no value.
        chaplaincy = next(
            c
            for c in report.figures["eu_2023_970_art9"]["g_categories"]
            if c["category"] == "Chaplaincy"
        )
        self.assertIsNotNone(chaplaincy["mean_gap_pct"]["value"])
        row = re.search(r"<th scope=\"row\">Chaplaincy</th>(.*?)</tr>", body, re.S)
        assert row is not None
        self.assertIn("Suppressed: fewer than 5 people", row.group(1))
        self.assertNotIn(f"{chaplaincy['mean_gap_pct']['value']:.1f}%", row.group(1))
        # Charts are SVG with a title, each followed by a data table with a caption.
        self.assertEqual(body.count('role="img"'), 3)
        self.assertIn(
            "<caption>Share of women and men in each quartile pay band (UK)", body
        )
        self.assertIn('<th scope="col">Women</th>', body)
        self.assertIn("The five-percent rule (Article 10)", body)
        self.assertNotIn('style="', body)
        self.assertIn("no-store", r["Cache-Control"])

    def test_raising_k_hides_more_at_render_time(self) -> None:
        report = self.make_report(date(2026, 4, 5))
        EquitySettings.objects.update_or_create(
            organization=self.org, defaults={"min_group_size": 20}
        )
        r = self.client.get(self.url("report_detail", report_id=report.pk))
        body = r.content.decode()
        stored = report.figures["uk_gpg_2017"]["median_hourly_gap_pct"]["value"]
        self.assertNotIn(f"{stored:.1f}%", body)
        self.assertIn("Suppressed: fewer than 20 people", body)

    def test_the_organization_k_applies_when_it_is_larger(self) -> None:
        report = self.make_report(date(2026, 4, 5))
        self.org.min_group_size = 8
        self.org.save()
        r = self.client.get(self.url("report_detail", report_id=report.pk))
        self.assertContains(r, "Suppressed: fewer than 8 people")
        r = self.client.get(self.url("settings"))
        self.assertContains(r, "pay figures use the larger of the two, now 8")

    def test_the_pdf_has_the_figures_and_the_suppression(self) -> None:
        report = self.make_report(date(2026, 4, 5))
        r = self.client.get(self.url("report_pdf", report_id=report.pk))
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r["Content-Type"], "application/pdf")
        self.assertIn("no-store", r["Cache-Control"])
        text = "\n".join(
            page.extract_text() for page in PdfReader(io.BytesIO(r.content)).pages
        )
        self.assertIn("Pay gap 2026", text)
        self.assertIn("Median hourly pay gap", text)
        stored = report.figures["uk_gpg_2017"]["median_hourly_gap_pct"]["value"]
        self.assertIn(f"{stored:.1f}%", text)
        self.assertIn("Suppressed: fewer than 5 people", text)
        chaplaincy = next(
            c
            for c in report.figures["eu_2023_970_art9"]["g_categories"]
            if c["category"] == "Chaplaincy"
        )
        line = next(ln for ln in text.splitlines() if ln.startswith("Chaplaincy"))
        self.assertNotIn(f"{chaplaincy['mean_gap_pct']['value']:.1f}", line)
        self.assertTrue(
            AuditEvent.objects.filter(action="equity.report_exported").exists()
        )

    def test_history_shows_a_trend_and_paginates(self) -> None:
        self.make_report(date(2025, 4, 5))
        rows = payroll_rows()
        rows[0][2] = "30.00"
        self.make_report(date(2026, 4, 5), rows)
        r = self.client.get(self.url("reports"))
        self.assertContains(r, "Median hourly pay gap over time")
        self.assertContains(r, "<polyline")
        self.assertContains(r, "Pay gap 2025")
        self.assertContains(r, "Pay gap 2026")
        self.assertIn("no-store", r["Cache-Control"])
        for year in range(2000, 2012):
            PayGapReport.objects.create(
                organization=self.org,
                title=f"Old {year}",
                snapshot_date=date(year, 4, 5),
            )
        r = self.client.get(self.url("reports") + "?page=2")
        self.assertContains(r, "Page 2 of 2")

    def test_the_history_is_empty_at_first(self) -> None:
        r = self.client.get(self.url("reports"))
        self.assertContains(r, "No report yet.")

    def test_representation_from_the_payroll_upload(self) -> None:
        report = self.make_report(date(2026, 4, 5))
        r = self.client.get(self.url("representation"))
        self.assertContains(r, "Headcount by level and gender")
        self.assertContains(r, "Women's share of leadership")
        self.assertIn("no-store", r["Cache-Control"])
        r = self.client.get(self.url("representation_detail", report_id=report.pk))
        self.assertEqual(r.status_code, 200)
        self.assertIn("no-store", r["Cache-Control"])

    def test_a_small_level_is_suppressed_in_representation(self) -> None:
        report = PayGapReport.objects.create(
            organization=self.org,
            kind="representation",
            title="Headcount 2026",
            snapshot_date=date(2026, 4, 5),
            representation=representation_dict(
                [("Entry", 40, 30), ("Middle", 20, 25), ("Board", 2, 7)]
            ),
        )
        r = self.client.get(self.url("representation_detail", report_id=report.pk))
        body = r.content.decode()
        board = re.search(r"Board.*?</tr>", body, re.S)
        assert board is not None
        self.assertIn("Suppressed: fewer than 5 people", board.group(0))
        self.assertNotIn("22.2%", body)  # 2 of 9 would be the board's share
        pdf = self.client.get(self.url("report_pdf", report_id=report.pk))
        text = "\n".join(
            p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages
        )
        self.assertIn("Suppressed: fewer than 5 people", text)
        self.assertNotIn("22.2%", text)

    def test_a_representation_only_upload(self) -> None:
        content = csv_bytes(
            [[f"L{i % 3}", "F" if i % 2 else "M"] for i in range(60)],
            header=["Level", "Gender"],
        )
        path: Path = self.upload_dir / "rep.csv"
        path.write_bytes(content)
        upload = PayrollUpload.objects.create(
            organization=self.org,
            uploaded_by=self.paula,
            kind="representation",
            original_name="rep.csv",
            stored_name="rep.csv",
        )
        r = self.client.get(self.url("upload_map", upload_id=upload.pk))
        self.assertNotContains(r, "Hourly pay")
        r = self.client.post(
            self.url("upload_map", upload_id=upload.pk),
            {
                "col_gender": "Gender",
                "col_level": "Level",
                "gender_column_shown": "Gender",
                "gender_46": "female",
                "gender_4d": "male",
            },
        )
        self.assertEqual(r.status_code, 302)
        r = self.client.post(
            self.url("upload_check", upload_id=upload.pk),
            {
                "title": "Headcount",
                "snapshot_date": "2026-04-05",
                "level_order": "L0\nL1\nL2",
            },
        )
        report = PayGapReport.objects.get(kind="representation")
        self.assertRedirects(
            r,
            self.url("representation_detail", report_id=report.pk),
            fetch_redirect_response=False,
        )
        self.assertEqual(report.figures, {})
        assert report.representation is not None
        self.assertEqual(
            [lv["level"] for lv in report.representation["levels"]], ["L0", "L1", "L2"]
        )
        self.assertEqual(self.files_left(), [])

    def test_every_salary_page_is_no_store(self) -> None:
        report = self.make_report(date(2026, 4, 5))
        path = self.upload_dir / "pending.csv"
        path.write_bytes(csv_bytes(payroll_rows()))
        upload = PayrollUpload.objects.create(
            organization=self.org,
            uploaded_by=self.paula,
            original_name="p.csv",
            stored_name="pending.csv",
        )
        services.upload_map(upload, MAPPING.columns, MAPPING.gender_values)
        pages = [
            self.url("reports"),
            self.url("upload"),
            self.url("representation"),
            self.url("report_detail", report_id=report.pk),
            self.url("report_pdf", report_id=report.pk),
            self.url("report_delete", report_id=report.pk),
            self.url("representation_detail", report_id=report.pk),
            self.url("upload_map", upload_id=upload.pk),
            self.url("upload_check", upload_id=upload.pk),
            self.url("upload_discard", upload_id=upload.pk),
            self.url("analysts"),
            self.url("settings"),
        ]
        for url in pages:
            with self.subTest(url=url):
                r = self.client.get(url)
                self.assertEqual(r.status_code, 200)
                self.assertIn("no-store", r["Cache-Control"])
                self.assertIn("private", r["Cache-Control"])

    def test_settings_validate_k(self) -> None:
        for value in ("2", "51", "x"):
            r = self.client.post(self.url("settings"), {"min_group_size": value})
            self.assertEqual(r.status_code, 200)
        self.assertEqual(EquitySettings.for_organization(self.org).min_group_size, 5)
        r = self.client.post(self.url("settings"), {"min_group_size": "10"})
        self.assertRedirects(r, self.url("settings"))
        self.assertEqual(EquitySettings.for_organization(self.org).min_group_size, 10)
        self.assertTrue(
            AuditEvent.objects.filter(action="equity.settings_changed").exists()
        )
