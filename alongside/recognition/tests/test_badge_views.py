from __future__ import annotations

from django.core import mail
from django.urls import reverse

from alongside.audit.models import AuditEvent
from alongside.notifications.models import Notification
from alongside.recognition.models import BadgeAward
from alongside.recognition.services import badges_evaluate
from alongside.recognition.tests.helpers import make_action, make_pledge
from alongside.test import BaseTestCase


class BadgeRevokeViewTestCase(BaseTestCase):
    def setUp(self) -> None:
        make_action(make_pledge(self.alice, self.org), confirmed=True)
        with self.captureOnCommitCallbacks(execute=True):
            (self.award,) = badges_evaluate(organization=self.org, member=self.alice)
        mail.outbox.clear()
        self.url = reverse(
            "recognition:badge_revoke",
            kwargs={"org": "northwind", "award_id": self.award.pk},
        )
        self.list_url = reverse("recognition:badge_awards", kwargs={"org": "northwind"})

    def test_it_shows_a_confirmation_page(self) -> None:
        self.client.force_login(self.paula)
        r = self.client.get(self.url)
        self.assertContains(r, "Revoke a badge")
        self.assertContains(r, "First confirmed action")
        self.assertContains(r, "Alice Ally")
        self.assertContains(r, 'name="reason"')
        self.award.refresh_from_db()
        self.assertFalse(self.award.is_revoked)

    def test_it_revokes_with_a_reason(self) -> None:
        self.client.force_login(self.paula)
        with self.captureOnCommitCallbacks(execute=True):
            r = self.client.post(self.url, {"reason": "Confirmed by himself."})
        self.assertRedirects(r, self.list_url, fetch_redirect_response=False)
        self.award.refresh_from_db()
        self.assertTrue(self.award.is_revoked)
        self.assertEqual(self.award.revoked_by, self.paula)
        event = AuditEvent.objects.get(action="badge.revoke")
        self.assertEqual(event.target_id, str(self.award.pk))
        self.assertTrue(
            Notification.objects.filter(
                user=self.alice, message__contains="revoked"
            ).exists()
        )
        self.assertEqual(len(mail.outbox), 1)
        r = self.client.get(self.list_url)
        self.assertContains(r, "Confirmed by himself.")

    def test_it_refuses_an_empty_or_overlong_reason(self) -> None:
        self.client.force_login(self.paula)
        r = self.client.post(self.url, {"reason": "  "})
        self.assertContains(
            r, "Give the reason for revoking this badge.", status_code=400
        )
        r = self.client.post(self.url, {"reason": "x" * 501})
        self.assertContains(r, "Keep the reason to 500 characters", status_code=400)
        self.award.refresh_from_db()
        self.assertFalse(self.award.is_revoked)
        self.assertFalse(AuditEvent.objects.filter(action="badge.revoke").exists())

    def test_it_is_404_for_members_who_are_not_admins(self) -> None:
        for member in (self.alice, self.bob, self.fiona):
            self.client.force_login(member)
            self.assertEqual(self.client.get(self.url).status_code, 404)
            r = self.client.post(self.url, {"reason": "x"})
            self.assertEqual(r.status_code, 404)
            self.assertEqual(self.client.get(self.list_url).status_code, 404)
        self.award.refresh_from_db()
        self.assertFalse(self.award.is_revoked)

    def test_it_is_404_for_admins_of_other_organizations(self) -> None:
        self.client.force_login(self.olga)
        self.assertEqual(self.client.get(self.url).status_code, 404)
        self.assertEqual(self.client.post(self.url, {"reason": "x"}).status_code, 404)
        # The award is not reachable through her own organization's address either.
        url = reverse(
            "recognition:badge_revoke",
            kwargs={"org": "other", "award_id": self.award.pk},
        )
        self.assertEqual(self.client.post(url, {"reason": "x"}).status_code, 404)
        self.award.refresh_from_db()
        self.assertFalse(self.award.is_revoked)

    def test_it_lists_awards_for_admins(self) -> None:
        self.client.force_login(self.paula)
        r = self.client.get(self.list_url)
        self.assertContains(r, "First confirmed action")
        self.assertContains(r, "Alice Ally")
        self.assertContains(r, self.url)

    def test_the_wall_links_admins_to_the_awards(self) -> None:
        wall = reverse("recognition:wall", kwargs={"org": "northwind"})
        self.client.force_login(self.paula)
        self.assertContains(self.client.get(wall), self.list_url)
        self.client.force_login(self.bob)
        self.assertNotContains(self.client.get(wall), self.list_url)

    def test_a_revoked_badge_shows_its_reason_and_no_form(self) -> None:
        self.client.force_login(self.paula)
        self.client.post(self.url, {"reason": "First reason"})
        r = self.client.post(self.url, {"reason": "Second reason"})
        self.assertContains(r, "First reason")
        self.assertNotContains(r, 'name="reason"')
        self.assertEqual(BadgeAward.objects.get().revoke_reason, "First reason")
