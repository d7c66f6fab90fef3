"""Issue 14, lowering k: a lower smallest group size waits, is announced, and raising
it applies at once."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from unittest import mock

from django.core import mail
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from alongside.audit.models import AuditEvent
from alongside.campaigns import stats
from alongside.campaigns.models import Campaign
from alongside.campaigns.tests.helpers import make_campaign
from alongside.campaigns.tests.test_admin_views import add_signatures
from alongside.notifications.models import Notification
from alongside.organizations.models import Organization, Role
from alongside.test import BaseTestCase, make_member

SETTINGS_URL = "/o/northwind/admin/settings/"


class LoweringKTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.other_admin = make_member(
            self.org,
            Role.PROGRAM_ADMIN,
            email="pat@example.org",
            display_name="Pat Admin",
        )
        self.client.force_login(self.paula)

    def post(self, k: int, follow: bool = False) -> Any:
        data = {
            "name": self.org.name,
            "description": "",
            "join_domains": "",
            "min_group_size": k,
        }
        with self.captureOnCommitCallbacks(execute=True):
            return self.client.post(SETTINGS_URL, data, follow=follow)

    def org_now(self) -> Organization:
        return Organization.objects.get(pk=self.org.pk)

    def test_lowering_waits_for_the_delay(self) -> None:
        before = timezone.now()
        self.post(3)
        org = self.org_now()
        self.assertEqual(org.effective_min_group_size(), 5)
        pending = org.pending_min_group_size()
        assert pending is not None
        self.assertEqual(pending[0], 3)
        self.assertGreaterEqual(pending[1], before + timedelta(days=7))
        self.assertLess(pending[1], timezone.now() + timedelta(days=7, minutes=1))
        self.assertEqual(org.effective_min_group_size(pending[1] - timedelta(1)), 5)
        self.assertEqual(org.effective_min_group_size(pending[1]), 3)

    def test_a_campaign_dashboard_keeps_the_old_k_until_the_delay_is_over(
        self,
    ) -> None:
        self.post(3)
        campaign = make_campaign(self.org_now())
        add_signatures(campaign, man=30, woman=20, another=4, undisclosed=4)
        campaign = Campaign.objects.select_related("organization").get(pk=campaign.pk)
        # Until the delay is over, k is 5 and cells of 4 are hidden (worked out
        # without reading the dashboard, which would publish a snapshot).
        k = campaign.organization.effective_min_group_size()
        self.assertEqual(k, 5)
        self.assertEqual(
            stats.hidden_for(stats.gender_counts(campaign), k),
            {"another", "undisclosed"},
        )
        later = timezone.now() + timedelta(days=8)
        with mock.patch("django.utils.timezone.now", return_value=later):
            breakdown = stats.gender_breakdown(campaign)
        self.assertEqual(breakdown.k, 3)
        self.assertEqual([cell.count for cell in breakdown.cells][2:], [4, 4])

    @override_settings(MIN_GROUP_SIZE_LOWERING_DAYS=2)
    def test_the_delay_is_a_setting(self) -> None:
        self.post(4)
        pending = self.org_now().pending_min_group_size()
        assert pending is not None
        self.assertLess(pending[1], timezone.now() + timedelta(days=2, minutes=1))

    def test_lowering_is_announced_to_every_program_admin(self) -> None:
        mail.outbox.clear()
        self.post(3)
        for admin in (self.paula, self.other_admin):
            notification = Notification.objects.get(user=admin)
            self.assertIn("from 5 to 3", notification.message)
            self.assertIn("Paula", notification.message)
            self.assertEqual(notification.url, SETTINGS_URL)
        self.assertFalse(Notification.objects.filter(user=self.alice).exists())
        to = sorted(address for message in mail.outbox for address in message.to)
        self.assertEqual(to, ["pat@example.org", "paula@example.org"])
        self.assertIn("from 5 to 3", mail.outbox[0].body)
        self.assertIn(SETTINGS_URL, mail.outbox[0].body)
        event = AuditEvent.objects.filter(
            action="organization.settings_changed"
        ).latest("pk")
        self.assertEqual(event.data["min_group_size"]["from"], 5)
        self.assertEqual(event.data["min_group_size"]["to"], 3)

    def test_the_settings_page_shows_the_pending_change(self) -> None:
        r = self.post(3, follow=True)
        self.assertContains(r, "goes down to 3 on")
        self.assertContains(r, "Until then, 5 applies")
        self.assertContains(r, "Every program admin has been told")

    def test_raising_applies_at_once_and_cancels_a_pending_lowering(self) -> None:
        self.post(3)
        self.post(8)
        org = self.org_now()
        self.assertEqual(org.effective_min_group_size(), 8)
        self.assertIsNone(org.pending_min_group_size())
        later = timezone.now() + timedelta(days=30)
        self.assertEqual(org.effective_min_group_size(later), 8)

    def test_setting_it_back_cancels_the_lowering(self) -> None:
        self.post(3)
        self.post(5)
        org = self.org_now()
        self.assertIsNone(org.pending_min_group_size())
        self.assertEqual(
            org.effective_min_group_size(timezone.now() + timedelta(days=30)), 5
        )

    def test_saving_other_settings_keeps_the_pending_lowering(self) -> None:
        self.post(3)
        # The form shows the pending value; saving it unchanged changes nothing.
        r = self.client.get(SETTINGS_URL)
        self.assertContains(r, 'value="3"')
        self.post(3)
        pending = self.org_now().pending_min_group_size()
        assert pending is not None
        self.assertEqual(pending[0], 3)
        self.assertEqual(self.org_now().effective_min_group_size(), 5)

    def test_a_due_lowering_is_folded_in_on_the_next_save(self) -> None:
        self.post(3)
        later = timezone.now() + timedelta(days=8)
        with mock.patch("django.utils.timezone.now", return_value=later):
            self.post(3)
            org = self.org_now()
            self.assertEqual(org.min_group_size, 3)
            self.assertIsNone(org.min_group_size_pending)
            self.assertEqual(org.effective_min_group_size(), 3)

    def test_k_is_never_below_three(self) -> None:
        r = self.post(2)
        self.assertContains(r, "greater than or equal to 3")
        org = self.org_now()
        self.assertIsNone(org.pending_min_group_size())
        self.assertEqual(org.effective_min_group_size(), 5)
        self.assertFalse(Notification.objects.exists())
        self.assertEqual(
            reverse("organizations:settings", args=["northwind"]), SETTINGS_URL
        )


class DjangoAdminTestCase(BaseTestCase):
    def test_the_django_admin_cannot_change_k(self) -> None:
        from django.contrib import admin
        from django.test import RequestFactory

        from alongside.accounts.models import User

        request = RequestFactory().get("/admin/")
        request.user = User.objects.create_superuser("root@example.org", "pw")
        model_admin = admin.site.get_model_admin(Organization)
        form = model_admin.get_form(request, self.org)
        self.assertNotIn("min_group_size", form.base_fields)
        self.assertNotIn("min_group_size_pending", form.base_fields)
        self.assertNotIn("min_group_size_pending_at", form.base_fields)
