"""make_* helpers for the learning tests: small courses built in the test itself."""

from __future__ import annotations

import io
from typing import Any

from alongside.learning.models import (
    Choice,
    Course,
    Lesson,
    Module,
    Question,
    Quiz,
    Scenario,
    ScenarioChoice,
    ScenarioStep,
)
from alongside.organizations.models import Organization


def tiny_png(size: tuple[int, int] = (4, 3)) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 90)).save(out, format="PNG")
    return out.getvalue()


def make_course(
    organization: Organization | None = None,
    *,
    title: str = "Listening well",
    lessons: int = 2,
    quiz: bool = True,
    status: str = Course.Status.PUBLISHED,
    **extra: Any,
) -> Course:
    """A course with one module of `lessons` lessons; the first has a two-question quiz
    (one single-answer, one multiple-answer) with a 100% pass mark when `quiz`."""
    course = Course.objects.create(
        organization=organization, title=title, status=status, **extra
    )
    module = Module.objects.create(course=course, title="Basics", slug="basics")
    for n in range(1, lessons + 1):
        lesson = Lesson.objects.create(
            module=module,
            title=f"Lesson {n} of {title}",
            slug=f"lesson-{n}",
            body=f"# Lesson {n}\n\nRead **this** carefully.",
            position=n,
        )
        if quiz and n == 1:
            make_quiz(lesson)
    return course


def make_quiz(lesson: Lesson, pass_mark_pct: int = 100) -> Quiz:
    quiz = Quiz.objects.create(lesson=lesson, pass_mark_pct=pass_mark_pct)
    single = Question.objects.create(
        quiz=quiz, prompt="Who should get credit for an idea?", position=0
    )
    Choice.objects.create(
        question=single, text="Whoever said it last", explanation="No: credit drifts."
    )
    Choice.objects.create(
        question=single,
        text="The person who had it",
        correct=True,
        explanation="Yes: name them.",
    )
    multiple = Question.objects.create(
        quiz=quiz,
        prompt="Which help a colleague who was talked over?",
        kind=Question.Kind.MULTIPLE,
        position=1,
    )
    Choice.objects.create(question=multiple, text="Bring the point back", correct=True)
    Choice.objects.create(question=multiple, text="Ask her to finish", correct=True)
    Choice.objects.create(question=multiple, text="Say nothing")
    return quiz


def correct_answers(quiz: Quiz) -> dict[str, list[str]]:
    return {
        f"q{q.pk}": [str(c.pk) for c in q.choices.all() if c.correct]
        for q in quiz.questions.all()
    }


def wrong_answers(quiz: Quiz) -> dict[str, list[str]]:
    return {
        f"q{q.pk}": [str(next(c.pk for c in q.choices.all() if not c.correct))]
        for q in quiz.questions.all()
    }


def make_scenario(lesson: Lesson) -> Scenario:
    scenario = Scenario.objects.create(
        lesson=lesson, title="The meeting", situation="Marc repeats Dana's idea."
    )
    first = ScenarioStep.objects.create(
        scenario=scenario, key="start", prompt="Marc takes the credit."
    )
    second = ScenarioStep.objects.create(
        scenario=scenario, key="after", prompt="Marc says he meant well."
    )
    ScenarioChoice.objects.create(
        step=first,
        text="That was Dana's idea.",
        consequence="The room turns to Dana.",
        coaching="Short and factual works.",
        next_step=second,
    )
    ScenarioChoice.objects.create(
        step=first,
        text="Say nothing.",
        consequence="Dana goes quiet.",
        coaching="Silence lets it stand.",
        next_step=None,
    )
    ScenarioChoice.objects.create(
        step=second,
        text="Sure. Dana, go on.",
        consequence="Dana finishes her point.",
        coaching="Hand the floor back.",
        next_step=None,
    )
    scenario.start = first
    scenario.save()
    return scenario
