"""An ally's record as one viewer may see it: the data behind the ally profile page."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from django.db.models import Count, Prefetch, Q

from alongside.learning.records import LearningRecord, learning_record_load
from alongside.pledges.models import Action, Consistency, Pledge, PledgeCommitment
from alongside.recognition.models import BadgeAward, Kudos
from alongside.recognition.visibility import visible_actions

if TYPE_CHECKING:
    from alongside.accounts.models import User
    from alongside.organizations.models import Organization

RECENT_ACTIONS = 10
RECENT_KUDOS = 10


@dataclass
class PledgeRecord:
    pledge: Pledge
    commitments: list[PledgeCommitment]
    consistency: Consistency
    kudos_given: bool = False


@dataclass
class ActionRecord:
    action: Action
    kudos_given: bool = False


@dataclass
class AllyProfile:
    member: User
    organization: Organization
    viewer: User | None
    viewer_is_member: bool
    is_self: bool
    profile_fields: dict[str, str]
    pledges: list[PledgeRecord]
    confirmed_actions: int
    self_reported_actions: int
    recent_actions: list[ActionRecord]
    kudos_received_count: int
    recent_kudos: list[Kudos]
    badges: list[BadgeAward]
    # Courses completed and events attended: shown to members of the organization only,
    # like badges (None for anonymous visitors).
    learning: LearningRecord | None = None

    @property
    def has_anything(self) -> bool:
        return bool(self.pledges or self.recent_actions)


def ally_profile_load(
    *,
    member: User,
    organization: Organization,
    viewer: User | None,
    viewer_is_member: bool,
) -> AllyProfile:
    """Everything of `member`'s record in `organization` that `viewer` may see.

    `viewer` is None for anonymous visitors, who see only public items; the caller has
    checked `viewer_is_member` (outsiders who are signed in never get here).
    """
    is_self = viewer is not None and viewer.pk == member.pk
    actions = visible_actions(viewer, organization).filter(member=member)
    pledges = list(
        Pledge.objects.visible_to(viewer, organization)
        .filter(member=member)
        .prefetch_related(
            Prefetch(
                "commitments",
                queryset=PledgeCommitment.objects.order_by("position", "id"),
            ),
            "pauses",
        )
    )
    # Consistency counts only the actions this viewer may see: the existence of a
    # private action is private too.
    days: dict[int, list[date]] = defaultdict(list)
    for pledge_id, occurred_on in actions.values_list(
        "commitment__pledge_id", "occurred_on"
    ):
        days[pledge_id].append(occurred_on)
    counts = actions.aggregate(
        confirmed=Count("id", filter=Q(confirmed_at__isnull=False)),
        total=Count("id"),
    )
    pledge_records = [
        PledgeRecord(
            pledge=pledge,
            commitments=list(pledge.commitments.all()),
            consistency=pledge.consistency(action_dates=days[pledge.pk]),
        )
        for pledge in pledges
    ]

    kudos = (
        Kudos.objects.on_targets_visible_to(viewer, organization)
        .filter(receiver=member)
        .select_related("giver", "action__commitment", "pledge")
    )
    show_badges = viewer_is_member
    profile = AllyProfile(
        member=member,
        organization=organization,
        viewer=viewer,
        viewer_is_member=viewer_is_member,
        is_self=is_self,
        profile_fields=member.profile_visible_to(
            viewer, same_organization=viewer_is_member
        ),
        pledges=pledge_records,
        confirmed_actions=counts["confirmed"],
        self_reported_actions=counts["total"] - counts["confirmed"],
        recent_actions=[
            ActionRecord(action)
            for action in actions.select_related("commitment").order_by(
                "-occurred_on", "-id"
            )[:RECENT_ACTIONS]
        ],
        kudos_received_count=kudos.count(),
        # Anonymous visitors see how many kudos, not who gave them: givers are
        # members, and membership is not public.
        recent_kudos=list(kudos[:RECENT_KUDOS]) if viewer_is_member else [],
        badges=list(
            BadgeAward.objects.for_organization(organization)
            .current()
            .filter(member=member)
            .order_by("awarded_at", "id")
        )
        if show_badges
        else [],
        learning=learning_record_load(organization=organization, member=member)
        if viewer_is_member
        else None,
    )
    if viewer is not None and viewer_is_member and not is_self:
        given = Kudos.objects.filter(giver=viewer, receiver=member).values_list(
            "action_id", "pledge_id"
        )
        actions_with_kudos = {a for a, _ in given if a is not None}
        pledges_with_kudos = {p for _, p in given if p is not None}
        for action_record in profile.recent_actions:
            action_record.kudos_given = action_record.action.pk in actions_with_kudos
        for record in profile.pledges:
            record.kudos_given = record.pledge.pk in pledges_with_kudos
    return profile


def has_public_record(*, member: User, organization: Organization) -> bool:
    """Whether anonymous visitors may see this member's profile at all."""
    return Pledge.objects.visible_to(None, organization).filter(member=member).exists()
