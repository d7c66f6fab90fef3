"""A member's learning data: exported on request, deleted when the account is erased.

Certificates are revoked, not deleted, on erasure: the verification link then says "not
valid" (exactly as for a code that never existed), the name on it is blanked and the
link to the account removed. A certificate must not outlive the person's choice to leave,
and nobody holding the old link learns anything from it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction

from alongside.learning.models import Certificate, Enrollment

if TYPE_CHECKING:
    from datetime import datetime

    from alongside.accounts.models import User


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def export_user_data(user: User) -> dict[str, Any]:
    enrollments = (
        Enrollment.objects.filter(member=user)
        .select_related("organization", "course")
        .prefetch_related(
            "lesson_progress__lesson",
            "quiz_attempts__quiz__lesson",
            "scenario_progress__scenario",
        )
        .order_by("enrolled_at", "id")
    )
    certificates = Certificate.objects.filter(member=user).order_by("issued_at", "id")
    return {
        "enrollments": [
            {
                "organization": e.organization.slug,
                "course": e.course.title,
                "enrolled_at": _iso(e.enrolled_at),
                "completed_at": _iso(e.completed_at),
                "lessons_done": [
                    {"lesson": p.lesson.title, "completed_at": _iso(p.completed_at)}
                    for p in e.lesson_progress.all()
                ],
                "quiz_attempts": [
                    {
                        "lesson": a.quiz.lesson.title,
                        "answers": a.answers,
                        "score_pct": a.score_pct,
                        "passed": a.passed,
                        "submitted_at": _iso(a.created_at),
                    }
                    for a in e.quiz_attempts.all()
                ],
                "scenarios": [
                    {
                        "scenario": s.scenario.title,
                        "choices_taken": s.path,
                        "finished_at": _iso(s.finished_at),
                    }
                    for s in e.scenario_progress.all()
                ],
            }
            for e in enrollments
        ],
        "certificates": [
            {
                "course": c.course_title,
                "organization": c.organization_name,
                "name": c.member_name,
                "issued_at": _iso(c.issued_at),
                "verification_url": c.verification_url(),
                "revoked_at": _iso(c.revoked_at),
            }
            for c in certificates
        ],
    }


@transaction.atomic
def erase_user_data(user: User) -> None:
    """Revoke the member's certificates, then delete enrollments and all progress."""
    for certificate in Certificate.objects.filter(member=user):
        certificate.revoke()
    Enrollment.objects.filter(member=user).delete()
