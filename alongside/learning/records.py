"""A member's learning record in one organization: courses completed and events
attended. Recognition reads it for the ally profile and the self-education badge."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from alongside.learning.models import Enrollment

if TYPE_CHECKING:
    from alongside.accounts.models import User
    from alongside.organizations.models import Organization


@dataclass(frozen=True)
class LearningRecord:
    completed: list[Enrollment]  # with .course, most recent first
    events_attended: int

    @property
    def courses_completed(self) -> int:
        return len(self.completed)

    @property
    def has_anything(self) -> bool:
        return bool(self.completed or self.events_attended)


def events_attended(*, organization: Organization, member: User) -> int:
    """How many events the member attended; 0 while the events app has no attendance."""
    try:
        from alongside.events.models import Attendance  # type: ignore[attr-defined,unused-ignore]
    except ImportError:
        return 0
    manager = getattr(Attendance, "objects", None)
    if manager is None or not hasattr(manager, "attended_by"):
        return 0
    count: int = manager.attended_by(organization, member).count()
    return count


def learning_record_load(*, organization: Organization, member: User) -> LearningRecord:
    completed = list(
        Enrollment.objects.for_organization(organization)
        .of_member(member)
        .completed()
        .select_related("course")
        .order_by("-completed_at", "-id")
    )
    return LearningRecord(
        completed=completed,
        events_attended=events_attended(organization=organization, member=member),
    )
