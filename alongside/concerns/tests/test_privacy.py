from __future__ import annotations

import json

from alongside.concerns.models import Concern, ConcernNote
from alongside.concerns.privacy import erase_user_data, export_user_data
from alongside.test import BaseTestCase


class ConcernPrivacyTestCase(BaseTestCase):
    raised: Concern
    about_alice: Concern
    unlinked: Concern

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.raised = Concern.objects.create(
            organization=cls.org,
            reporter=cls.alice,
            subject_name="Dave Example",
            description="Alice's own account of what happened.",
            contact_email="alice.private@example.org",
        )
        cls.about_alice = Concern.objects.create(
            organization=cls.org,
            reporter=cls.bob,
            subject_member=cls.alice,
            subject_name="Alice Ally",
            description="Bob's words about Alice.",
        )
        cls.unlinked = Concern.objects.create(
            organization=cls.org,
            subject_name="Someone",
            description="Raised by Alice without linking her account.",
        )
        ConcernNote.objects.create(
            concern=cls.about_alice, author=cls.paula, text="Admin's internal note."
        )

    def test_the_export_holds_only_what_the_person_raised_while_linked(self) -> None:
        data = export_user_data(self.alice)
        json.dumps(data)  # serialisable
        self.assertEqual(len(data["concerns_raised"]), 1)
        item = data["concerns_raised"][0]
        self.assertEqual(item["reference"], self.raised.reference)
        self.assertEqual(item["what_happened"], "Alice's own account of what happened.")
        self.assertEqual(item["organization"], "Northwind Collective")
        dumped = json.dumps(data)
        # Never concerns about her, who raised them, or what admins wrote.
        self.assertNotIn("Bob", dumped)
        self.assertNotIn(self.about_alice.reference, dumped)
        self.assertNotIn("internal note", dumped)
        self.assertNotIn("without linking", dumped)
        self.assertNotIn("status", dumped)

    def test_an_admins_export_has_no_concern_they_handled(self) -> None:
        dumped = json.dumps(export_user_data(self.paula))
        self.assertNotIn("Admin's internal note", dumped)
        self.assertNotIn("Bob's words", dumped)

    def test_erasure_detaches_the_reporter_and_keeps_the_text(self) -> None:
        erase_user_data(self.alice)
        self.alice.delete()
        self.raised.refresh_from_db()
        self.assertIsNone(self.raised.reporter)
        self.assertEqual(self.raised.contact_email, "")
        self.assertEqual(
            self.raised.description, "Alice's own account of what happened."
        )
        # A concern about her stays with the admins, with the name as it was given.
        self.about_alice.refresh_from_db()
        self.assertIsNone(self.about_alice.subject_member)
        self.assertEqual(self.about_alice.subject_name, "Alice Ally")
        self.assertEqual(self.about_alice.reporter, self.bob)

    def test_an_erased_admins_notes_stay_without_an_author(self) -> None:
        erase_user_data(self.paula)
        self.paula.delete()
        note = ConcernNote.objects.get()
        self.assertIsNone(note.author)
        self.assertEqual(note.text, "Admin's internal note.")
