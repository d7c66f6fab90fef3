"""Circles' routes for the cross-organization sweep (alongside/tests/test_cross_organization.py).

Circle pages are addressed by slug; the sweep fills kwargs with numbers, so the
northwind circle made here has a numeric slug. Everything is as visible as the model
allows: a listed, open project circle with a goal, an update, a pending request and a
pending invitation.
"""

from __future__ import annotations

from typing import Any

from alongside.circles.models import (
    Circle,
    CircleInvitation,
    CircleMembership,
    Goal,
    JoinRequest,
    ProgressUpdate,
)

SWEEP_CIRCLE_SLUG = 90417

KWARG_OBJECTS = {
    "circle": "circle_slug",
    "circle_invitation_id": "circle_invitation",
    "circle_member_id": "circle_membership",
    "join_request_id": "circle_join_request",
    "goal_id": "circle_goal",
    "progress_update_id": "circle_progress_update",
}


def create_objects(case: Any) -> dict[str, int]:
    circle = Circle.objects.create(
        organization=case.org,
        name="CANARY-N circle",
        slug=str(SWEEP_CIRCLE_SLUG),
        kind=Circle.Kind.PROJECT,
        description="CANARY-N circle description",
        join_policy=Circle.JoinPolicy.REQUEST,
        created_by=case.fiona,
    )
    CircleMembership.objects.create(
        circle=circle, user=case.fiona, role=CircleMembership.Role.FACILITATOR
    )
    membership = CircleMembership.objects.create(circle=circle, user=case.alice)
    goal = Goal.objects.create(circle=circle, title="CANARY-N goal")
    update = ProgressUpdate.objects.create(
        circle=circle, author=case.alice, body="CANARY-N update"
    )
    join_request = JoinRequest.objects.create(
        circle=circle, user=case.bob, message="CANARY-N request"
    )
    invitation = CircleInvitation.objects.create(
        circle=circle, invitee=case.paula, invited_by=case.fiona
    )
    return {
        "circle_slug": SWEEP_CIRCLE_SLUG,
        "circle_membership": membership.pk,
        "circle_goal": goal.pk,
        "circle_progress_update": update.pk,
        "circle_join_request": join_request.pk,
        "circle_invitation": invitation.pk,
    }
