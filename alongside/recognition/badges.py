"""Badges, declared as rules over a member's record in one organization.

A badge follows evidence: confirmed actions, sustained practice, commitments kept with
confirmed actions behind them, recognizing others. Signing up, pledging or logging a
first unconfirmed action earns nothing. To add a badge, add a BadgeRule below: the
`award_badges` command then awards it to everyone who already qualifies.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from alongside.pledges.models import Action, Pledge, PledgeCommitment

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from alongside.accounts.models import User
    from alongside.organizations.models import Organization


@dataclass(frozen=True)
class MemberRecord:
    """The facts about a member's practice in one organization that badges look at."""

    confirmed_actions: int
    # The best run of consecutive cadence periods (of each pledge's cadence) with at
    # least one action, over all his pledges: see Pledge.longest_streak. Only periods
    # from the pledge's start to today count, so backdated actions cannot build one.
    longest_streak: int
    # Commitments he ended as kept with at least one confirmed action behind them.
    kept_commitments: int
    kudos_given: int
    # The learning record (alongside/learning/records.py): courses completed in this
    # organization and events attended there.
    courses_completed: int = 0
    events_attended: int = 0

    @classmethod
    def load(cls, *, organization: Organization, member: User) -> MemberRecord:
        from alongside.learning.records import learning_record_load
        from alongside.recognition.models import Kudos

        learning = learning_record_load(organization=organization, member=member)
        actions = Action.objects.for_organization(organization).filter(member=member)
        return cls(
            confirmed_actions=actions.confirmed().count(),
            longest_streak=max(
                (
                    pledge.longest_streak()
                    for pledge in Pledge.objects.for_organization(organization)
                    .of_member(member)
                    .prefetch_related("pauses")
                ),
                default=0,
            ),
            kept_commitments=PledgeCommitment.objects.filter(
                pledge__organization=organization,
                pledge__member=member,
                outcome=PledgeCommitment.Outcome.KEPT,
                actions__confirmed_at__isnull=False,
            )
            .distinct()
            .count(),
            kudos_given=Kudos.objects.for_organization(organization)
            .filter(giver=member)
            .count(),
            courses_completed=learning.courses_completed,
            events_attended=learning.events_attended,
        )


@dataclass(frozen=True)
class BadgeRule:
    slug: str
    name: StrOrPromise
    description: StrOrPromise
    earned: Callable[[MemberRecord], bool]


STREAK_PERIODS = 3


def _continuous_self_education(record: MemberRecord) -> bool:
    """Two courses completed, or one course and one event attended."""
    return record.courses_completed >= 2 or (
        record.courses_completed >= 1 and record.events_attended >= 1
    )


BADGE_RULES: tuple[BadgeRule, ...] = (
    BadgeRule(
        slug="first-confirmed-action",
        name=_("First confirmed action"),
        description=_("Someone confirmed that an action of yours made a difference."),
        earned=lambda record: record.confirmed_actions >= 1,
    ),
    BadgeRule(
        slug="five-confirmed-actions",
        name=_("Five confirmed actions"),
        description=_("Five of your actions were confirmed by the people they helped."),
        earned=lambda record: record.confirmed_actions >= 5,
    ),
    BadgeRule(
        slug="three-periods-in-a-row",
        name=_("Three in a row"),
        description=_(
            "You acted in three consecutive periods of your pledge's cadence "
            "(weeks, months or quarters)."
        ),
        earned=lambda record: record.longest_streak >= STREAK_PERIODS,
    ),
    BadgeRule(
        slug="commitment-kept",
        name=_("Commitment kept"),
        description=_("You kept a commitment, with confirmed actions to show for it."),
        earned=lambda record: record.kept_commitments >= 1,
    ),
    BadgeRule(
        slug="first-kudos-given",
        name=_("First kudos given"),
        description=_("You recognized another member's action or pledge."),
        earned=lambda record: record.kudos_given >= 1,
    ),
    BadgeRule(
        slug="continuous-self-education",
        name=_("Continuous self-education"),
        description=_(
            "You completed two courses, or a course and an event: learning as a habit."
        ),
        earned=_continuous_self_education,
    ),
)

BADGES_BY_SLUG: dict[str, BadgeRule] = {rule.slug: rule for rule in BADGE_RULES}
