from __future__ import annotations

from unittest.mock import patch

from django.core import mail
from django.core.cache import cache
from django.test import override_settings

from alongside.audit.models import AuditEvent
from alongside.concerns.models import Concern, new_reference
from alongside.notifications.models import Notification
from alongside.organizations.models import Role
from alongside.test import BaseTestCase, make_member

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


class RaiseConcernTestCase(BaseTestCase):
    url = "/o/northwind/concerns/new/"

    def setUp(self) -> None:
        cache.clear()

    def _post(self, **overrides: str):
        data = {
            "subject_name": "Dave Example",
            "description": "He talked over her in every meeting this week.",
            "contact_email": "",
            "website": "",
        }
        data.update(overrides)
        with self.captureOnCommitCallbacks(execute=True):
            return self.client.post(self.url, data)

    def test_it_shows_the_form_to_anonymous_visitors(self) -> None:
        r = self.client.get(self.url)
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "Raise a concern with Northwind Collective")
        self.assertContains(r, "Who will read it")
        # A visitor can't pick a member: the member list stays inside the organization.
        self.assertNotContains(r, 'name="subject_member"')
        self.assertNotContains(r, "Alice Ally")

    def test_it_returns_404_for_an_unknown_organization(self) -> None:
        self.assertEqual(self.client.get("/o/nope/concerns/new/").status_code, 404)

    def test_it_stores_an_anonymous_concern_and_thanks_with_a_reference(self) -> None:
        r = self._post()
        self.assertRedirects(
            r, "/o/northwind/concerns/thanks/", fetch_redirect_response=False
        )
        concern = Concern.objects.get()
        self.assertEqual(concern.organization, self.org)
        self.assertIsNone(concern.reporter)
        self.assertEqual(concern.subject_name, "Dave Example")
        self.assertEqual(concern.status, Concern.Status.NEW)
        self.assertRegex(concern.reference, r"^C-[A-Z2-9]{4}-[A-Z2-9]{4}$")

        r = self.client.get("/o/northwind/concerns/thanks/")
        self.assertContains(r, concern.reference)
        # Nothing the reporter wrote is echoed back.
        self.assertNotContains(r, "Dave Example")
        self.assertNotContains(r, "talked over her")
        # The reference is shown once.
        r = self.client.get("/o/northwind/concerns/thanks/")
        self.assertNotContains(r, concern.reference)

    def test_references_are_random_not_sequential(self) -> None:
        references = set()
        for i in range(4):
            self._post(subject_name=f"Person {i}")
            references.add(Concern.objects.latest("id").reference)
        self.assertEqual(len(references), 4)
        # Drawn from ~8.5e11 values, so a reference says nothing about how many exist.
        with patch(
            "alongside.concerns.models.secrets.choice", side_effect=list("ABCDEFGH")
        ):
            self.assertEqual(new_reference(), "C-ABCD-EFGH")

    def test_it_notifies_admins_without_the_content(self) -> None:
        self._post()
        notification = Notification.objects.get(user=self.paula)
        self.assertEqual(notification.kind, Notification.Kind.CONCERN)
        self.assertEqual(notification.url, "/o/northwind/concerns/")
        self.assertNotIn("Dave", notification.message)
        # Only program admins of this organization hear about it.
        self.assertFalse(Notification.objects.exclude(user=self.paula).exists())
        self.assertEqual(len(mail.outbox), 1)
        message = mail.outbox[0]
        self.assertEqual(message.to, ["paula@example.org"])
        self.assertIn("concern queue", message.body)
        self.assertIn("/o/northwind/concerns/", message.body)
        text = f"{message.subject}\n{message.body}"
        self.assertNotIn("Dave", text)
        self.assertNotIn("talked over", text)

    def test_it_audits_the_raise_without_actor_or_ip_when_anonymous(self) -> None:
        self._post()
        event = AuditEvent.objects.get(action="concern.raised")
        self.assertIsNone(event.actor)
        self.assertIsNone(event.ip)
        self.assertEqual(event.organization, self.org)
        self.assertNotIn("Dave", str(event.data))

    def test_it_links_a_signed_in_reporter(self) -> None:
        self.client.force_login(self.oscar)  # an outsider may raise a concern too
        self._post()
        concern = Concern.objects.get()
        self.assertEqual(concern.reporter, self.oscar)
        self.assertIsNone(concern.subject_member)
        # Every program admin reads the audit log, so it never names the reporter.
        event = AuditEvent.objects.get(action="concern.raised")
        self.assertIsNone(event.actor)
        self.assertIsNone(event.ip)
        self.assertEqual(event.data["linked_account"], True)

    def test_a_signed_in_reporter_can_stay_unlinked(self) -> None:
        self.client.force_login(self.alice)
        self._post(stay_unlinked="on")
        concern = Concern.objects.get()
        self.assertIsNone(concern.reporter)
        event = AuditEvent.objects.get(action="concern.raised")
        self.assertIsNone(event.actor)

    def test_a_member_can_pick_the_member_it_is_about(self) -> None:
        self.client.force_login(self.alice)
        r = self.client.get(self.url)
        self.assertContains(r, 'name="subject_member"')
        self.assertContains(r, "Bob Member")
        self.assertNotContains(r, "Olga Outsider")  # other organizations' members
        self._post(subject_member=str(self.bob.pk), subject_name="")
        concern = Concern.objects.get()
        self.assertEqual(concern.subject_member, self.bob)
        self.assertEqual(concern.subject_name, "Bob Member")

    def test_a_member_cannot_pick_someone_from_another_organization(self) -> None:
        self.client.force_login(self.alice)
        r = self._post(subject_member=str(self.oscar.pk), subject_name="")
        self.assertEqual(r.status_code, 400)
        self.assertFalse(Concern.objects.exists())

    def test_an_outsider_cannot_pick_a_member(self) -> None:
        self.client.force_login(self.oscar)
        r = self.client.get(self.url)
        self.assertNotContains(r, 'name="subject_member"')
        # A forged field is ignored: the free-text name is what counts.
        self._post(subject_member=str(self.bob.pk), subject_name="Somebody")
        concern = Concern.objects.get()
        self.assertIsNone(concern.subject_member)
        self.assertEqual(concern.subject_name, "Somebody")

    def test_an_admin_named_as_subject_is_not_notified(self) -> None:
        other_admin = make_member(
            self.org, Role.PROGRAM_ADMIN, display_name="Second Admin"
        )
        self.client.force_login(self.alice)
        self._post(subject_member=str(self.paula.pk), subject_name="")
        self.assertFalse(Notification.objects.filter(user=self.paula).exists())
        self.assertTrue(Notification.objects.filter(user=other_admin).exists())
        self.assertEqual([m.to for m in mail.outbox], [[other_admin.email]])

    def test_it_requires_whom_and_what(self) -> None:
        r = self._post(subject_name="", description="")
        self.assertEqual(r.status_code, 400)
        self.assertContains(r, "Say whom the concern is about", status_code=400)
        self.assertContains(r, "This field is required", status_code=400)
        self.assertFalse(Concern.objects.exists())

    def test_it_rejects_overlong_text(self) -> None:
        r = self._post(description="x" * 5001)
        self.assertContains(r, "at most 5000 characters (it has 5001)", status_code=400)
        r = self._post(subject_name="y" * 121)
        self.assertContains(r, "at most 120 characters", status_code=400)
        self.assertFalse(Concern.objects.exists())

    def test_it_rejects_a_bad_email(self) -> None:
        r = self._post(contact_email="not-an-email")
        self.assertContains(r, "Enter a valid email address", status_code=400)
        self.assertFalse(Concern.objects.exists())

    def test_it_rejects_a_filled_honeypot(self) -> None:
        r = self._post(website="http://spam.example")
        self.assertEqual(r.status_code, 400)
        self.assertContains(r, "leave the last field empty", status_code=400)
        self.assertFalse(Concern.objects.exists())
        self.assertFalse(Notification.objects.exists())

    def test_the_honeypot_is_hidden_from_people(self) -> None:
        r = self.client.get(self.url)
        self.assertContains(r, "<div hidden>")
        self.assertContains(r, 'name="website"')

    @override_settings(CONCERNS_PER_IP_PER_HOUR=5)
    def test_it_limits_concerns_per_ip_and_organization(self) -> None:
        import time_machine

        with time_machine.travel("2026-03-01 10:00Z", tick=False):
            for i in range(5):
                r = self._post(subject_name=f"Person {i}")
                self.assertEqual(r.status_code, 302, i)
            r = self._post(subject_name="Person 6")
            self.assertEqual(r.status_code, 429)
            self.assertContains(r, "Too many concerns", status_code=429)
            self.assertContains(r, "Nothing was saved", status_code=429)
            self.assertEqual(Concern.objects.count(), 5)

            # Another address, or another organization, has its own allowance.
            with self.captureOnCommitCallbacks(execute=True):
                r = self.client.post(
                    self.url,
                    {"subject_name": "X", "description": "y", "website": ""},
                    REMOTE_ADDR="10.9.9.9",
                )
            self.assertEqual(r.status_code, 302)
            with self.captureOnCommitCallbacks(execute=True):
                r = self.client.post(
                    "/o/other/concerns/new/",
                    {"subject_name": "X", "description": "y", "website": ""},
                )
            self.assertEqual(r.status_code, 302)

    def test_the_limit_frees_up_after_an_hour(self) -> None:
        import time_machine

        with time_machine.travel("2026-03-01 10:00Z", tick=False):
            for i in range(5):
                self._post(subject_name=f"Person {i}")
            self.assertEqual(self._post().status_code, 429)
        with time_machine.travel("2026-03-01 11:01Z", tick=False):
            self.assertEqual(self._post().status_code, 302)

    def test_a_members_form_shows_the_organization_navigation(self) -> None:
        self.client.force_login(self.alice)
        r = self.client.get(self.url)
        self.assertContains(r, "/o/northwind/pledges/mine/")
        self.client.force_login(self.oscar)
        r = self.client.get(self.url)
        self.assertNotContains(r, "/o/northwind/pledges/mine/")
