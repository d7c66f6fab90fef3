from __future__ import annotations

from alongside.audit.models import ACTION_LABELS, AuditEvent, register_action_labels
from alongside.audit.privacy import export_user_data
from alongside.audit.services import audit_record
from alongside.test import BaseTestCase


class AuditEventTestCase(BaseTestCase):
    def test_it_is_append_only(self) -> None:
        event = audit_record(action="membership.removed", actor=self.paula)
        with self.assertRaises(PermissionError):
            event.save()
        with self.assertRaises(PermissionError):
            event.delete()
        with self.assertRaises(PermissionError):
            AuditEvent.objects.filter(pk=event.pk).update(action="x")
        with self.assertRaises(PermissionError):
            AuditEvent.objects.filter(pk=event.pk).delete()

    def test_it_describes_actions_for_people(self) -> None:
        known = audit_record(action="membership.removed")
        self.assertEqual(known.action_label, "Removed a member")
        unknown = audit_record(action="example.thing_done")
        self.assertEqual(unknown.action_label, "example.thing done")
        register_action_labels({"example.thing_done": "Did the thing"})
        self.addCleanup(ACTION_LABELS.pop, "example.thing_done")
        self.assertEqual(unknown.action_label, "Did the thing")

    def test_deleting_the_actor_keeps_the_event(self) -> None:
        event = audit_record(action="membership.removed", actor=self.bob)
        self.bob.delete()
        event = AuditEvent.objects.get(pk=event.pk)
        self.assertIsNone(event.actor_id)

    def test_the_export_lists_only_my_own_acts(self) -> None:
        audit_record(
            action="organization.created", actor=self.alice, organization=self.org
        )
        audit_record(action="membership.removed", actor=self.bob, organization=self.org)
        data = export_user_data(self.alice)
        self.assertEqual(
            [e["action"] for e in data["actions_recorded"]], ["organization.created"]
        )
