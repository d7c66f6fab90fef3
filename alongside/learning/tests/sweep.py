"""Objects for the cross-organization sweep (alongside/tests/test_cross_organization.py)."""

from __future__ import annotations

import uuid
from typing import Any

SEGMENT_OBJECTS = {
    "courses": "course",
    "modules": "module",
    "lessons": "lesson",
    "quiz-attempts": "quiz_attempt",
    "certificates": "certificate",
    "lesson-images": "lesson_image",
    "quiz-questions": "question",
}

PUBLIC_ROUTES = {
    "learning:certificate_verify": (
        "The public verification page of a certificate, reached only with its "
        "256-bit random code; it has no org kwarg. Tested in test_certificates.py."
    ),
}


def create_objects(case: Any) -> dict[str, int]:
    from alongside.learning.models import (
        Certificate,
        Choice,
        Course,
        Enrollment,
        Lesson,
        LessonImage,
        Module,
        Question,
        Quiz,
        QuizAttempt,
    )

    course = Course.objects.create(
        organization=case.org, title="CANARY-N course", status=Course.Status.PUBLISHED
    )
    module = Module.objects.create(course=course, title="CANARY-N module")
    lesson = Lesson.objects.create(module=module, title="CANARY-N lesson", body="x")
    quiz = Quiz.objects.create(lesson=lesson)
    question = Question.objects.create(quiz=quiz, prompt="CANARY-N question")
    Choice.objects.create(question=question, text="yes", correct=True)
    # A stored name is enough: the sweep never reads the file.
    image = LessonImage.objects.create(
        lesson=lesson, alt_text="CANARY-N image", image="lessons/canary.png"
    )
    enrollment = Enrollment.objects.create(
        organization=case.org, member=case.alice, course=course
    )
    attempt = QuizAttempt.objects.create(
        enrollment=enrollment,
        quiz=quiz,
        submission_key=uuid.uuid4(),
        score_pct=100,
        passed=True,
    )
    certificate = Certificate.objects.create(
        organization=case.org,
        enrollment=enrollment,
        member=case.alice,
        member_name="Alice Ally",
        course_title=course.title,
        organization_name=case.org.name,
    )
    return {
        "course": course.pk,
        "module": module.pk,
        "lesson": lesson.pk,
        "quiz_attempt": attempt.pk,
        "certificate": certificate.pk,
        "lesson_image": image.pk,
        "question": question.pk,
    }
