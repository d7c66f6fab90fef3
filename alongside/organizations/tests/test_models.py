"""The doors other apps use to ask "is he a member, and as what?"."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from alongside.audit.models import AuditEvent
from alongside.audit.services import audit_record
from alongside.organizations.models import Membership, Role
from alongside.test import BaseTestCase, make_member, make_organization, make_user


class MembershipDoorsTestCase(BaseTestCase):
    def test_of_finds_his_membership_in_that_organization_only(self) -> None:
        other = make_organization("Elsewhere", slug="elsewhere")
        amir = make_member(other, Role.PROGRAM_ADMIN, email="amir@example.org")
        self.assertEqual(
            list(Membership.objects.of(self.alice, self.org)),
            [self.alice.memberships.get(organization=self.org)],
        )
        self.assertFalse(Membership.objects.of(amir, self.org).exists())
        self.assertTrue(Membership.objects.of(amir.pk, other.pk).admins().exists())
        self.assertEqual(Membership.objects.of_user(amir).count(), 1)

    def test_has_member(self) -> None:
        outsider = make_user(email="out@example.org")
        self.assertTrue(self.org.has_member(self.alice))
        self.assertTrue(self.org.has_member(self.alice.pk))
        self.assertFalse(self.org.has_member(outsider))
        self.assertFalse(self.org.has_member(AnonymousUser()))


class AuditDoorTestCase(BaseTestCase):
    def test_for_organization_keeps_to_that_organization(self) -> None:
        other = make_organization("Elsewhere", slug="elsewhere")
        audit_record(
            action="membership.role_changed", actor=None, organization=self.org
        )
        audit_record(action="membership.role_changed", actor=None, organization=other)
        self.assertEqual(
            {e.organization_id for e in AuditEvent.objects.for_organization(self.org)},
            {self.org.pk},
        )
        self.assertEqual(AuditEvent.objects.for_organization(other.pk).count(), 1)
