"""Differencing across reports (issue 14): two reports of the same snapshot date that
differ by fewer than k people are never both published."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path
from typing import Any

from django.test import SimpleTestCase
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisDjangoTestCase

from alongside.audit.models import AuditEvent
from alongside.equity import differencing, paygap, services
from alongside.equity.models import EquitySettings, PayGapReport, PayrollUpload
from alongside.equity.tests.helpers import (
    PrivateUploadRoot,
    csv_bytes,
    payroll_rows,
)
from alongside.equity.tests.test_paygap_properties import (
    EXAMPLES,
    MAPPING,
    Row,
    write_csv,
)
from alongside.equity.tests.test_web_report import MAPPING as WEB_MAPPING
from alongside.test import BaseTestCase

CATEGORIES = ["A", "B", "C", "Ops", "Sales"]

person = st.tuples(
    st.sampled_from(["M", "F", "F", "M", "X"]),
    st.integers(min_value=100, max_value=20_000),
    st.one_of(st.just(0), st.integers(min_value=0, max_value=500_000)),
    st.sampled_from(CATEGORIES),
    st.sampled_from([1, 1, 1, 0]),
    st.sampled_from([1, 1, 1, 0]),
)

# One change to a payroll: a person removed, added, moved to another category, or given
# another pay (the counts of every cell stay the same, the figures do not).
change = st.one_of(
    st.tuples(st.just("remove"), st.integers(min_value=0), st.none()),
    st.tuples(st.just("add"), st.integers(min_value=0), person),
    st.tuples(
        st.just("category"), st.integers(min_value=0), st.sampled_from(CATEGORIES)
    ),
    st.tuples(
        st.just("pay"),
        st.integers(min_value=0),
        st.integers(min_value=100, max_value=20_000),
    ),
)


def apply_changes(
    rows: list[Row], changes: list[tuple[str, int, Any]]
) -> tuple[list[Row], int]:
    """The payroll after the changes, and how many people differ between the two
    (a person removed, added or changed counts once; the same person changed twice
    counts once)."""
    people: list[tuple[int, Row]] = list(enumerate(rows))
    touched: set[int] = set()
    next_id = len(rows)
    for what, index, arg in changes:
        if what == "add":
            people.append((next_id, arg))
            touched.add(next_id)
            next_id += 1
            continue
        if len(people) <= 1:
            continue
        i = index % len(people)
        pid, row = people[i]
        touched.add(pid)
        if what == "remove":
            people.pop(i)
        elif what == "category":
            people[i] = (pid, (row[0], row[1], row[2], arg, row[4], row[5]))
        else:
            people[i] = (pid, (row[0], arg, row[2], row[3], row[4], row[5]))
    changed = [row for _pid, row in people]
    # A change back to what it was (same category, same pay) changes nobody.
    original = dict(enumerate(rows))
    current = dict(people)
    differing = {pid for pid in touched if original.get(pid) != current.get(pid)}
    return changed, len(differing)


def cells_of(rows: list[Row], directory: Path, name: str) -> differencing.Cells:
    path = directory / name
    write_csv(path, rows)
    result = paygap.compute(path, MAPPING).as_dict()
    counts = result.pop("counts")
    return differencing.published_cells(result, counts, None)


class DifferencingPropertiesTestCase(SimpleTestCase):
    """Properties over generated pairs of payrolls, through the engine, with the check
    `services.report_compute` applies (`differencing.isolating_cells`)."""

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(
        rows=st.lists(person, min_size=6, max_size=50),
        k=st.integers(min_value=3, max_value=7),
        data=st.data(),
    )
    def test_pairs_differing_by_fewer_than_k_people_are_never_both_published(
        self, rows: list[Row], k: int, data: st.DataObject
    ) -> None:
        changes = data.draw(st.lists(change, min_size=1, max_size=k - 1))
        other, differing = apply_changes(rows, changes)
        if differing == 0:
            return  # the changes undid each other: the same payroll
        self.assertLess(differing, k)
        with tempfile.TemporaryDirectory() as tmp:
            first = cells_of(rows, Path(tmp), "a.csv")
            second = cells_of(other, Path(tmp), "b.csv")
        found = differencing.isolating_cells(first, second, k)
        self.assertTrue(
            found,
            f"{differing} people differ (k={k}) and no cell isolates them: {changes}",
        )
        # Symmetric: whichever of the two is uploaded first, the second is refused.
        self.assertEqual(found, differencing.isolating_cells(second, first, k))

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(
        rows=st.lists(person, min_size=6, max_size=40),
        k=st.integers(min_value=3, max_value=6),
        changes=st.lists(change, min_size=0, max_size=14),
    )
    def test_two_reports_published_side_by_side_always_rest_on_k_people_apart(
        self, rows: list[Row], k: int, changes: list[tuple[str, int, Any]]
    ) -> None:
        """Whatever pair is accepted, every cell that differs between the two differs
        by at least k people of each group, so at least k people differ overall: the
        difference of the two never describes fewer than k people."""
        other, differing = apply_changes(rows, changes)
        with tempfile.TemporaryDirectory() as tmp:
            first = cells_of(rows, Path(tmp), "a.csv")
            second = cells_of(other, Path(tmp), "b.csv")
        if differencing.isolating_cells(first, second, k):
            return  # refused
        self.assertGreaterEqual(differing, k)
        for key in {*first, *second}:
            for group in differencing.GROUPS:
                x = first.get(key, {}).get(group, 0)
                y = second.get(key, {}).get(group, 0)
                self.assertTrue(x == y == 0 or abs(x - y) >= k, (key, group, x, y))

    def test_a_category_only_one_report_has_counts_as_a_difference(self) -> None:
        a = {("pay", "category", "Director"): {"male": 2, "female": 1}}
        self.assertEqual(
            differencing.isolating_cells(a, {("pay", "total", ""): {"male": 9}}, 5),
            [("pay", "category", "Director")],
        )

    def test_reports_without_a_kind_of_cell_in_common_are_not_compared(self) -> None:
        pay = {("pay", "total", ""): {"male": 9, "female": 9}}
        levels = {("levels", "overall", ""): {"male": 9, "female": 9}}
        self.assertEqual(differencing.isolating_cells(pay, levels, 5), [])


class DifferencingThroughTheServiceTestCase(
    PrivateUploadRoot, HypothesisDjangoTestCase, BaseTestCase
):
    """The same property end to end: the second report is refused by report_compute
    (each example in a transaction of its own)."""

    def report(self, rows: list[Row], name: str, k: int) -> PayGapReport:
        path = self.upload_dir / name
        write_csv(path, rows)
        upload = PayrollUpload.objects.create(
            organization=self.org,
            uploaded_by=self.paula,
            original_name=name,
            stored_name=path.name,
        )
        services.upload_map(upload, MAPPING.columns, MAPPING.gender_values)
        return services.report_compute(
            upload,
            title=name,
            snapshot_date=date(2026, 4, 5),
            level_order=None,
            actor=self.paula,
        )

    @settings(
        max_examples=5,
        deadline=None,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.function_scoped_fixture,
        ],
    )
    @given(
        rows=st.lists(person, min_size=6, max_size=40),
        k=st.integers(min_value=3, max_value=7),
        data=st.data(),
    )
    def test_the_second_of_two_payrolls_a_few_people_apart_is_refused(
        self, rows: list[Row], k: int, data: st.DataObject
    ) -> None:
        EquitySettings.objects.update_or_create(
            organization=self.org, defaults={"min_group_size": k}
        )
        self.org.min_group_size = 3
        self.org.save()
        changes = data.draw(st.lists(change, min_size=1, max_size=k - 1))
        other, differing = apply_changes(rows, changes)
        if differing == 0:
            return
        first = self.report(rows, "first.csv", k)
        with self.assertRaises(services.NearDuplicateReport) as refused:
            self.report(other, "second.csv", k)
        self.assertEqual(refused.exception.earlier, first)
        self.assertEqual(list(PayGapReport.objects.all()), [first])


class NearDuplicateUploadTestCase(PrivateUploadRoot, BaseTestCase):
    """The web flow: the second upload of the same snapshot is refused with a message
    naming the earlier report, unless the earlier one is replaced."""

    def setUp(self) -> None:
        super().setUp()
        self.client.force_login(self.paula)

    def url(self, name: str, **kwargs: int) -> str:
        return reverse(f"equity:{name}", kwargs={"org": "northwind", **kwargs})

    def mapped_upload(self, rows: list[list[str]], name: str) -> PayrollUpload:
        path = self.upload_dir / name
        path.write_bytes(csv_bytes(rows))
        upload = PayrollUpload.objects.create(
            organization=self.org,
            uploaded_by=self.paula,
            original_name=name,
            stored_name=path.name,
        )
        services.upload_map(upload, WEB_MAPPING.columns, WEB_MAPPING.gender_values)
        return upload

    def compute(self, upload: PayrollUpload, **extra: str) -> Any:
        return self.client.post(
            self.url("upload_check", upload_id=upload.pk),
            {
                "title": "Pay gap 2026 (again)",
                "snapshot_date": "2026-04-05",
                "level_order": "Band 2-4\nBand 5-6\nBand 8",
                **extra,
            },
        )

    def first_report(self) -> PayGapReport:
        return services.report_compute(
            self.mapped_upload(payroll_rows(), "first.csv"),
            title="Pay gap 2026",
            snapshot_date=date(2026, 4, 5),
            level_order=["Band 2-4", "Band 5-6", "Band 8"],
            actor=self.paula,
        )

    def test_the_same_payroll_minus_one_woman_is_refused_naming_the_earlier_report(
        self,
    ) -> None:
        earlier = self.first_report()
        rows = payroll_rows()
        del rows[0]  # one woman (Nursing, Band 2-4, with a bonus)
        upload = self.mapped_upload(rows, "second.csv")
        r = self.compute(upload)
        self.assertEqual(r.status_code, 409)
        body = r.content.decode()
        self.assertIn("This report was not computed.", body)
        self.assertIn("“Pay gap 2026”", body)
        self.assertIn(self.url("report_detail", report_id=earlier.pk), body)
        self.assertIn("the number of women, men and people recorded as neither", body)
        self.assertIn('name="replace"', body)
        self.assertEqual(list(PayGapReport.objects.all()), [earlier])
        # The upload waits, nothing was computed from it.
        upload.refresh_from_db()
        self.assertEqual(upload.status, "mapped")

    def test_a_category_change_or_a_pay_correction_alone_is_refused_too(self) -> None:
        self.first_report()
        moved = payroll_rows()
        moved[0][4] = "Estates"
        with self.assertRaises(services.NearDuplicateReport) as refused:
            services.report_compute(
                self.mapped_upload(moved, "moved.csv"),
                title="Moved",
                snapshot_date=date(2026, 4, 5),
                level_order=None,
                actor=self.paula,
            )
        self.assertIn(("pay", "category", "Nursing"), refused.exception.clash.cells)
        corrected = payroll_rows()
        corrected[3][2] = "31.00"
        with self.assertRaises(services.NearDuplicateReport):
            services.report_compute(
                self.mapped_upload(corrected, "corrected.csv"),
                title="Corrected",
                snapshot_date=date(2026, 4, 5),
                level_order=None,
                actor=self.paula,
            )
        self.assertEqual(PayGapReport.objects.count(), 1)

    def test_a_suppressed_cell_cannot_come_back_from_an_earlier_report(self) -> None:
        # Chaplaincy has 2 women (< k): hidden. A later file with 5 more women in
        # Chaplaincy would show it; the first report's total gives the 2 back.
        self.first_report()
        more = payroll_rows(small_category_women=7)
        with self.assertRaises(services.NearDuplicateReport):
            services.report_compute(
                self.mapped_upload(more, "more.csv"),
                title="More",
                snapshot_date=date(2026, 4, 5),
                level_order=None,
                actor=self.paula,
            )

    def test_moving_the_snapshot_date_by_a_day_is_refused_all_the_same(self) -> None:
        self.first_report()
        rows = payroll_rows()
        del rows[0]
        for moved in ("2026-04-06", "2026-01-01", "2025-05-01"):
            with self.subTest(snapshot=moved):
                r = self.compute(
                    self.mapped_upload(rows, f"{moved}.csv"), snapshot_date=moved
                )
                self.assertEqual(r.status_code, 409)
                self.assertContains(
                    r, "A report of the same period already exists", status_code=409
                )
        self.assertEqual(PayGapReport.objects.count(), 1)

    def test_last_years_report_is_a_report_of_its_own(self) -> None:
        self.first_report()
        rows = payroll_rows()
        del rows[0]
        upload = self.mapped_upload(rows, "2027.csv")
        r = self.compute(upload, snapshot_date="2025-04-05")
        self.assertEqual(r.status_code, 302)
        self.assertEqual(PayGapReport.objects.count(), 2)

    def test_replacing_deletes_the_earlier_report_in_the_same_step(self) -> None:
        earlier = self.first_report()
        rows = payroll_rows()
        del rows[0]
        upload = self.mapped_upload(rows, "second.csv")
        r = self.compute(upload, replace_report=str(earlier.pk), replace="on")
        self.assertEqual(r.status_code, 302)
        new = PayGapReport.objects.get()
        self.assertNotEqual(new.pk, earlier.pk)
        self.assertTrue(
            AuditEvent.objects.filter(action="equity.report_replaced").exists()
        )
        # The earlier one cannot be read beside the new one: page, PDF, history.
        self.assertEqual(
            self.client.get(
                self.url("report_detail", report_id=earlier.pk)
            ).status_code,
            404,
        )
        self.assertEqual(
            self.client.get(self.url("report_pdf", report_id=earlier.pk)).status_code,
            404,
        )
        history = self.client.get(self.url("reports")).content.decode()
        self.assertNotIn(self.url("report_detail", report_id=earlier.pk), history)

    def test_replace_only_applies_to_a_report_of_the_same_snapshot(self) -> None:
        other = services.report_compute(
            self.mapped_upload(payroll_rows(women=30, men=30), "2025.csv"),
            title="Pay gap 2025",
            snapshot_date=date(2025, 4, 5),
            level_order=None,
            actor=self.paula,
        )
        earlier = self.first_report()
        rows = payroll_rows()
        del rows[0]
        r = self.compute(
            self.mapped_upload(rows, "second.csv"),
            replace_report=str(other.pk),
            replace="on",
        )
        self.assertEqual(r.status_code, 409)
        self.assertEqual(
            set(PayGapReport.objects.values_list("pk", flat=True)),
            {other.pk, earlier.pk},
        )

    def test_a_representation_file_of_the_same_levels_and_date_is_refused(self) -> None:
        self.first_report()
        rows = payroll_rows()
        del rows[0]
        path = self.upload_dir / "levels.csv"
        path.write_bytes(
            csv_bytes([[r[1], r[6]] for r in rows], header=["Sex", "Grade"])
        )
        upload = PayrollUpload.objects.create(
            organization=self.org,
            uploaded_by=self.paula,
            kind="representation",
            original_name="levels.csv",
            stored_name=path.name,
        )
        services.upload_map(
            upload, {"gender": "Sex", "level": "Grade"}, {"F": "female", "M": "male"}
        )
        with self.assertRaises(services.NearDuplicateReport) as refused:
            services.report_compute(
                upload,
                title="Levels",
                snapshot_date=date(2026, 4, 5),
                level_order=["Band 2-4", "Band 5-6", "Band 8"],
                actor=self.paula,
            )
        self.assertTrue(
            all(key[0] == "levels" for key in refused.exception.clash.cells)
        )
