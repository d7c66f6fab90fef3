"""Who may open the pay-gap pages: program admins and HR analysts; everyone else 404."""

from __future__ import annotations

from datetime import date

from allauth.mfa.models import Authenticator
from django.urls import reverse

from alongside.audit.models import AuditEvent
from alongside.equity.models import AnalystGrant, PayGapReport, PayrollUpload
from alongside.equity.tests.helpers import PrivateUploadRoot, representation_dict
from alongside.organizations.models import Organization
from alongside.test import BaseTestCase


class EquityAccessTestCase(PrivateUploadRoot, BaseTestCase):
    report: PayGapReport
    upload: PayrollUpload

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.report = PayGapReport.objects.create(
            organization=cls.org,
            created_by=cls.paula,
            title="Pay gap 2026",
            snapshot_date=date(2026, 4, 5),
            figures={},
            representation=representation_dict([("Junior", 20, 10), ("Senior", 6, 9)]),
        )
        cls.upload = PayrollUpload.objects.create(
            organization=cls.org, uploaded_by=cls.paula, original_name="p.csv"
        )

    def salary_urls(self) -> list[str]:
        org = {"org": "northwind"}
        report = {**org, "report_id": self.report.pk}
        upload = {**org, "upload_id": self.upload.pk}
        return [
            reverse("equity:reports", kwargs=org),
            reverse("equity:upload", kwargs=org),
            reverse("equity:representation", kwargs=org),
            reverse("equity:report_detail", kwargs=report),
            reverse("equity:report_pdf", kwargs=report),
            reverse("equity:report_delete", kwargs=report),
            reverse("equity:representation_detail", kwargs=report),
            reverse("equity:upload_map", kwargs=upload),
            reverse("equity:upload_check", kwargs=upload),
            reverse("equity:upload_discard", kwargs=upload),
        ]

    def admin_urls(self) -> list[str]:
        org = {"org": "northwind"}
        grant = AnalystGrant.objects.create(organization=self.org, user=self.bob)
        return [
            reverse("equity:analysts", kwargs=org),
            reverse("equity:settings", kwargs=org),
            reverse("equity:analyst_revoke", kwargs={**org, "grant_id": grant.pk}),
        ]

    def test_members_facilitators_and_outsiders_get_404(self) -> None:
        for user in (self.alice, self.fiona, self.olga, self.oscar):
            self.client.force_login(user)
            for url in self.salary_urls():
                with self.subTest(user=user.email, url=url):
                    self.assertEqual(self.client.get(url).status_code, 404)
                    self.assertEqual(self.client.post(url).status_code, 404)
        self.assertTrue(PayGapReport.objects.filter(pk=self.report.pk).exists())
        self.assertTrue(PayrollUpload.objects.filter(pk=self.upload.pk).exists())

    def test_program_admin_and_hr_analyst_get_in(self) -> None:
        AnalystGrant.objects.create(organization=self.org, user=self.alice)
        for user in (self.paula, self.alice):
            self.client.force_login(user)
            for name in ("equity:reports", "equity:upload", "equity:representation"):
                url = reverse(name, kwargs={"org": "northwind"})
                with self.subTest(user=user.email, url=url):
                    r = self.client.get(url)
                    self.assertEqual(r.status_code, 200)
                    self.assertIn("no-store", r["Cache-Control"])
            r = self.client.get(
                reverse(
                    "equity:report_detail",
                    kwargs={"org": "northwind", "report_id": self.report.pk},
                )
            )
            self.assertEqual(r.status_code, 200)

    def test_an_analyst_of_one_organization_is_an_outsider_elsewhere(self) -> None:
        other = Organization.objects.get(slug="other")
        AnalystGrant.objects.create(organization=other, user=self.alice)
        self.client.force_login(self.alice)
        for url in self.salary_urls():
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 404)

    def test_only_program_admins_manage_analysts_and_settings(self) -> None:
        AnalystGrant.objects.create(organization=self.org, user=self.alice)
        urls = self.admin_urls()
        for user in (self.alice, self.fiona, self.bob, self.olga):
            self.client.force_login(user)
            for url in urls:
                with self.subTest(user=user.email, url=url):
                    self.assertEqual(self.client.get(url).status_code, 404)
                    self.assertEqual(self.client.post(url).status_code, 404)
        self.assertTrue(AnalystGrant.objects.filter(user=self.bob).exists())
        self.client.force_login(self.paula)
        for url in urls:
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 200)

    def test_admins_grant_and_revoke_the_role_with_an_audit_trail(self) -> None:
        self.client.force_login(self.paula)
        url = reverse("equity:analysts", kwargs={"org": "northwind"})
        # Someone outside the organization can't be chosen.
        r = self.client.post(url, {"user": self.oscar.pk})
        self.assertEqual(r.status_code, 200)
        self.assertFalse(AnalystGrant.objects.filter(user=self.oscar).exists())
        r = self.client.post(url, {"user": self.bob.pk})
        self.assertRedirects(r, url)
        grant = AnalystGrant.objects.get(organization=self.org, user=self.bob)
        self.assertEqual(grant.granted_by, self.paula)
        self.assertTrue(
            AuditEvent.objects.filter(
                action="equity.analyst_granted",
                actor=self.paula,
                target_id=str(self.bob.pk),
            ).exists()
        )
        self.client.force_login(self.bob)
        reports = reverse("equity:reports", kwargs={"org": "northwind"})
        self.assertEqual(self.client.get(reports).status_code, 200)

        self.client.force_login(self.paula)
        revoke = reverse(
            "equity:analyst_revoke", kwargs={"org": "northwind", "grant_id": grant.pk}
        )
        self.assertContains(self.client.get(revoke), "Remove the HR analyst role?")
        self.assertRedirects(self.client.post(revoke), url)
        self.assertFalse(AnalystGrant.objects.filter(pk=grant.pk).exists())
        self.assertTrue(
            AuditEvent.objects.filter(action="equity.analyst_revoked").exists()
        )
        self.client.force_login(self.bob)
        self.assertEqual(self.client.get(reports).status_code, 404)

    def test_hr_analysts_follow_the_admin_mfa_rule(self) -> None:
        Organization.objects.filter(pk=self.org.pk).update(require_admin_mfa=True)
        AnalystGrant.objects.create(organization=self.org, user=self.alice)
        mfa_url = reverse("organizations:mfa_required", kwargs={"org": "northwind"})
        for user in (self.alice, self.paula):
            self.client.force_login(user)
            for url in self.salary_urls():
                with self.subTest(user=user.email, url=url):
                    self.assertRedirects(self.client.get(url), mfa_url)
        r = self.client.get(mfa_url)
        self.assertContains(r, "Set up an authenticator app")
        Authenticator.objects.create(
            user=self.alice, type=Authenticator.Type.TOTP, data={"secret": "x"}
        )
        self.client.force_login(self.alice)
        r = self.client.get(reverse("equity:reports", kwargs={"org": "northwind"}))
        self.assertEqual(r.status_code, 200)
        # Members without the role still get 404, MFA or not.
        self.client.force_login(self.bob)
        r = self.client.get(reverse("equity:reports", kwargs={"org": "northwind"}))
        self.assertEqual(r.status_code, 404)

    def test_admin_card_links_to_the_equity_pages(self) -> None:
        self.client.force_login(self.paula)
        r = self.client.get(reverse("organizations:admin", kwargs={"org": "northwind"}))
        self.assertContains(r, reverse("equity:reports", kwargs={"org": "northwind"}))
        self.assertContains(r, reverse("equity:analysts", kwargs={"org": "northwind"}))
        self.assertContains(r, reverse("equity:wording", kwargs={"org": "northwind"}))

    def test_the_organization_home_leads_hr_analysts_and_only_them_in(self) -> None:
        home = reverse("organizations:home", kwargs={"org": "northwind"})
        reports = reverse("equity:reports", kwargs={"org": "northwind"})
        self.client.force_login(self.alice)
        self.assertNotContains(self.client.get(home), reports)
        AnalystGrant.objects.create(organization=self.org, user=self.alice)
        r = self.client.get(home)
        self.assertContains(r, "You are an HR analyst here")
        self.assertContains(r, reports)
        self.assertEqual(self.client.get(reports).status_code, 200)


class DjangoAdminTestCase(BaseTestCase):
    def test_reports_and_uploads_are_not_in_the_django_admin(self) -> None:
        from django.contrib import admin

        self.assertFalse(admin.site.is_registered(PayGapReport))
        self.assertFalse(admin.site.is_registered(PayrollUpload))
        self.assertTrue(admin.site.is_registered(AnalystGrant))


class PrivacyTestCase(BaseTestCase):
    def test_export_and_erase(self) -> None:
        from alongside.equity import privacy

        AnalystGrant.objects.create(organization=self.org, user=self.alice)
        report = PayGapReport.objects.create(
            organization=self.org,
            created_by=self.alice,
            title="Pay gap 2026",
            snapshot_date=date(2026, 4, 5),
        )
        data = privacy.export_user_data(self.alice)
        self.assertEqual(len(data["hr_analyst_roles"]), 1)
        self.assertEqual(data["reports_created"][0]["title"], "Pay gap 2026")
        privacy.erase_user_data(self.alice)
        self.assertFalse(AnalystGrant.objects.filter(user=self.alice).exists())
        self.assertTrue(PayGapReport.objects.filter(pk=report.pk).exists())
