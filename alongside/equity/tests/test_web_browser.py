"""Journey 5, payroll part, in headless Chromium: upload, map, confirm, report, PDF."""

from __future__ import annotations

from pypdf import PdfReader

from alongside.equity import demo
from alongside.equity.models import PayGapReport, PayrollUpload
from alongside.equity.tests.helpers import PrivateUploadRoot
from alongside.organizations.models import Role
from alongside.test import BrowserTestCase, make_member, make_organization


class PayGapJourneyTestCase(PrivateUploadRoot, BrowserTestCase):
    def test_a_program_admin_uploads_a_payroll_and_gets_the_report(self) -> None:
        org = make_organization("Northwind Collective", slug="northwind")
        make_member(
            org,
            Role.PROGRAM_ADMIN,
            email="paula@example.org",
            display_name="Paula Admin",
        )
        # The demo payroll with one hourly rate that looks like annual pay: a warning.
        lines = demo.payroll_csv(2026).splitlines()
        cells = lines[1].split(",")
        cells[2] = "950.00"
        lines[1] = ",".join(cells)
        # And one gender value nobody recognises: it must be chosen, never defaulted.
        cells = lines[2].split(",")
        cells[1] = "Q"
        lines[2] = ",".join(cells)
        payroll = self.upload_dir / "upload-me" / "payroll-2026.csv"
        payroll.parent.mkdir()
        payroll.write_text("\n".join(lines) + "\n", encoding="utf-8")

        page = self.page
        self.log_in("paula@example.org")
        page.goto(self.url("/o/northwind/admin/"))
        page.get_by_role("link", name="Pay-gap reports").click()
        page.get_by_role("heading", name="Gender pay-gap reports").wait_for()
        page.get_by_text("No report yet.").wait_for()
        self.assert_accessible()

        page.get_by_role("link", name="Upload a payroll file").first.click()
        page.get_by_role("heading", name="Upload a payroll file").wait_for()
        self.assert_accessible()
        page.get_by_label("Payroll file").set_input_files(str(payroll))
        page.get_by_role("button", name="Upload and continue").click()

        page.get_by_role("heading", name="Match the columns").wait_for()
        self.assert_accessible()
        # Pre-filled from the headers; the gender values were recognised.
        self.assertEqual(
            page.get_by_label("Hourly pay:", exact=True).input_value(), "Hourly rate"
        )
        self.assertEqual(
            page.get_by_label("“X” in the gender column means").input_value(), "neither"
        )
        # "Q": nothing chosen, and the browser would submit nothing, not "female".
        q = page.get_by_label("“Q” in the gender column means")
        self.assertEqual(q.input_value(), "")
        page.get_by_role("button", name="Check the file").click()
        page.get_by_text("Say what “Q” in the gender column means").first.wait_for()
        self.assertEqual(PayrollUpload.objects.get().mapping, {})
        self.assert_accessible()
        page.get_by_label("“Q” in the gender column means").select_option("neither")
        page.get_by_role("button", name="Check the file").click()

        page.get_by_role("heading", name="Check the file").wait_for()
        page.get_by_role("heading", name="1 warning").wait_for()
        self.assert_accessible()
        page.get_by_label("Report title").fill("Gender pay gap 2026")
        page.get_by_label("Snapshot date").fill("2026-04-05")
        # Without the confirmation, nothing is computed.
        page.get_by_role("button", name="Compute the report").click()
        page.get_by_text(
            "Tick this box to confirm you have read the warnings."
        ).wait_for()
        self.assertFalse(PayGapReport.objects.exists())
        self.assert_accessible()
        # The keyboard: tick the box with Space and submit with Enter.
        page.get_by_label("Report title").fill("Gender pay gap 2026")
        page.get_by_label("Snapshot date").fill("2026-04-05")
        box = page.get_by_label("I have read the warnings above")
        box.focus()
        page.keyboard.press("Space")
        self.assertTrue(box.is_checked())
        page.get_by_role("button", name="Compute the report").focus()
        page.keyboard.press("Enter")

        page.get_by_role("heading", name="Gender pay gap 2026").wait_for()
        page.get_by_text("The report is ready.").wait_for()
        self.assertEqual(page.locator("main svg[role=img]").count(), 3)
        page.get_by_role(
            "heading", name="The five-percent rule (Article 10)"
        ).wait_for()
        page.get_by_text("Suppressed: fewer than 5 people").first.wait_for()
        self.assert_accessible()
        self.assertEqual(list((self.upload_dir).glob("*.csv")), [])

        with page.expect_download() as download_info:
            page.get_by_role("button", name="Download as PDF").click()
        path = download_info.value.path()
        text = "\n".join(p.extract_text() for p in PdfReader(path).pages)
        self.assertIn("Gender pay gap 2026", text)
        self.assertIn("Median hourly pay gap", text)
        self.assertFalse(self.console_errors, self.console_errors)
