from __future__ import annotations

from alongside.accounts.models import User
from alongside.audit.models import AuditEvent
from alongside.concerns.models import Concern, ConcernNote
from alongside.organizations.models import Role
from alongside.test import BaseTestCase, make_member

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def make_concern(organization, **fields) -> Concern:
    fields.setdefault("subject_name", "Dave Example")
    fields.setdefault("description", "He talked over her in every meeting.")
    return Concern.objects.create(organization=organization, **fields)


class QueueTestCase(BaseTestCase):
    concern: Concern
    queue_url: str
    detail_url: str

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.concern = make_concern(cls.org, description=f"Payload {XSS}")
        cls.queue_url = "/o/northwind/concerns/"
        cls.detail_url = f"/o/northwind/concerns/{cls.concern.pk}/"

    def test_it_lists_open_concerns_for_program_admins(self) -> None:
        make_concern(self.org, subject_name="Resolved Person", status="resolved")
        self.client.force_login(self.paula)
        r = self.client.get(self.queue_url)
        self.assertContains(r, self.concern.reference)
        self.assertNotContains(r, "Resolved Person")
        r = self.client.get(self.queue_url, {"status": "resolved"})
        self.assertContains(r, "Resolved Person")
        self.assertNotContains(r, self.concern.reference)
        r = self.client.get(self.queue_url, {"status": "all"})
        self.assertContains(r, "Resolved Person")
        self.assertContains(r, self.concern.reference)

    def test_it_finds_a_concern_by_reference(self) -> None:
        other = make_concern(self.org, subject_name="Someone Else")
        self.client.force_login(self.paula)
        r = self.client.get(self.queue_url, {"reference": other.reference.lower()})
        self.assertContains(r, "Someone Else")
        self.assertNotContains(r, self.concern.reference)

    def test_it_paginates(self) -> None:
        for i in range(30):
            make_concern(self.org, subject_name=f"Paged {i:02d}")
        self.client.force_login(self.paula)
        r = self.client.get(self.queue_url)
        self.assertEqual(len(r.context["page_obj"].object_list), 25)
        self.assertContains(r, "Page 1 of 2")
        r = self.client.get(self.queue_url, {"page": 2})
        self.assertEqual(len(r.context["page_obj"].object_list), 6)

    def test_it_is_404_for_members_who_are_not_admins(self) -> None:
        for user in (self.alice, self.fiona):
            self.client.force_login(user)
            self.assertEqual(self.client.get(self.queue_url).status_code, 404)
            self.assertEqual(self.client.get(self.detail_url).status_code, 404)

    def test_it_is_404_across_organizations(self) -> None:
        for user in (self.olga, self.oscar):
            self.client.force_login(user)
            self.assertEqual(self.client.get(self.queue_url).status_code, 404)
            self.assertEqual(self.client.get(self.detail_url).status_code, 404)
        # Olga's own queue never shows another organization's concern.
        self.client.force_login(self.olga)
        r = self.client.get("/o/other/concerns/", {"status": "all"})
        self.assertNotContains(r, self.concern.reference)
        r = self.client.get(f"/o/other/concerns/{self.concern.pk}/")
        self.assertEqual(r.status_code, 404)

    def test_it_sends_anonymous_visitors_to_log_in(self) -> None:
        r = self.client.get(self.queue_url)
        self.assertEqual(r.status_code, 302)
        self.assertIn("/accounts/login/", r["Location"])

    def test_it_audits_reading_the_queue_and_a_concern(self) -> None:
        self.client.force_login(self.paula)
        self.client.get(self.queue_url)
        event = AuditEvent.objects.get(action="concern.queue_viewed")
        self.assertEqual(event.actor, self.paula)
        self.assertEqual(event.organization, self.org)

        r = self.client.get(self.detail_url, REMOTE_ADDR="192.0.2.7")
        self.assertEqual(r.status_code, 200)
        event = AuditEvent.objects.get(action="concern.viewed")
        self.assertEqual(event.actor, self.paula)
        self.assertEqual(event.target_id, str(self.concern.pk))
        self.assertEqual(event.ip, "192.0.2.7")
        self.assertEqual(event.data, {"reference": self.concern.reference})
        # The concern page shows its own trail, this reading included.
        self.assertContains(r, "Read a concern")

    def test_its_pages_are_never_cached(self) -> None:
        self.client.force_login(self.paula)
        for url in (self.queue_url, self.detail_url):
            self.assertIn("no-store", self.client.get(url)["Cache-Control"])
        self.assertIn(
            "no-store", self.client.get("/o/northwind/concerns/new/")["Cache-Control"]
        )

    def test_it_renders_the_text_inert(self) -> None:
        self.client.force_login(self.paula)
        r = self.client.get(self.detail_url)
        self.assertNotContains(r, "<script>alert")
        self.assertNotContains(r, "<img src=x")
        self.assertContains(r, "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;")

    def test_it_shows_who_raised_a_linked_concern_and_the_reply_address(self) -> None:
        make_concern(self.org, reporter=self.alice, contact_email="alice@example.org")
        concern = Concern.objects.get(reporter=self.alice)
        self.client.force_login(self.paula)
        r = self.client.get(f"/o/northwind/concerns/{concern.pk}/")
        self.assertContains(r, "Alice Ally")
        self.assertContains(r, "alice@example.org")
        r = self.client.get(self.detail_url)
        self.assertContains(r, "Not linked to an account")


class SubjectAdminTestCase(BaseTestCase):
    """A concern about a program admin is invisible to that admin, everywhere."""

    second_admin: User
    about_paula: Concern
    url: str

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.second_admin = make_member(
            cls.org, Role.PROGRAM_ADMIN, display_name="Second Admin"
        )
        cls.about_paula = make_concern(
            cls.org, subject_member=cls.paula, subject_name="Paula Admin"
        )
        cls.url = f"/o/northwind/concerns/{cls.about_paula.pk}/"

    def test_the_queue_leaves_it_out_for_the_admin_it_is_about(self) -> None:
        self.client.force_login(self.paula)
        r = self.client.get("/o/northwind/concerns/", {"status": "all"})
        self.assertNotContains(r, self.about_paula.reference)
        r = self.client.get(
            "/o/northwind/concerns/",
            {"status": "all", "reference": self.about_paula.reference},
        )
        self.assertEqual(list(r.context["page_obj"].object_list), [])
        self.assertContains(r, "No concerns match")

    def test_the_admin_it_is_about_gets_404_for_every_page(self) -> None:
        self.client.force_login(self.paula)
        self.assertEqual(self.client.get(self.url).status_code, 404)
        r = self.client.post(self.url + "note/", {"status": "dismissed", "text": "x"})
        self.assertEqual(r.status_code, 404)
        r = self.client.post(self.url + "assign/", {"assigned_to": self.paula.pk})
        self.assertEqual(r.status_code, 404)
        self.about_paula.refresh_from_db()
        self.assertEqual(self.about_paula.status, Concern.Status.NEW)
        self.assertIsNone(self.about_paula.assigned_to)
        self.assertFalse(AuditEvent.objects.filter(actor=self.paula).exists())

    def test_the_organization_audit_log_does_not_hint_at_it(self) -> None:
        self.client.force_login(self.second_admin)
        self.client.get(self.url)
        self.client.post(
            self.url + "note/", {"status": "in_review", "text": "Looking into it."}
        )
        self.assertTrue(
            AuditEvent.objects.filter(action__startswith="concern.").exists()
        )
        self.client.logout()
        self.client.force_login(self.paula)
        r = self.client.get("/o/northwind/admin/audit/")
        self.assertEqual(r.status_code, 200)
        actions = [event.action for event in r.context["page_obj"]]
        self.assertFalse([a for a in actions if a.startswith("concern.")], actions)
        self.assertNotContains(r, self.about_paula.reference)

    def test_another_admin_handles_it_but_cannot_assign_it_to_its_subject(self) -> None:
        self.client.force_login(self.second_admin)
        r = self.client.get(self.url)
        self.assertEqual(r.status_code, 200)
        self.assertNotContains(r, f'<option value="{self.paula.pk}"')
        r = self.client.post(self.url + "assign/", {"assigned_to": self.paula.pk})
        self.assertEqual(r.status_code, 400)
        self.assertContains(r, "Select a valid choice", status_code=400)
        self.about_paula.refresh_from_db()
        self.assertIsNone(self.about_paula.assigned_to)


class HandlingTestCase(BaseTestCase):
    second_admin: User
    concern: Concern
    url: str

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.second_admin = make_member(
            cls.org, Role.PROGRAM_ADMIN, display_name="Second Admin"
        )
        cls.concern = make_concern(cls.org)
        cls.url = f"/o/northwind/concerns/{cls.concern.pk}/"

    def setUp(self) -> None:
        self.client.force_login(self.paula)

    def test_it_changes_the_status_with_a_note(self) -> None:
        r = self.client.post(
            self.url + "note/", {"status": "in_review", "text": "Talking to both."}
        )
        self.assertRedirects(r, self.url)
        self.concern.refresh_from_db()
        self.assertEqual(self.concern.status, Concern.Status.IN_REVIEW)
        note = ConcernNote.objects.get()
        self.assertEqual(note.author, self.paula)
        self.assertEqual((note.status_from, note.status_to), ("new", "in_review"))
        event = AuditEvent.objects.get(action="concern.status_changed")
        self.assertEqual(event.actor, self.paula)
        self.assertEqual(event.data["from"], "new")
        self.assertEqual(event.data["to"], "in_review")
        self.assertNotIn("Talking", str(event.data))
        r = self.client.get(self.url)
        self.assertContains(r, "Talking to both.")
        self.assertContains(r, "Changed a concern&#x27;s status")

    def test_it_adds_a_note_without_a_status_change(self) -> None:
        self.client.post(self.url + "note/", {"status": "new", "text": "First look."})
        self.assertEqual(ConcernNote.objects.get().status_to, "new")
        self.assertTrue(AuditEvent.objects.filter(action="concern.note_added").exists())
        self.assertFalse(
            AuditEvent.objects.filter(action="concern.status_changed").exists()
        )

    def test_it_requires_a_note_for_a_status_change(self) -> None:
        r = self.client.post(self.url + "note/", {"status": "dismissed", "text": "  "})
        self.assertEqual(r.status_code, 400)
        self.assertContains(r, "This field is required", status_code=400)
        self.concern.refresh_from_db()
        self.assertEqual(self.concern.status, Concern.Status.NEW)
        self.assertFalse(ConcernNote.objects.exists())

    def test_it_rejects_an_unknown_status_and_overlong_notes(self) -> None:
        r = self.client.post(self.url + "note/", {"status": "deleted", "text": "x"})
        self.assertContains(r, "Select a valid choice", status_code=400)
        r = self.client.post(
            self.url + "note/", {"status": "resolved", "text": "n" * 5001}
        )
        self.assertContains(r, "at most 5000 characters", status_code=400)
        self.assertFalse(ConcernNote.objects.exists())

    def test_it_assigns_to_an_admin_and_back_to_nobody(self) -> None:
        r = self.client.post(
            self.url + "assign/", {"assigned_to": self.second_admin.pk}
        )
        self.assertRedirects(r, self.url)
        self.concern.refresh_from_db()
        self.assertEqual(self.concern.assigned_to, self.second_admin)
        event = AuditEvent.objects.get(action="concern.assigned")
        self.assertEqual(event.data["assigned_to"], self.second_admin.pk)
        self.client.post(self.url + "assign/", {"assigned_to": ""})
        self.concern.refresh_from_db()
        self.assertIsNone(self.concern.assigned_to)

    def test_it_assigns_only_to_program_admins(self) -> None:
        for user in (self.bob, self.olga):
            r = self.client.post(self.url + "assign/", {"assigned_to": user.pk})
            self.assertEqual(r.status_code, 400)
        self.concern.refresh_from_db()
        self.assertIsNone(self.concern.assigned_to)

    def test_changes_need_post(self) -> None:
        self.assertEqual(self.client.get(self.url + "note/").status_code, 405)
        self.assertEqual(self.client.get(self.url + "assign/").status_code, 405)
