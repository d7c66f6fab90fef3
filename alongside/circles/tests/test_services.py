from __future__ import annotations

from django.core import mail
from django.core.exceptions import ValidationError

from alongside.accounts.models import User
from alongside.audit.models import AuditEvent
from alongside.circles import services
from alongside.circles.models import (
    Circle,
    CircleInvitation,
    CircleMembership,
    Goal,
    JoinRequest,
)
from alongside.circles.tests.helpers import make_circle
from alongside.notifications.models import Notification
from alongside.organizations.models import Membership
from alongside.organizations.services import membership_remove
from alongside.test import BaseTestCase


class CircleCreateTestCase(BaseTestCase):
    def test_a_facilitator_creates_a_circle_and_facilitates_it(self) -> None:
        circle = services.circle_create(
            organization=self.org,
            creator=self.fiona,
            name="Men for fair rotas",
            kind=Circle.Kind.ADVOCACY,
        )
        self.assertEqual(circle.slug, "men-for-fair-rotas")
        self.assertTrue(circle.is_facilitator(self.fiona))
        self.assertTrue(
            AuditEvent.objects.filter(
                action="circle.created", organization=self.org
            ).exists()
        )

    def test_a_program_admin_creates_a_circle(self) -> None:
        circle = services.circle_create(
            organization=self.org, creator=self.paula, name="Dads", kind="support"
        )
        self.assertTrue(circle.is_facilitator(self.paula))

    def test_a_member_cannot_create_a_circle(self) -> None:
        with self.assertRaises(services.NotAllowed):
            services.circle_create(
                organization=self.org, creator=self.alice, name="X", kind="advocacy"
            )
        self.assertFalse(Circle.objects.exists())

    def test_an_outsider_cannot_create_a_circle_in_another_organization(self) -> None:
        with self.assertRaises(services.NotAllowed):
            services.circle_create(
                organization=self.org, creator=self.olga, name="X", kind="advocacy"
            )

    def test_same_names_get_distinct_slugs_and_reserved_words_are_avoided(self) -> None:
        first = services.circle_create(
            organization=self.org, creator=self.fiona, name="Rotas", kind="advocacy"
        )
        second = services.circle_create(
            organization=self.org, creator=self.fiona, name="Rotas", kind="advocacy"
        )
        reserved = services.circle_create(
            organization=self.org, creator=self.fiona, name="New", kind="advocacy"
        )
        self.assertEqual((first.slug, second.slug), ("rotas", "rotas-2"))
        self.assertEqual(reserved.slug, "new-2")

    def test_an_unlisted_circle_must_be_by_invitation(self) -> None:
        with self.assertRaises(ValidationError) as e:
            services.circle_create(
                organization=self.org,
                creator=self.fiona,
                name="New fathers",
                kind="support",
                listing=Circle.Listing.UNLISTED,
                join_policy=Circle.JoinPolicy.OPEN,
            )
        self.assertIn("join_policy", e.exception.message_dict)
        self.assertFalse(Circle.objects.exists())


class JoinTestCase(BaseTestCase):
    def test_a_member_joins_an_open_circle_and_joining_twice_is_harmless(self) -> None:
        circle = make_circle(self.org, self.fiona, join_policy="open")
        first = services.circle_join(circle=circle, user=self.alice)
        second = services.circle_join(circle=circle, user=self.alice)
        self.assertEqual(first.pk, second.pk)
        self.assertEqual(circle.memberships.filter(user=self.alice).count(), 1)
        self.assertTrue(circle.is_member(self.alice))
        self.assertTrue(circle.can_post(self.alice))

    def test_a_non_member_of_the_organization_cannot_join(self) -> None:
        circle = make_circle(self.org, self.fiona, join_policy="open")
        with self.assertRaises(services.NotAllowed):
            services.circle_join(circle=circle, user=self.oscar)
        self.assertFalse(circle.is_member(self.oscar))

    def test_a_circle_by_request_cannot_be_joined_directly(self) -> None:
        circle = make_circle(self.org, self.fiona, join_policy="request")
        with self.assertRaises(ValidationError):
            services.circle_join(circle=circle, user=self.alice)
        self.assertFalse(circle.is_member(self.alice))

    def test_an_archived_circle_cannot_be_joined(self) -> None:
        circle = make_circle(self.org, self.fiona, join_policy="open", is_archived=True)
        with self.assertRaises(ValidationError):
            services.circle_join(circle=circle, user=self.alice)
        self.assertFalse(circle.can_post(self.fiona))


class RequestTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.circle = make_circle(self.org, self.fiona, join_policy="request")

    def test_request_then_approve(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            join_request = services.join_request_create(
                circle=self.circle, user=self.alice, message="I'd like to help."
            )
        # The facilitator hears of it in the app.
        self.assertTrue(
            Notification.objects.filter(user=self.fiona, message__contains="Alice Ally")
        )
        again = services.join_request_create(circle=self.circle, user=self.alice)
        self.assertEqual(again.pk, join_request.pk)
        with self.captureOnCommitCallbacks(execute=True):
            services.join_request_decide(
                join_request=join_request, approve=True, actor=self.fiona
            )
        join_request.refresh_from_db()
        self.assertEqual(join_request.status, JoinRequest.Status.APPROVED)
        self.assertEqual(join_request.decided_by, self.fiona)
        self.assertTrue(self.circle.is_member(self.alice))
        self.assertTrue(Notification.objects.filter(user=self.alice).exists())
        self.assertEqual(mail.outbox[-1].to, ["alice@example.org"])
        self.assertIn("approved", mail.outbox[-1].body)
        self.assertIn("/o/northwind/circles/men-for-fair-rotas/", mail.outbox[-1].body)
        self.assertTrue(AuditEvent.objects.filter(action="circle.request_approved"))

    def test_request_then_decline(self) -> None:
        join_request = services.join_request_create(circle=self.circle, user=self.alice)
        with self.captureOnCommitCallbacks(execute=True):
            services.join_request_decide(
                join_request=join_request, approve=False, actor=self.fiona
            )
        self.assertFalse(self.circle.is_member(self.alice))
        self.assertIn("declined", mail.outbox[-1].body)
        with self.assertRaises(ValidationError):  # answered once only
            services.join_request_decide(
                join_request=join_request, approve=True, actor=self.fiona
            )
        self.assertFalse(self.circle.is_member(self.alice))

    def test_only_a_facilitator_of_the_circle_decides(self) -> None:
        join_request = services.join_request_create(circle=self.circle, user=self.alice)
        # paula is a program admin of the organization, not a facilitator of the circle
        for actor in (self.bob, self.paula, self.olga):
            with self.assertRaises(services.NotAllowed):
                services.join_request_decide(
                    join_request=join_request, approve=True, actor=actor
                )
        self.assertFalse(self.circle.is_member(self.alice))

    def test_an_open_circle_takes_no_requests(self) -> None:
        circle = make_circle(self.org, self.fiona, name="Open", join_policy="open")
        with self.assertRaises(ValidationError):
            services.join_request_create(circle=circle, user=self.alice)


class InvitationTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.circle = make_circle(
            self.org,
            self.fiona,
            name="New fathers",
            kind="support",
            listing="unlisted",
            join_policy="invitation",
        )

    def test_invite_then_accept(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            invitation = services.circle_invitation_create(
                circle=self.circle, invitee=self.bob, actor=self.fiona
            )
        self.assertEqual(mail.outbox[-1].to, ["bob@example.org"])
        self.assertIn("Fiona Facilitator", mail.outbox[-1].subject)
        self.assertIn("/o/northwind/circles/invitations/", mail.outbox[-1].body)
        self.assertTrue(Notification.objects.filter(user=self.bob).exists())
        again = services.circle_invitation_create(
            circle=self.circle, invitee=self.bob, actor=self.fiona
        )
        self.assertEqual(again.pk, invitation.pk)
        services.circle_invitation_answer(
            invitation=invitation, accept=True, user=self.bob
        )
        invitation.refresh_from_db()
        self.assertEqual(invitation.status, CircleInvitation.Status.ACCEPTED)
        self.assertTrue(self.circle.is_member(self.bob))

    def test_invite_then_decline(self) -> None:
        invitation = services.circle_invitation_create(
            circle=self.circle, invitee=self.bob, actor=self.fiona
        )
        services.circle_invitation_answer(
            invitation=invitation, accept=False, user=self.bob
        )
        self.assertFalse(self.circle.is_member(self.bob))
        with self.assertRaises(ValidationError):
            services.circle_invitation_answer(
                invitation=invitation, accept=True, user=self.bob
            )

    def test_only_the_invitee_answers(self) -> None:
        invitation = services.circle_invitation_create(
            circle=self.circle, invitee=self.bob, actor=self.fiona
        )
        with self.assertRaises(services.NotAllowed):
            services.circle_invitation_answer(
                invitation=invitation, accept=True, user=self.alice
            )
        self.assertFalse(self.circle.is_member(self.alice))

    def test_only_members_of_the_organization_can_be_invited(self) -> None:
        with self.assertRaises(ValidationError):
            services.circle_invitation_create(
                circle=self.circle, invitee=self.oscar, actor=self.fiona
            )
        self.assertFalse(CircleInvitation.objects.exists())

    def test_a_member_cannot_invite(self) -> None:
        CircleMembership.objects.create(circle=self.circle, user=self.alice)
        with self.assertRaises(services.NotAllowed):
            services.circle_invitation_create(
                circle=self.circle, invitee=self.bob, actor=self.alice
            )

    def test_an_invitation_lets_the_invitee_join_a_closed_circle(self) -> None:
        services.circle_invitation_create(
            circle=self.circle, invitee=self.bob, actor=self.fiona
        )
        services.circle_join(circle=self.circle, user=self.bob)
        self.assertTrue(self.circle.is_member(self.bob))
        # Without an invitation, the unlisted circle does not exist for alice.
        with self.assertRaises(services.NotAllowed):
            services.circle_join(circle=self.circle, user=self.alice)


class MembershipChangesTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.circle = make_circle(self.org, self.fiona, members=(self.alice, self.bob))

    def _membership(self, user: User) -> CircleMembership:
        return CircleMembership.objects.get(circle=self.circle, user=user)

    def test_the_last_facilitator_cannot_leave_without_handing_over(self) -> None:
        with self.assertRaises(ValidationError):
            services.circle_leave(circle=self.circle, user=self.fiona)
        self.assertTrue(self.circle.is_facilitator(self.fiona))
        services.circle_member_set_role(
            membership=self._membership(self.alice),
            role="facilitator",
            actor=self.fiona,
        )
        services.circle_leave(circle=self.circle, user=self.fiona)
        self.assertFalse(self.circle.is_member(self.fiona))
        self.assertTrue(self.circle.is_facilitator(self.alice))

    def test_the_last_facilitator_cannot_step_down(self) -> None:
        with self.assertRaises(ValidationError):
            services.circle_member_set_role(
                membership=self._membership(self.fiona), role="member", actor=self.fiona
            )
        self.assertTrue(self.circle.is_facilitator(self.fiona))

    def test_the_last_member_leaving_archives_the_circle(self) -> None:
        circle = make_circle(self.org, self.fiona, name="Solo")
        services.circle_leave(circle=circle, user=self.fiona)
        circle.refresh_from_db()
        self.assertTrue(circle.is_archived)

    def test_a_member_leaves(self) -> None:
        services.circle_leave(circle=self.circle, user=self.bob)
        self.assertFalse(self.circle.is_member(self.bob))

    def test_a_facilitator_removes_a_member_who_is_told(self) -> None:
        services.circle_member_remove(
            membership=self._membership(self.bob), actor=self.fiona
        )
        self.assertFalse(self.circle.is_member(self.bob))
        self.assertTrue(Notification.objects.filter(user=self.bob).exists())
        self.assertTrue(AuditEvent.objects.filter(action="circle.member_removed"))

    def test_a_member_cannot_remove_or_promote(self) -> None:
        with self.assertRaises(services.NotAllowed):
            services.circle_member_remove(
                membership=self._membership(self.bob), actor=self.alice
            )
        with self.assertRaises(services.NotAllowed):
            services.circle_member_set_role(
                membership=self._membership(self.alice),
                role="facilitator",
                actor=self.alice,
            )
        self.assertTrue(self.circle.is_member(self.bob))
        self.assertFalse(self.circle.is_facilitator(self.alice))

    def test_leaving_the_organization_leaves_its_circles_and_hands_over(self) -> None:
        services.circle_invitation_create(
            circle=make_circle(
                self.org, self.paula, name="Other", join_policy="invitation"
            ),
            invitee=self.fiona,
            actor=self.paula,
        )
        with self.captureOnCommitCallbacks(execute=True):
            membership_remove(
                membership=Membership.objects.get(
                    organization=self.org, user=self.fiona
                ),
                actor=self.paula,
            )
        self.assertFalse(CircleMembership.objects.filter(user=self.fiona).exists())
        self.assertFalse(CircleInvitation.objects.filter(invitee=self.fiona).exists())
        # alice joined before bob: she is the longest-standing member.
        self.assertTrue(self.circle.is_facilitator(self.alice))
        self.assertFalse(self.circle.is_facilitator(self.bob))
        self.assertTrue(
            Notification.objects.filter(
                user=self.alice, message__contains="facilitator"
            )
        )

    def test_archiving_withdraws_open_requests_and_invitations(self) -> None:
        circle = make_circle(self.org, self.fiona, name="Req", join_policy="request")
        services.join_request_create(circle=circle, user=self.alice)
        services.circle_invitation_create(
            circle=circle, invitee=self.bob, actor=self.fiona
        )
        services.circle_set_archived(circle=circle, archived=True, actor=self.fiona)
        self.assertFalse(circle.join_requests.pending().exists())
        self.assertFalse(circle.invitations.pending().exists())
        self.assertTrue(AuditEvent.objects.filter(action="circle.archived"))


class ProjectTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.circle = make_circle(
            self.org,
            self.fiona,
            name="Fair rota tool",
            kind="project",
            members=(self.alice,),
        )

    def test_members_add_goals_and_updates_and_progress_counts(self) -> None:
        goal = services.goal_save(
            goal=Goal(circle=self.circle, title="Survey"), actor=self.alice
        )
        services.goal_save(
            goal=Goal(circle=self.circle, title="Pilot"), actor=self.fiona
        )
        self.assertEqual(goal.created_by, self.alice)
        self.assertEqual(
            (self.circle.progress().done, self.circle.progress().total), (0, 2)
        )
        services.goal_set_status(goal=goal, done=True, actor=self.alice)
        progress = self.circle.progress()
        self.assertEqual((progress.done, progress.total, progress.percent), (1, 2, 50))
        update = services.progress_update_create(
            circle=self.circle, author=self.alice, body="Survey **sent**."
        )
        self.assertIn("<strong>sent</strong>", update.body_html())

    def test_non_members_cannot_add_to_a_project(self) -> None:
        with self.assertRaises(services.NotAllowed):
            services.progress_update_create(
                circle=self.circle, author=self.bob, body="x"
            )
        with self.assertRaises(services.NotAllowed):
            services.goal_save(goal=Goal(circle=self.circle, title="x"), actor=self.bob)
        self.assertFalse(self.circle.goals.exists())

    def test_only_facilitators_delete_goals(self) -> None:
        goal = services.goal_save(
            goal=Goal(circle=self.circle, title="Survey"), actor=self.alice
        )
        with self.assertRaises(services.NotAllowed):
            services.goal_delete(goal=goal, actor=self.alice)
        services.goal_delete(goal=goal, actor=self.fiona)
        self.assertFalse(self.circle.goals.exists())

    def test_updates_in_a_non_project_circle_are_refused(self) -> None:
        circle = make_circle(self.org, self.fiona, name="Adv", members=(self.alice,))
        with self.assertRaises(services.NotAllowed):
            services.progress_update_create(circle=circle, author=self.alice, body="x")


class VisibleToTestCase(BaseTestCase):
    def test_unlisted_circles_are_visible_only_to_their_members(self) -> None:
        listed = make_circle(self.org, self.fiona, name="Listed")
        unlisted = make_circle(
            self.org,
            self.fiona,
            name="Hidden",
            listing="unlisted",
            join_policy="invitation",
            members=(self.alice,),
        )
        other = make_circle(self.other_org, self.olga, name="Elsewhere")
        self.assertEqual(
            set(Circle.objects.visible_to(self.alice, self.org)), {listed, unlisted}
        )
        self.assertEqual(set(Circle.objects.visible_to(self.bob, self.org)), {listed})
        self.assertNotIn(other, Circle.objects.visible_to(self.alice, self.org))
