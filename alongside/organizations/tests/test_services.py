from __future__ import annotations

from datetime import timedelta

import time_machine
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from alongside.accounts.models import User
from alongside.audit.models import AuditEvent
from alongside.lib.tokens import token_digest
from alongside.organizations import services
from alongside.organizations.invitation_csv import Invitee
from alongside.organizations.models import Invitation, Membership, Organization, Role
from alongside.test import BaseTestCase, make_member, make_user


class OrganizationCreateTestCase(BaseTestCase):
    def test_it_makes_the_creator_its_program_admin(self) -> None:
        creator = make_user()
        org = services.organization_create(
            creator=creator, name="Harbour Lab", slug="harbour-lab", description=""
        )
        membership = Membership.objects.get(organization=org, user=creator)
        self.assertEqual(membership.role, Role.PROGRAM_ADMIN)
        self.assertTrue(org.require_admin_mfa)
        self.assertTrue(
            AuditEvent.objects.filter(
                organization=org, action="organization.created", actor=creator
            ).exists()
        )

    def test_it_rejects_a_taken_slug_and_creates_nothing(self) -> None:
        creator = make_user()
        with self.assertRaises(ValidationError):
            services.organization_create(
                creator=creator, name="Again", slug="northwind"
            )
        self.assertFalse(Membership.objects.filter(user=creator).exists())

    def test_it_rejects_an_oversized_name(self) -> None:
        with self.assertRaises(ValidationError):
            services.organization_create(
                creator=make_user(), name="x" * 121, slug="long-name"
            )
        self.assertFalse(Organization.objects.filter(slug="long-name").exists())


class MembershipRulesTestCase(BaseTestCase):
    def _membership(self, user: User) -> Membership:
        return Membership.objects.get(organization=self.org, user=user)

    def test_it_changes_a_role_with_an_audit_event(self) -> None:
        m = self._membership(self.alice)
        services.membership_change_role(
            membership=m, role=Role.FACILITATOR, actor=self.paula
        )
        m.refresh_from_db()
        self.assertEqual(m.role, Role.FACILITATOR)
        event = AuditEvent.objects.get(action="membership.role_changed")
        self.assertEqual(event.data, {"from": "member", "to": "facilitator"})
        self.assertEqual(event.organization, self.org)
        self.assertEqual(event.actor, self.paula)

    def test_it_never_demotes_the_last_program_admin(self) -> None:
        m = self._membership(self.paula)
        with self.assertRaisesMessage(ValidationError, "only program admin"):
            services.membership_change_role(
                membership=m, role=Role.MEMBER, actor=self.paula
            )
        m.refresh_from_db()
        self.assertEqual(m.role, Role.PROGRAM_ADMIN)

    def test_it_never_removes_the_last_program_admin(self) -> None:
        m = self._membership(self.paula)
        with self.assertRaisesMessage(ValidationError, "only program admin"):
            services.membership_remove(membership=m, actor=self.paula)
        self.assertTrue(Membership.objects.filter(pk=m.pk).exists())

    def test_it_lets_an_admin_step_down_when_another_admin_exists(self) -> None:
        services.membership_change_role(
            membership=self._membership(self.fiona),
            role=Role.PROGRAM_ADMIN,
            actor=self.paula,
        )
        services.membership_change_role(
            membership=self._membership(self.paula), role=Role.MEMBER, actor=self.paula
        )
        self.assertEqual(self._membership(self.paula).role, Role.MEMBER)

    def test_it_removes_a_member_and_tells_them(self) -> None:
        m = self._membership(self.bob)
        services.membership_remove(membership=m, actor=self.paula)
        self.assertFalse(Membership.objects.filter(pk=m.pk).exists())
        self.assertTrue(
            AuditEvent.objects.filter(
                action="membership.removed", organization=self.org
            ).exists()
        )
        self.assertEqual(self.bob.notifications.count(), 1)


class InvitationTestCase(BaseTestCase):
    def _invite(
        self, email: str = "newcomer@example.net", **kwargs: object
    ) -> tuple[Invitation, str]:
        with self.captureOnCommitCallbacks(execute=True):
            invitation = services.invitation_create(
                organization=self.org,
                email=email,
                invited_by=self.paula,
                **kwargs,  # type: ignore[arg-type]
            )
        body = mail.outbox[-1].body
        token = body.split("/invitations/", 1)[1].split("/", 1)[0]
        return invitation, token

    def test_it_emails_a_single_use_link_and_stores_only_its_digest(self) -> None:
        invitation, token = self._invite(role=Role.MENTOR, name="Nia")
        self.assertEqual(len(mail.outbox), 1)
        message = mail.outbox[0]
        self.assertEqual(message.to, ["newcomer@example.net"])
        self.assertIn("Northwind Collective", message.subject)
        self.assertIn("Hello Nia", message.body)
        self.assertIn("Paula Admin invited you", message.body)
        self.assertIn("Mentor", message.body)
        self.assertEqual(invitation.token_digest, token_digest(token))
        self.assertNotIn(token, str(Invitation.objects.values_list()))
        self.assertAlmostEqual(
            invitation.expires_at - timezone.now(),
            timedelta(days=14),
            delta=timedelta(minutes=1),
        )

    def test_it_joins_with_the_invited_role(self) -> None:
        _invitation, token = self._invite(role=Role.FACILITATOR)
        newcomer = make_user("someone-else@example.com")
        membership = services.invitation_accept(token=token, user=newcomer)
        self.assertEqual(membership.organization, self.org)
        self.assertEqual(membership.role, Role.FACILITATOR)
        # The inviter hears about it.
        self.assertEqual(self.paula.notifications.count(), 1)

    def test_it_refuses_a_forged_token(self) -> None:
        self._invite()
        newcomer = make_user()
        with self.assertRaisesMessage(services.InvitationUnavailable, "not valid"):
            services.invitation_accept(token="forged-" + "a" * 36, user=newcomer)
        self.assertFalse(Membership.objects.filter(user=newcomer).exists())

    def test_it_refuses_an_expired_invitation(self) -> None:
        _invitation, token = self._invite()
        newcomer = make_user()
        with (
            time_machine.travel(timezone.now() + timedelta(days=15)),
            self.assertRaisesMessage(services.InvitationUnavailable, "expired"),
        ):
            services.invitation_accept(token=token, user=newcomer)
        self.assertFalse(Membership.objects.filter(user=newcomer).exists())

    def test_it_refuses_to_be_used_twice(self) -> None:
        _invitation, token = self._invite()
        services.invitation_accept(token=token, user=make_user())
        second = make_user()
        with self.assertRaisesMessage(
            services.InvitationUnavailable, "already been used"
        ):
            services.invitation_accept(token=token, user=second)
        self.assertFalse(Membership.objects.filter(user=second).exists())

    def test_it_refuses_a_revoked_invitation(self) -> None:
        invitation, token = self._invite()
        services.invitation_revoke(invitation=invitation, actor=self.paula)
        with self.assertRaisesMessage(services.InvitationUnavailable, "withdrawn"):
            services.invitation_accept(token=token, user=make_user())

    def test_resending_replaces_the_link(self) -> None:
        invitation, old_token = self._invite()
        with self.captureOnCommitCallbacks(execute=True):
            services.invitation_resend(invitation=invitation, actor=self.paula)
        new_token = mail.outbox[-1].body.split("/invitations/", 1)[1].split("/", 1)[0]
        self.assertNotEqual(old_token, new_token)
        with self.assertRaises(services.InvitationUnavailable):
            services.invitation_for_token(old_token)
        self.assertEqual(services.invitation_for_token(new_token).pk, invitation.pk)

    def test_inviting_the_same_address_again_refreshes_the_open_invitation(
        self,
    ) -> None:
        first, _ = self._invite("Repeat@Example.net")
        second, _ = self._invite("repeat@example.net", role=Role.MENTOR)
        self.assertEqual(first.pk, second.pk)
        self.assertEqual(
            Invitation.objects.filter(email="repeat@example.net").count(), 1
        )
        second.refresh_from_db()
        self.assertEqual(second.role, Role.MENTOR)

    def test_it_refuses_to_invite_a_member(self) -> None:
        with self.assertRaisesMessage(ValidationError, "already a member"):
            services.invitation_create(
                organization=self.org, email="ALICE@example.org", invited_by=self.paula
            )
        self.assertFalse(Invitation.objects.exists())

    def test_accepting_while_already_a_member_keeps_the_role(self) -> None:
        _invitation, token = self._invite(role=Role.PROGRAM_ADMIN)
        membership = services.invitation_accept(token=token, user=self.alice)
        self.assertEqual(membership.role, Role.MEMBER)

    def test_importing_rolls_back_entirely_when_one_invitation_fails(self) -> None:
        invitees = [
            Invitee(2, "fresh@example.net", Role.MEMBER, ""),
            Invitee(3, "alice@example.org", Role.MEMBER, ""),  # already a member
        ]
        with (
            self.captureOnCommitCallbacks(execute=True),
            self.assertRaises(ValidationError),
        ):
            services.invitations_import(
                organization=self.org, invitees=invitees, invited_by=self.paula
            )
        self.assertFalse(Invitation.objects.exists())
        self.assertEqual(mail.outbox, [])


class OrganizationJoinTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.org.join_domains = "northwind.example, @Partner.example"
        cls.org.save()

    def test_it_lets_a_verified_address_join_as_member(self) -> None:
        user = make_user("kim@northwind.example")
        self.assertEqual(Organization.objects.joinable_by(user), [self.org])
        membership = services.organization_join(organization=self.org, user=user)
        self.assertEqual(membership.role, Role.MEMBER)
        self.assertEqual(Organization.objects.joinable_by(user), [])

    def test_it_accepts_a_secondary_verified_address(self) -> None:
        user = make_user("kim@home.example")
        EmailAddress.objects.create(
            user=user, email="kim@partner.example", verified=True, primary=False
        )
        self.assertEqual(Organization.objects.joinable_by(user), [self.org])

    def test_it_ignores_unverified_addresses(self) -> None:
        user = make_user("kim@northwind.example", verified=False)
        self.assertEqual(Organization.objects.joinable_by(user), [])
        with self.assertRaises(ValidationError):
            services.organization_join(organization=self.org, user=user)
        self.assertFalse(Membership.objects.filter(user=user).exists())

    def test_it_does_not_match_a_lookalike_domain(self) -> None:
        user = make_user("kim@evil-northwind.example")
        self.assertEqual(Organization.objects.joinable_by(user), [])
        user2 = make_user("kim@northwind.example.evil")
        self.assertEqual(Organization.objects.joinable_by(user2), [])

    def test_it_refuses_someone_already_in(self) -> None:
        member = make_member(self.org, email="lee@northwind.example")
        with self.assertRaisesMessage(ValidationError, "already a member"):
            services.organization_join(organization=self.org, user=member)


class RoleGrantTestCase(BaseTestCase):
    """Every role records who granted it and when; every other program admin hears of
    a new admin, and sees the grants on the members page."""

    def test_a_role_change_records_the_grant_and_tells_the_other_admins(self) -> None:
        quentin = make_member(self.org, Role.PROGRAM_ADMIN, display_name="Quentin Q")
        bob_m = Membership.objects.get(organization=self.org, user=self.bob)
        with time_machine.travel(timezone.now() + timedelta(days=3), tick=False):
            with self.captureOnCommitCallbacks(execute=True):
                services.membership_change_role(
                    membership=bob_m, role=Role.PROGRAM_ADMIN, actor=self.paula
                )
            moment = timezone.now()
        bob_m.refresh_from_db()
        self.assertEqual(bob_m.role_granted_by, self.paula)
        self.assertEqual(bob_m.role_granted_at, moment)
        for admin in (self.paula, quentin):
            self.assertTrue(self._told(admin))
        self.assertIn(["paula@example.org"], [m.to for m in mail.outbox])
        # A role that is not admin is recorded too, and tells nobody else.
        alice_m = Membership.objects.get(organization=self.org, user=self.alice)
        services.membership_change_role(
            membership=alice_m, role=Role.MENTOR, actor=quentin
        )
        alice_m.refresh_from_db()
        self.assertEqual(alice_m.role_granted_by, quentin)
        self.assertFalse(self._told(quentin, "Alice Ally"))

    def _told(self, user: User, name: str = "Bob Member") -> bool:
        from alongside.notifications.models import Notification

        return Notification.objects.filter(
            user=user, message__contains=f"{name} was made a program admin"
        ).exists()

    def test_an_invitation_as_admin_records_the_inviter(self) -> None:
        invitation = services.invitation_create(
            organization=self.org,
            email="nina@example.org",
            invited_by=self.paula,
            role=Role.PROGRAM_ADMIN,
        )
        token = invitation.issue_token()
        invitation.save()
        nina = make_user("nina@example.org", display_name="Nina New")
        membership = services.invitation_accept(token=token, user=nina)
        self.assertEqual(membership.role_granted_by, self.paula)
        self.assertTrue(self._told(self.paula, "Nina New"))

    def test_creating_and_joining_are_self_grants(self) -> None:
        org = services.organization_create(creator=self.bob, name="B", slug="b-org")
        membership = Membership.objects.get(organization=org)
        self.assertEqual(membership.role_granted_by, self.bob)

    def test_the_members_page_shows_every_grant_to_every_admin(self) -> None:
        quentin = make_member(self.org, Role.PROGRAM_ADMIN, display_name="Quentin Q")
        services.membership_change_role(
            membership=Membership.objects.get(organization=self.org, user=self.bob),
            role=Role.PROGRAM_ADMIN,
            actor=self.paula,
        )
        self.client.force_login(quentin)
        page = self.client.get("/o/northwind/admin/members/").content.decode()
        self.assertIn("Role granted by", page)
        row = next(r for r in page.split("<tr>") if "Bob Member</a>" in r)
        self.assertIn("Paula Admin", row)
        alice_row = next(r for r in page.split("<tr>") if "Alice Ally</a>" in r)
        self.assertIn("not recorded", alice_row)

    def test_a_role_given_in_the_django_admin_is_recorded(self) -> None:
        from alongside.test import login_with_mfa

        root = User.objects.create_superuser("root@example.org", "pw")
        login_with_mfa(self.client, root)
        memberships = list(
            Membership.objects.filter(organization=self.org).order_by("id")
        )
        data: dict[str, str] = {
            "name": self.org.name,
            "slug": self.org.slug,
            "description": "",
            "join_domains": "",
            "min_group_size": str(self.org.min_group_size),
            "require_admin_mfa": "",
            "created_at_0": "2026-01-01",
            "created_at_1": "00:00:00",
            "memberships-TOTAL_FORMS": str(len(memberships)),
            "memberships-INITIAL_FORMS": str(len(memberships)),
            "memberships-MIN_NUM_FORMS": "0",
            "memberships-MAX_NUM_FORMS": "1000",
        }
        for i, m in enumerate(memberships):
            role = Role.PROGRAM_ADMIN if m.user_id == self.bob.pk else m.role
            data.update(
                {
                    f"memberships-{i}-id": str(m.pk),
                    f"memberships-{i}-organization": str(self.org.pk),
                    f"memberships-{i}-user": str(m.user_id),
                    f"memberships-{i}-role": role,
                    f"memberships-{i}-joined_at_0": m.joined_at.strftime("%Y-%m-%d"),
                    f"memberships-{i}-joined_at_1": m.joined_at.strftime("%H:%M:%S"),
                }
            )
        r = self.client.post(
            f"/admin/organizations/organization/{self.org.pk}/change/", data
        )
        self.assertEqual(r.status_code, 302, r.content.decode()[-3000:])
        bob_m = Membership.objects.get(organization=self.org, user=self.bob)
        self.assertEqual(bob_m.role, Role.PROGRAM_ADMIN)
        self.assertEqual(bob_m.role_granted_by, root)
        alice_m = Membership.objects.get(organization=self.org, user=self.alice)
        self.assertIsNone(alice_m.role_granted_by)
