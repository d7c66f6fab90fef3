"""Upload → map → check → report: bad files, warnings, the raw file's lifecycle, logs."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any
from unittest import mock

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from django.views.debug import ExceptionReporter

from alongside.audit.models import AuditEvent
from alongside.equity import services
from alongside.equity.models import (
    EngineFailure,
    EquitySettings,
    PayGapReport,
    PayrollUpload,
    UploadStatus,
)
from alongside.equity.tests.helpers import (
    CANARY_PAY,
    HEADER,
    PrivateUploadRoot,
    csv_bytes,
    csv_file,
    payroll_rows,
)
from alongside.test import BaseTestCase

MAPPING_POST = {
    "col_employee_id": "Staff no",
    "col_gender": "Sex",
    "col_hourly_pay": "Hourly rate",
    "col_bonus_pay": "Bonus",
    "col_category": "Job family",
    "col_full_pay_relevant": "Full pay",
    "col_level": "Grade",
    "gender_column_shown": "Sex",
    "gender_46": "female",  # "F"
    "gender_4d": "male",  # "M"
}


@contextmanager
def captured_logs() -> Iterator[list[str]]:
    """Every log record of every logger, formatted with its traceback."""
    lines: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(logging.Formatter().format(record))

    handler = Collect(level=logging.DEBUG)
    root = logging.getLogger()
    watched = [
        root,
        logging.getLogger("django.request"),
        logging.getLogger("alongside"),
    ]
    levels = [lg.level for lg in watched]
    for lg in watched:
        lg.setLevel(logging.DEBUG)
    root.addHandler(handler)
    try:
        yield lines
    finally:
        root.removeHandler(handler)
        for lg, level in zip(watched, levels, strict=True):
            lg.setLevel(level)


class UploadFlowTestCase(PrivateUploadRoot, BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.client.force_login(self.paula)

    def url(self, name: str, **kwargs: int) -> str:
        return reverse(f"equity:{name}", kwargs={"org": "northwind", **kwargs})

    def upload(self, content: bytes, name: str = "payroll.csv") -> PayrollUpload:
        r = self.client.post(
            self.url("upload"),
            {"kind": "payroll", "file": SimpleUploadedFile(name, content)},
        )
        upload = PayrollUpload.objects.latest("pk")
        self.assertRedirects(
            r,
            self.url("upload_map", upload_id=upload.pk),
            fetch_redirect_response=False,
        )
        return upload

    def map(self, upload: PayrollUpload, **overrides: str) -> None:
        r = self.client.post(
            self.url("upload_map", upload_id=upload.pk), {**MAPPING_POST, **overrides}
        )
        self.assertRedirects(
            r,
            self.url("upload_check", upload_id=upload.pk),
            fetch_redirect_response=False,
        )

    def compute(self, upload: PayrollUpload, **extra: str) -> Any:
        data = {"title": "Pay gap 2026", "snapshot_date": "2026-04-05"}
        data.update(extra)
        return self.client.post(self.url("upload_check", upload_id=upload.pk), data)

    def test_a_good_file_becomes_a_report_and_the_file_is_deleted(self) -> None:
        upload = self.upload(csv_bytes(payroll_rows()))
        self.assertEqual(len(self.files_left()), 1)
        r = self.client.get(self.url("upload_map", upload_id=upload.pk))
        self.assertEqual(r.status_code, 200)
        # The mapping is pre-filled from the headers, and the gender values are listed.
        self.assertContains(r, '<option value="Hourly rate" selected>')
        self.assertContains(r, "“F” in the gender column means")
        self.assertIn("no-store", r["Cache-Control"])
        self.map(upload)
        r = self.client.get(self.url("upload_check", upload_id=upload.pk))
        self.assertContains(r, "No problems found.")
        self.assertIn("no-store", r["Cache-Control"])
        r = self.compute(upload, level_order="Band 2-4\nBand 5-6\nBand 8")
        report = PayGapReport.objects.get()
        self.assertRedirects(r, self.url("report_detail", report_id=report.pk))
        self.assertEqual(report.snapshot_date, date(2026, 4, 5))
        self.assertEqual(report.k_used, 5)
        self.assertIn("uk_gpg_2017", report.figures)
        self.assertIn("eu_2023_970_art9", report.figures)
        self.assertEqual(report.counts["female"], 14)
        assert report.representation is not None
        self.assertEqual(
            [lv["level"] for lv in report.representation["levels"]],
            ["Band 2-4", "Band 5-6", "Band 8"],
        )
        upload.refresh_from_db()
        self.assertEqual(upload.status, UploadStatus.COMPUTED)
        self.assertEqual(upload.stored_name, "")
        self.assertEqual(self.files_left(), [])
        self.assertTrue(
            AuditEvent.objects.filter(action="equity.report_created").exists()
        )
        r = self.client.get(self.url("report_detail", report_id=report.pk))
        self.assertContains(r, "The payroll file was deleted after the computation")
        # The computed upload is no longer reachable through the upload pages.
        r = self.client.get(self.url("upload_check", upload_id=upload.pk))
        self.assertEqual(r.status_code, 404)

    def test_the_file_is_kept_when_the_organization_opts_in(self) -> None:
        EquitySettings.objects.create(organization=self.org, keep_payroll_rows=True)
        upload = self.upload(csv_bytes(payroll_rows()))
        self.map(upload)
        r = self.client.get(self.url("upload_check", upload_id=upload.pk))
        self.assertContains(r, "this file will be kept")
        self.compute(upload)
        report = PayGapReport.objects.get()
        self.assertEqual(len(self.files_left()), 1)
        r = self.client.get(self.url("report_detail", report_id=report.pk))
        self.assertContains(r, "The payroll file of this report is kept")
        # Deleting the report deletes the kept file.
        delete = self.url("report_delete", report_id=report.pk)
        self.assertEqual(self.client.post(delete).status_code, 200)  # not confirmed
        self.assertTrue(PayGapReport.objects.exists())
        self.assertRedirects(
            self.client.post(delete, {"confirm": "on"}), self.url("reports")
        )
        self.assertFalse(PayGapReport.objects.exists())
        self.assertFalse(PayrollUpload.objects.exists())
        self.assertEqual(self.files_left(), [])
        self.assertTrue(
            AuditEvent.objects.filter(action="equity.report_deleted").exists()
        )

    def test_turning_file_keeping_off_deletes_kept_files(self) -> None:
        EquitySettings.objects.create(organization=self.org, keep_payroll_rows=True)
        upload = self.upload(csv_bytes(payroll_rows()))
        self.map(upload)
        self.compute(upload)
        self.assertEqual(len(self.files_left()), 1)
        r = self.client.post(self.url("settings"), {"min_group_size": "5"})
        self.assertRedirects(r, self.url("settings"))
        self.assertEqual(self.files_left(), [])

    def test_a_bad_file_lists_every_problem_and_stores_nothing(self) -> None:
        rows = payroll_rows()
        rows[0][2] = "abc"  # row 2: not a number
        rows[3][2] = "12,50"  # row 5: decimal comma
        rows[5][0] = rows[4][0]  # row 7: duplicate id
        rows[7][2] = "=1+2"  # row 9: formula
        rows[8][3] = "-5"  # row 10: negative bonus
        upload = self.upload(csv_bytes(rows))
        self.map(upload)
        reports_before = PayGapReport.objects.count()
        r = self.client.get(self.url("upload_check", upload_id=upload.pk))
        self.assertEqual(r.status_code, 422)
        body = r.content.decode()
        for row in (
            "<td>2</td>",
            "<td>5</td>",
            "<td>7</td>",
            "<td>9</td>",
            "<td>10</td>",
        ):
            self.assertIn(row, body)
        self.assertContains(r, "Nothing was computed or stored", status_code=422)
        self.assertNotContains(r, "Compute the report</button>", status_code=422)
        r = self.compute(upload)
        self.assertEqual(r.status_code, 422)
        self.assertEqual(PayGapReport.objects.count(), reports_before)
        upload.refresh_from_db()
        self.assertNotEqual(upload.status, UploadStatus.COMPUTED)

    def test_wrong_file_types_and_sizes_are_refused_before_storage(self) -> None:
        for name, content, message in (
            ("payroll.txt", b"a,b\n1,2\n", "Upload a .csv or .xlsx file"),
            ("payroll.csv", b"", "The submitted file is empty."),
            ("payroll.csv", b"x" * (5 * 1024 * 1024 + 1), "larger than 5 MB"),
        ):
            with self.subTest(name=name, size=len(content)):
                r = self.client.post(
                    self.url("upload"),
                    {"kind": "payroll", "file": SimpleUploadedFile(name, content)},
                )
                self.assertContains(r, message)
        self.assertFalse(PayrollUpload.objects.exists())
        self.assertEqual(self.files_left(), [])

    def test_an_unreadable_file_says_so(self) -> None:
        upload = self.upload(b"\x00\x01\x02garbage", name="payroll.xlsx")
        r = self.client.get(self.url("upload_map", upload_id=upload.pk))
        self.assertContains(r, "The file could not be read", status_code=400)
        r = self.client.post(self.url("upload_discard", upload_id=upload.pk))
        self.assertRedirects(r, self.url("reports"))
        self.assertFalse(PayrollUpload.objects.exists())
        self.assertEqual(self.files_left(), [])

    def test_a_missing_file_says_so_and_can_be_discarded(self) -> None:
        upload = self.upload(csv_bytes(payroll_rows()))
        self.map(upload)
        upload.refresh_from_db()
        upload.delete_file()
        for name in ("upload_map", "upload_check"):
            r = self.client.get(self.url(name, upload_id=upload.pk))
            self.assertContains(r, "The uploaded file is missing", status_code=410)
        r = self.client.post(self.url("upload_check", upload_id=upload.pk), {})
        self.assertEqual(r.status_code, 410)
        self.assertFalse(PayGapReport.objects.exists())
        r = self.client.post(self.url("upload_discard", upload_id=upload.pk))
        self.assertRedirects(r, self.url("reports"))
        self.assertFalse(PayrollUpload.objects.exists())

    def test_warnings_need_an_explicit_confirmation(self) -> None:
        rows = payroll_rows()
        rows[2][2] = "900.00"  # far from the median: a warning, not an error
        upload = self.upload(csv_bytes(rows))
        self.map(upload)
        r = self.client.get(self.url("upload_check", upload_id=upload.pk))
        self.assertContains(r, "1 warning")
        self.assertContains(r, "<td>4</td>")
        r = self.compute(upload)
        self.assertContains(r, "Tick this box to confirm you have read the warnings.")
        self.assertFalse(PayGapReport.objects.exists())
        r = self.compute(upload, confirm_warnings="on")
        self.assertEqual(r.status_code, 302)
        self.assertTrue(PayGapReport.objects.exists())

    def test_changing_the_gender_column_asks_for_its_values_again(self) -> None:
        upload = self.upload(csv_bytes(payroll_rows()))
        r = self.client.post(
            self.url("upload_map", upload_id=upload.pk),
            {**MAPPING_POST, "col_gender": "Job family", "col_category": "Sex"},
        )
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "“Nursing” in the gender column means")
        upload.refresh_from_db()
        self.assertEqual(upload.mapping, {})

    def test_one_column_for_two_fields_is_refused(self) -> None:
        upload = self.upload(csv_bytes(payroll_rows()))
        r = self.client.post(
            self.url("upload_map", upload_id=upload.pk),
            {**MAPPING_POST, "col_bonus_pay": "Hourly rate"},
        )
        self.assertContains(r, "is already used for another field")

    def test_abandoned_uploads_are_cleaned_after_a_day(self) -> None:
        upload = self.upload(csv_bytes(payroll_rows()))
        fresh = self.upload(csv_bytes(payroll_rows()))
        PayrollUpload.objects.filter(pk=upload.pk).update(
            created_at=timezone.now() - timedelta(hours=25)
        )
        self.assertEqual(services.upload_clean_abandoned(), 1)
        self.assertFalse(PayrollUpload.objects.filter(pk=upload.pk).exists())
        self.assertEqual(self.files_left(), [fresh.stored_name])
        from django.core.management import call_command

        call_command("equity_clean_uploads", stdout=open("/dev/null", "w"))  # noqa: SIM115
        self.assertTrue(PayrollUpload.objects.filter(pk=fresh.pk).exists())

    def test_the_raw_file_is_outside_media_root(self) -> None:
        from django.conf import settings

        upload = self.upload(csv_bytes(payroll_rows()))
        assert upload.path is not None
        self.assertFalse(
            str(upload.path.resolve()).startswith(str(settings.MEDIA_ROOT.resolve()))
        )
        self.assertEqual(upload.path.stat().st_mode & 0o777, 0o600)


class SalaryNeverInLogsTestCase(PrivateUploadRoot, BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.client.force_login(self.paula)

    def test_an_engine_failure_shows_no_value_in_logs_page_or_error_report(
        self,
    ) -> None:
        rows = payroll_rows()
        rows[0][2] = CANARY_PAY
        self.client.post(
            reverse("equity:upload", kwargs={"org": "northwind"}),
            {"kind": "payroll", "file": csv_file(rows)},
        )
        upload = PayrollUpload.objects.get()
        url = reverse(
            "equity:upload_check", kwargs={"org": "northwind", "upload_id": upload.pk}
        )
        self.client.post(
            reverse(
                "equity:upload_map", kwargs={"org": "northwind", "upload_id": upload.pk}
            ),
            MAPPING_POST,
        )
        boom = ValueError(f"could not parse {CANARY_PAY} in row 2")
        with (
            captured_logs() as lines,
            mock.patch("alongside.equity.paygap.analyse", side_effect=boom),
        ):
            r = self.client.post(
                url,
                {
                    "title": "T",
                    "snapshot_date": "2026-04-05",
                    "confirm_warnings": "on",
                },
            )
        self.assertEqual(r.status_code, 500)
        self.assertContains(r, "could not be computed", status_code=500)
        self.assertNotIn(CANARY_PAY, r.content.decode())
        self.assertTrue(any("engine failed" in line for line in lines), lines)
        self.assertFalse([line for line in lines if CANARY_PAY in line])
        self.assertFalse(PayGapReport.objects.exists())

        # What Django's error email would contain if the failure went unhandled.
        with mock.patch("alongside.equity.paygap.analyse", side_effect=boom):
            try:
                services.report_compute(
                    upload,
                    title="T",
                    snapshot_date=date(2026, 4, 5),
                    level_order=None,
                    actor=self.paula,
                )
            except EngineFailure:
                exc_type, exc_value, tb = sys.exc_info()
            else:
                self.fail("EngineFailure not raised")
        request = RequestFactory().post(url)
        request.user = self.paula
        # From the service down (this test's own frame holds the canary on purpose).
        assert tb is not None
        reporter = ExceptionReporter(request, exc_type, exc_value, tb.tb_next)
        self.assertNotIn(CANARY_PAY, reporter.get_traceback_text())
        self.assertNotIn(CANARY_PAY, reporter.get_traceback_html())

    def test_a_successful_import_logs_no_salary(self) -> None:
        rows = payroll_rows()
        rows[0][2] = CANARY_PAY  # a warning-level outlier, still computed
        with captured_logs() as lines:
            self.client.post(
                reverse("equity:upload", kwargs={"org": "northwind"}),
                {"kind": "payroll", "file": csv_file(rows)},
            )
            upload = PayrollUpload.objects.get()
            self.client.post(
                reverse(
                    "equity:upload_map",
                    kwargs={"org": "northwind", "upload_id": upload.pk},
                ),
                MAPPING_POST,
            )
            r = self.client.post(
                reverse(
                    "equity:upload_check",
                    kwargs={"org": "northwind", "upload_id": upload.pk},
                ),
                {"title": "T", "snapshot_date": "2026-04-05", "confirm_warnings": "on"},
            )
        self.assertEqual(r.status_code, 302)
        self.assertFalse(
            [line for line in lines if CANARY_PAY in line or "E0001" in line]
        )
        report = PayGapReport.objects.get()
        self.assertNotIn(CANARY_PAY, str(report.figures))
        for event in AuditEvent.objects.all():
            self.assertNotIn(CANARY_PAY, str(event.data))
        self.assertNotIn("E0001", str(report.figures) + str(report.counts))


HEADER_CHECK = HEADER  # the helpers' header, used by the mapping above
