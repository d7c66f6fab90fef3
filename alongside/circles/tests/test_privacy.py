from __future__ import annotations

import json

from alongside.accounts.services import user_erase
from alongside.circles import services
from alongside.circles.models import (
    Circle,
    CircleInvitation,
    CircleMembership,
    Goal,
    JoinRequest,
    ProgressUpdate,
)
from alongside.circles.privacy import erase_user_data, export_user_data
from alongside.circles.tests.helpers import make_circle
from alongside.test import BaseTestCase


class PrivacyTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.project = make_circle(
            self.org,
            self.fiona,
            name="Rota tool",
            kind="project",
            members=(self.alice, self.bob),
        )
        self.goal = services.goal_save(
            goal=Goal(circle=self.project, title="Survey the wards"), actor=self.alice
        )
        services.progress_update_create(
            circle=self.project, author=self.alice, body="Alice's survey went out."
        )
        services.progress_update_create(
            circle=self.project, author=self.bob, body="Bob's note."
        )
        self.by_request = make_circle(
            self.org, self.fiona, name="Rotas", join_policy="request"
        )
        services.join_request_create(
            circle=self.by_request, user=self.alice, message="Let me in please"
        )
        self.dads = make_circle(
            self.org,
            self.fiona,
            name="Dads",
            kind="support",
            listing="unlisted",
            join_policy="invitation",
        )
        services.circle_invitation_create(
            circle=self.dads, invitee=self.alice, actor=self.fiona
        )

    def test_it_exports_the_users_circles_data(self) -> None:
        data = export_user_data(self.alice)
        text = json.dumps(data)
        self.assertEqual(
            [(m["circle"], m["role"]) for m in data["memberships"]],
            [("Rota tool", "member")],
        )
        self.assertEqual(data["join_requests"][0]["message"], "Let me in please")
        self.assertEqual(data["invitations_received"][0]["circle"], "Dads")
        self.assertEqual(
            [u["body"] for u in data["progress_updates"]], ["Alice's survey went out."]
        )
        self.assertEqual(data["goals_added"][0]["title"], "Survey the wards")
        for other in ("Bob's note", "bob@example.org", "Fiona"):
            self.assertNotIn(other, text)

    def test_erasure_removes_memberships_and_anonymizes_content(self) -> None:
        erase_user_data(self.alice)
        self.assertFalse(CircleMembership.objects.filter(user=self.alice).exists())
        self.assertFalse(JoinRequest.objects.filter(user=self.alice).exists())
        self.assertFalse(CircleInvitation.objects.filter(invitee=self.alice).exists())
        update = ProgressUpdate.objects.get(body="Alice's survey went out.")
        self.assertIsNone(update.author)
        self.goal.refresh_from_db()
        self.assertIsNone(self.goal.created_by)
        # Bob's things stay his.
        self.assertTrue(self.project.is_member(self.bob))
        self.assertEqual(
            ProgressUpdate.objects.get(body="Bob's note.").author, self.bob
        )

    def test_erasing_the_last_facilitator_hands_the_circle_over(self) -> None:
        user_erase(user=self.fiona)
        self.assertTrue(self.project.is_facilitator(self.alice))  # joined before bob
        self.assertFalse(self.project.is_facilitator(self.bob))
        # Circles nobody is left in are archived, not broken.
        for circle in (self.by_request, self.dads):
            circle.refresh_from_db()
            self.assertTrue(circle.is_archived)
            self.assertIsNone(circle.created_by)
        self.assertEqual(Circle.objects.count(), 3)

    def test_the_erased_author_shows_as_a_former_member(self) -> None:
        user_erase(user=self.alice)
        self.client.force_login(self.bob)
        r = self.client.get(self.project.get_absolute_url())
        self.assertContains(r, "A former member")
        self.assertContains(r, "survey went out.")
        self.assertNotContains(r, "Alice Ally")
