"""Badge evaluation on the pledges, learning and events apps' signals (connected in RecognitionConfig.ready).

The receivers only queue work: the pledges flow never waits on, or fails because of,
recognition.
"""

from __future__ import annotations

from typing import Any

from alongside.events.models import Attendance
from alongside.events.signals import attendance_recorded
from alongside.learning.signals import course_completed
from alongside.pledges.models import Action, PledgeCommitment
from alongside.pledges.signals import action_confirmed, action_logged, commitment_ended
from alongside.recognition.services import badges_evaluate_later


def on_action(sender: Any, *, action: Action, **kwargs: Any) -> None:
    badges_evaluate_later(
        organization_id=action.organization_id, member_id=action.member_id
    )


def on_commitment_ended(
    sender: Any, *, commitment: PledgeCommitment, **kwargs: Any
) -> None:
    pledge = commitment.pledge
    badges_evaluate_later(
        organization_id=pledge.organization_id, member_id=pledge.member_id
    )


def on_course_completed(
    sender: Any, *, organization_id: int, member_id: int, **kwargs: Any
) -> None:
    badges_evaluate_later(organization_id=organization_id, member_id=member_id)


def on_attendance_recorded(
    sender: Any, *, attendance: Attendance, **kwargs: Any
) -> None:
    badges_evaluate_later(
        organization_id=attendance.event.organization_id,
        member_id=attendance.user_id,
    )


def connect() -> None:
    action_logged.connect(on_action, dispatch_uid="recognition.action_logged")
    action_confirmed.connect(on_action, dispatch_uid="recognition.action_confirmed")
    commitment_ended.connect(
        on_commitment_ended, dispatch_uid="recognition.commitment_ended"
    )
    course_completed.connect(
        on_course_completed, dispatch_uid="recognition.course_completed"
    )
    attendance_recorded.connect(
        on_attendance_recorded, dispatch_uid="recognition.attendance_recorded"
    )
