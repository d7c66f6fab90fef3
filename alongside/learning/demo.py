"""Demo learning at Riverside: the starter curriculum loaded, some members enrolled,
a few completed (with certificates), one in progress. Idempotent."""

from __future__ import annotations

import io
import uuid
from typing import TYPE_CHECKING

from django.core.management import call_command

from alongside.learning import services
from alongside.learning.models import Course, Enrollment, Quiz

if TYPE_CHECKING:
    from alongside.accounts.models import User
    from alongside.organizations.models import Organization

COMPLETES = ("daniel", "priya", "marcus")
IN_PROGRESS = ("tom",)
JUST_ENROLLED = ("raj",)


def _pass_quiz(enrollment: Enrollment, quiz: Quiz) -> None:
    data = {
        f"q{question.pk}": [str(c.pk) for c in question.choices.all() if c.correct]
        for question in quiz.questions.prefetch_related("choices")
    }
    services.quiz_submit(
        enrollment=enrollment, quiz=quiz, data=data, submission_key=uuid.uuid4()
    )


def _finish_lessons(enrollment: Enrollment, count: int | None = None) -> None:
    for lesson in list(enrollment.course.lessons())[:count]:
        quiz = Quiz.objects.filter(lesson=lesson).first()
        if quiz is not None:
            _pass_quiz(enrollment, quiz)
        else:
            services.lesson_complete(enrollment=enrollment, lesson=lesson)
        services.lesson_visit(enrollment, lesson)


def load(organization: Organization, users: dict[str, User]) -> None:
    call_command("load_curriculum", stdout=io.StringIO())
    if Enrollment.objects.for_organization(organization).exists():
        return
    course = (
        Course.objects.available_to(organization)
        .filter(prerequisites__isnull=True)
        .order_by("organization_id", "id")
        .first()
    )
    if course is None:
        return
    for key in COMPLETES + IN_PROGRESS + JUST_ENROLLED:
        member = users.get(key)
        if member is None:
            continue
        enrollment = services.enrollment_create(
            organization=organization, member=member, course=course
        )
        if key in COMPLETES:
            _finish_lessons(enrollment)
        elif key in IN_PROGRESS:
            _finish_lessons(enrollment, count=1)
