"""The demo's payroll, reports and HR analyst."""

from __future__ import annotations

from django.test import TestCase

from alongside.equity import demo
from alongside.equity.models import AnalystGrant, PayGapReport
from alongside.organizations.models import Role
from alongside.test import make_member, make_organization


class DemoTestCase(TestCase):
    def test_load_is_idempotent_and_shows_a_trend(self) -> None:
        org = make_organization("Riverside Health Trust", slug="riverside")
        users = {
            "amara": make_member(org, Role.PROGRAM_ADMIN, email="amara@riverside.test"),
            "chloe": make_member(org, email="chloe@riverside.test"),
        }
        demo.load(org, users)
        demo.load(org, users)
        self.assertEqual(PayGapReport.objects.filter(organization=org).count(), 2)
        self.assertTrue(AnalystGrant.holds(org, users["chloe"]))
        self.assertEqual(AnalystGrant.objects.count(), 1)
        gaps = [
            r.figures["uk_gpg_2017"]["median_hourly_gap_pct"]["value"]
            for r in PayGapReport.objects.order_by("snapshot_date")
        ]
        # A realistic gap that narrows from last year to this year.
        self.assertTrue(10 < gaps[1] < gaps[0] < 40, gaps)
        rep = PayGapReport.objects.latest("snapshot_date").representation
        assert rep is not None
        self.assertEqual([lv["level"] for lv in rep["levels"]], demo.GRADES)

    def test_the_shipped_sample_file_is_the_generator_output(self) -> None:
        self.assertEqual(
            demo.SAMPLE_PAYROLL.read_text(encoding="utf-8"), demo.payroll_csv(2026)
        )
        rows = demo.generate_payroll(2026)
        self.assertTrue(300 <= len(rows) <= 600)
        self.assertTrue((demo.DEMO_DATA / "job-ad-sample.txt").exists())
