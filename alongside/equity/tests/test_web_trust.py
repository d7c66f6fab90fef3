"""Issue 14 on the equity pages: lowering k, honest labels, figures that are true."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

from django.core import mail
from django.test import override_settings
from django.utils import timezone
from pypdf import PdfReader

from alongside.accounts.models import User
from alongside.audit.models import AuditEvent
from alongside.equity import display, paygap
from alongside.equity.models import EquitySettings, PayGapReport, PayrollUpload
from alongside.equity.tests.helpers import csv_bytes, payroll_rows
from alongside.equity.tests.test_web_report import ReportPagesBase
from alongside.notifications.models import Notification
from alongside.organizations.models import Role
from alongside.test import make_member

PROTECT = "Hidden so that another cell cannot be worked out"


class LoweringKTestCase(ReportPagesBase):
    priya: User

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.priya = make_member(
            cls.org,
            Role.PROGRAM_ADMIN,
            email="priya@example.org",
            display_name="Priya Admin",
        )

    def save_k(self, k: int) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            r = self.client.post(self.url("settings"), {"min_group_size": str(k)})
        self.assertRedirects(r, self.url("settings"))

    def make_due(self) -> None:
        EquitySettings.objects.filter(organization=self.org).update(
            pending_from=timezone.now() - timedelta(seconds=1)
        )

    def test_lowering_k_waits_for_the_delay_and_is_announced_to_every_admin(
        self,
    ) -> None:
        # 4 women in Chaplaincy: hidden at k=5, would be shown at k=3.
        self.make_report(date(2026, 4, 5), payroll_rows(small_category_women=4))
        mail.outbox.clear()
        self.save_k(3)
        settings_ = EquitySettings.for_organization(self.org)
        self.assertEqual(settings_.min_group_size, 5)
        self.assertEqual(settings_.effective_k, 5)
        self.assertEqual(settings_.pending_min_group_size, 3)
        assert settings_.pending_from is not None
        self.assertAlmostEqual(
            settings_.pending_from,
            timezone.now() + timedelta(days=7),
            delta=timedelta(minutes=1),
        )
        # Both program admins are told, in the app and by email; members are not.
        told = Notification.objects.filter(organization=self.org)
        self.assertEqual(
            sorted(told.values_list("user_id", flat=True)),
            sorted([self.paula.pk, self.priya.pk]),
        )
        self.assertIn("from 5 to 3", told.first().message)  # type: ignore[union-attr]
        self.assertEqual(
            sorted(m.to[0] for m in mail.outbox),
            ["paula@example.org", "priya@example.org"],
        )
        self.assertIn("Paula Admin asked to lower", mail.outbox[0].body)
        self.assertTrue(
            AuditEvent.objects.filter(action="equity.k_lowering_scheduled").exists()
        )
        # Nothing is shown at k=3 meanwhile: not the new report, not the settings page.
        r = self.client.get(self.url("settings"))
        self.assertContains(r, "asked to lower k to 3")
        new = self.make_report(
            date(2025, 4, 5), payroll_rows(women=14, small_category_women=4)
        )
        self.assertEqual(new.k_used, 5)
        r = self.client.get(self.url("report_detail", report_id=new.pk))
        self.assertContains(r, "Suppressed: fewer than 5 people")
        self.assertNotContains(r, "fewer than 3 people")

    def test_a_lowered_k_never_applies_to_reports_already_generated(self) -> None:
        # The organization's general k is 3 here, so the equity k decides.
        self.org.min_group_size = 3
        self.org.save()
        old = self.make_report(date(2026, 4, 5), payroll_rows(small_category_women=4))
        self.save_k(3)
        self.make_due()
        self.assertEqual(EquitySettings.for_organization(self.org).effective_k, 3)
        self.assertEqual(EquitySettings.objects.get().min_group_size, 3)  # settled
        for name in ("report_detail", "report_pdf"):
            r = self.client.get(self.url(name, report_id=old.pk))
            self.assertEqual(r.status_code, 200)
        page = self.client.get(self.url("report_detail", report_id=old.pk))
        self.assertContains(page, "Suppressed: fewer than 5 people")
        chaplaincy = re.search(
            r"Chaplaincy</th>(.*?)</tr>", page.content.decode(), re.S
        )
        assert chaplaincy is not None
        self.assertNotIn("%", chaplaincy.group(1))
        pdf = self.client.get(self.url("report_pdf", report_id=old.pk))
        text = "\n".join(
            p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages
        )
        self.assertIn("fewer than 5", text)
        self.assertNotIn("fewer than 3", text)
        # A report made after the lowering took effect uses the new k.
        new = self.make_report(
            date(2025, 4, 5), payroll_rows(women=14, small_category_women=4)
        )
        self.assertEqual(new.k_used, 3)
        r = self.client.get(self.url("report_detail", report_id=new.pk))
        self.assertNotContains(r, "Suppressed: fewer than 5 people")

    def test_lowering_then_putting_it_back_never_lowers_k(self) -> None:
        report = self.make_report(
            date(2026, 4, 5), payroll_rows(small_category_women=4)
        )
        self.save_k(3)
        r = self.client.get(self.url("report_detail", report_id=report.pk))
        self.assertContains(r, "Suppressed: fewer than 5 people")
        self.save_k(5)
        settings_ = EquitySettings.for_organization(self.org)
        self.assertIsNone(settings_.pending_min_group_size)
        self.make_due()  # nothing pending: nothing happens
        self.assertEqual(EquitySettings.for_organization(self.org).effective_k, 5)
        self.assertTrue(
            AuditEvent.objects.filter(action="equity.k_lowering_cancelled").exists()
        )
        # The other admin was told of the attempt all the same.
        self.assertTrue(Notification.objects.filter(user=self.priya).exists())

    def test_raising_k_takes_effect_at_once(self) -> None:
        report = self.make_report(date(2026, 4, 5))
        self.save_k(12)
        self.assertEqual(EquitySettings.for_organization(self.org).effective_k, 12)
        self.assertFalse(Notification.objects.exists())
        r = self.client.get(self.url("report_detail", report_id=report.pk))
        self.assertContains(r, "Suppressed: fewer than 12 people")

    @override_settings(EQUITY_K_LOWERING_DELAY_DAYS=2)
    def test_the_delay_is_a_setting(self) -> None:
        self.save_k(4)
        pending = EquitySettings.for_organization(self.org).pending_from
        assert pending is not None
        self.assertAlmostEqual(
            pending, timezone.now() + timedelta(days=2), delta=timedelta(minutes=1)
        )

    def test_the_organizations_pending_lowering_of_k_is_not_used_before_its_time(
        self,
    ) -> None:
        """Equity's k is the larger of its own and the organization's k in force: an
        organization-wide lowering waiting for its delay lowers no pay figure."""
        self.assertLess(EquitySettings.for_organization(self.org).min_group_size, 6)
        self.org.min_group_size = 8
        self.org.min_group_size_pending = 6
        self.org.min_group_size_pending_at = timezone.now() + timedelta(days=3)
        self.org.save()
        self.assertEqual(EquitySettings.for_organization(self.org).effective_k, 8)
        r = self.client.get(self.url("settings"))
        self.assertEqual(r.context["organization_k"], 8)
        self.org.min_group_size_pending_at = timezone.now() - timedelta(seconds=1)
        self.org.save()
        self.assertEqual(EquitySettings.for_organization(self.org).effective_k, 6)

    def test_the_django_admin_cannot_change_k(self) -> None:
        """A superuser cannot skip the delay and the announcement in the Django admin."""
        from django.contrib import admin
        from django.test import RequestFactory

        request = RequestFactory().get("/admin/")
        request.user = User.objects.create_superuser("root@example.org", "pw")
        model_admin = admin.site.get_model_admin(EquitySettings)
        form = model_admin.get_form(request, EquitySettings.for_organization(self.org))
        for field in ("min_group_size", "pending_min_group_size", "pending_from"):
            self.assertNotIn(field, form.base_fields)


class HonestLabelsTestCase(ReportPagesBase):
    def test_a_category_hidden_to_protect_another_says_so(self) -> None:
        # Chaplaincy: 2 women (< 5), so hidden; then Estates or Nursing is hidden too,
        # so Chaplaincy is not the total minus the shown categories. That one has 6
        # women and 6 men: it is not "fewer than 5 people".
        report = self.make_report(date(2026, 4, 5))
        shown = paygap.suppress({**report.figures, "counts": report.counts}, 5)
        categories = {
            c["category"]: c for c in shown["eu_2023_970_art9"]["g_categories"]
        }
        self.assertFalse(categories["Chaplaincy"]["protects_other"])
        protected = [name for name, c in categories.items() if c.get("protects_other")]
        self.assertEqual(len(protected), 1)
        body = self.client.get(
            self.url("report_detail", report_id=report.pk)
        ).content.decode()
        rows = dict(re.findall(r"<th scope=\"row\">([^<]+)</th>(.*?)</tr>", body, re.S))
        self.assertIn("Suppressed: fewer than 5 people", rows["Chaplaincy"])
        self.assertIn(PROTECT, rows[protected[0]])
        self.assertNotIn("fewer than", rows[protected[0]])
        pdf = self.client.get(self.url("report_pdf", report_id=report.pk))
        text = " ".join(
            p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages
        )
        self.assertIn(PROTECT, " ".join(text.split()))

    def test_a_level_hidden_to_protect_another_says_so(self) -> None:
        from alongside.equity.tests.helpers import representation_dict

        report = PayGapReport.objects.create(
            organization=self.org,
            kind="representation",
            title="Levels",
            snapshot_date=date(2026, 4, 5),
            representation=representation_dict(
                [("Entry", 20, 20), ("Middle", 9, 9), ("Senior", 2, 7)]
            ),
        )
        body = self.client.get(
            self.url("representation_detail", report_id=report.pk)
        ).content.decode()
        self.assertIn(PROTECT, body)
        self.assertIn("Suppressed: fewer than 5 people", body)


class TrueFiguresTestCase(ReportPagesBase):
    def upload_with(self, genders: list[str]) -> PayrollUpload:
        rows = [
            [f"E{i:03d}", g, f"{14 + i * 0.1:.2f}", "0", "Nursing", "1", "Band 5-6"]
            for i, g in enumerate(genders)
        ]
        path = self.upload_dir / "q.csv"
        path.write_bytes(csv_bytes(rows))
        return PayrollUpload.objects.create(
            organization=self.org,
            uploaded_by=self.paula,
            original_name="q.csv",
            stored_name=path.name,
        )

    def test_an_unrecognised_gender_value_has_no_default_and_must_be_chosen(
        self,
    ) -> None:
        upload = self.upload_with(["F"] * 59 + ["M"] * 60 + ["Q"])
        url = self.url("upload_map", upload_id=upload.pk)
        body = self.client.get(url).content.decode()
        select = re.search(r'<select name="gender_51".*?</select>', body, re.S)
        assert select is not None, "no select for Q"
        options = re.findall(r"<option([^>]*)>", select.group(0))
        # The first option is empty and selected: a browser left alone submits "".
        self.assertIn('value=""', options[0])
        self.assertIn("selected", options[0])
        self.assertFalse(any("selected" in o for o in options[1:]))
        # F and M are recognised and pre-selected as before.
        f_select = re.search(r'<select name="gender_46".*?</select>', body, re.S)
        assert f_select is not None
        self.assertIn('value="female" selected', f_select.group(0))
        # Submitting without a choice for Q fails, naming the value; nothing saved.
        post = {
            "col_employee_id": "Staff no",
            "col_gender": "Sex",
            "col_hourly_pay": "Hourly rate",
            "col_bonus_pay": "Bonus",
            "col_category": "Job family",
            "col_full_pay_relevant": "Full pay",
            "gender_column_shown": "Sex",
            "gender_46": "female",
            "gender_4d": "male",
            "gender_51": "",
        }
        r = self.client.post(url, post)
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "Say what “Q” in the gender column means")
        upload.refresh_from_db()
        self.assertEqual(upload.mapping, {})
        # Without the field at all (an old form), the same.
        del post["gender_51"]
        r = self.client.post(url, post)
        self.assertContains(r, "Say what “Q” in the gender column means")
        # Chosen explicitly, it counts as chosen: 59 women, not 60.
        r = self.client.post(url, {**post, "gender_51": "neither"})
        self.assertEqual(r.status_code, 302)
        upload.refresh_from_db()
        self.assertEqual(upload.mapping["gender_values"]["Q"], "neither")

    def test_a_blank_gender_cell_must_be_chosen_too(self) -> None:
        upload = self.upload_with(["F"] * 6 + ["M"] * 6 + [""])
        body = self.client.get(
            self.url("upload_map", upload_id=upload.pk)
        ).content.decode()
        select = re.search(r'<select name="gender_"[^>]*>(.*?)</select>', body, re.S)
        assert select is not None, "no select for the blank cell"
        self.assertRegex(select.group(1), r'<option value="" selected>')
        self.assertIn("“(empty)” in the gender column means", body)

    def test_a_tiny_report_never_reads_none_women(self) -> None:
        report = self.make_report(
            date(2026, 4, 5),
            [["E1", "F", "14.00", "0", "Nursing", "1", "Band 8"]],
        )
        body = self.client.get(
            self.url("report_detail", report_id=report.pk)
        ).content.decode()
        self.assertNotIn("None", body)
        self.assertIn(
            "Fewer than 5 women or fewer than 5 men are in this report.", body
        )
        self.assertNotIn("Fewer than k women", body)
        pdf = self.client.get(self.url("report_pdf", report_id=report.pk))
        text = " ".join(
            p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages
        )
        self.assertNotIn("None", text)

    def test_counts_are_worded_with_plurals(self) -> None:
        self.assertEqual(display.women_count_text(0), "no women")
        self.assertEqual(display.women_count_text(1), "1 woman")
        self.assertEqual(display.men_count_text(1), "1 man")
        self.assertEqual(
            display.counted_sentence(0, 12, 5), "Counted: no women and 12 men."
        )
        self.assertEqual(
            display.counted_sentence(7, 9, 5), "Counted: 7 women and 9 men."
        )
        report = self.make_report(date(2026, 4, 5))
        self.assertContains(
            self.client.get(self.url("report_detail", report_id=report.pk)),
            "Counted: 14 women and 18 men.",
        )
