from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError

from alongside.concerns.models import Concern
from alongside.concerns.services import (
    ConcernError,
    concern_add_note,
    concern_assign,
    concern_raise,
)
from alongside.test import BaseTestCase


class ConcernServicesTestCase(BaseTestCase):
    def _raise(self, **overrides):
        fields: dict[str, Any] = {
            "organization": self.org,
            "reporter": None,
            "subject_member": None,
            "subject_name": "Dave",
            "description": "What happened.",
            "contact_email": "",
        }
        fields.update(overrides)
        return concern_raise(**fields)

    def test_it_refuses_a_subject_from_another_organization(self) -> None:
        with self.assertRaises(ConcernError):
            self._raise(subject_member=self.oscar)
        self.assertFalse(Concern.objects.exists())

    def test_it_validates_lengths_even_without_the_form(self) -> None:
        with self.assertRaises(ValidationError):
            self._raise(description="x" * 5001)
        self.assertFalse(Concern.objects.exists())

    def test_the_subject_cannot_handle_their_own_concern(self) -> None:
        concern = self._raise(subject_member=self.paula, subject_name="")
        with self.assertRaises(ConcernError):
            concern_add_note(
                concern=concern, author=self.paula, text="Dismiss", status="dismissed"
            )
        with self.assertRaises(ConcernError):
            concern_assign(concern=concern, assignee=None, actor=self.paula)
        concern.refresh_from_db()
        self.assertEqual(concern.status, Concern.Status.NEW)
        self.assertFalse(concern.notes.exists())

    def test_it_assigns_only_to_admins_who_are_not_the_subject(self) -> None:
        concern = self._raise(subject_member=self.bob, subject_name="")
        with self.assertRaises(ConcernError):
            concern_assign(concern=concern, assignee=self.bob, actor=self.paula)
        with self.assertRaises(ConcernError):
            concern_assign(concern=concern, assignee=self.fiona, actor=self.paula)
        with self.assertRaises(ConcernError):
            concern_assign(concern=concern, assignee=self.olga, actor=self.paula)
        concern_assign(concern=concern, assignee=self.paula, actor=self.paula)
        concern.refresh_from_db()
        self.assertEqual(concern.assigned_to, self.paula)
