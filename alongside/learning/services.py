"""Writes of the learning app: enrolling, progress, quizzes, scenarios, certificates,
copying library courses and loading the shipped curriculum."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alongside.learning.models import (
    Certificate,
    Choice,
    Course,
    Enrollment,
    Lesson,
    LessonProgress,
    Module,
    Question,
    Quiz,
    QuizAttempt,
    Scenario,
    ScenarioChoice,
    ScenarioProgress,
    ScenarioStep,
)
from alongside.learning.signals import course_completed

if TYPE_CHECKING:
    from alongside.accounts.models import User
    from alongside.organizations.models import Organization


# Enrollment and progress ---------------------------------------------------------------


def missing_prerequisites(
    *, organization: Organization, member: User, course: Course
) -> list[Course]:
    """Prerequisite courses the member has not completed in this organization."""
    done = set(
        Enrollment.objects.for_organization(organization)
        .of_member(member)
        .completed()
        .values_list("course_id", flat=True)
    )
    return [c for c in course.prerequisites.order_by("title") if c.pk not in done]


@transaction.atomic
def enrollment_create(
    *, organization: Organization, member: User, course: Course
) -> Enrollment:
    """Enroll the member; enrolling twice returns the first enrollment.

    Refused with a ValidationError naming the missing courses until every prerequisite
    is complete, and for a course the organization's members cannot take.
    """
    if not Course.objects.available_to(organization).filter(pk=course.pk).exists():
        raise ValidationError(_("This course is not open for enrollment."))
    existing = Enrollment.objects.filter(
        organization=organization, member=member, course=course
    ).first()
    if existing is not None:
        return existing
    missing = missing_prerequisites(
        organization=organization, member=member, course=course
    )
    if missing:
        raise ValidationError(
            _("Complete these courses first: %(courses)s.")
            % {"courses": ", ".join(f"“{c.title}”" for c in missing)},
            code="prerequisites",
        )
    try:
        with transaction.atomic():
            return Enrollment.objects.create(
                organization=organization, member=member, course=course
            )
    except IntegrityError:  # a simultaneous second click
        return Enrollment.objects.get(
            organization=organization, member=member, course=course
        )


def enrollment_status(enrollment: Enrollment) -> tuple[int, int]:
    """(lessons done, lessons in the course) against the course as it is now."""
    lesson_ids = set(enrollment.course.lessons().values_list("id", flat=True))
    done = enrollment.completed_lesson_ids() & lesson_ids
    return len(done), len(lesson_ids)


def next_lesson(enrollment: Enrollment) -> Lesson | None:
    """Where to resume: the first lesson not done yet, in course order."""
    done = enrollment.completed_lesson_ids()
    for lesson in enrollment.course.lessons():
        if lesson.pk not in done:
            return lesson
    return None


def lesson_visit(enrollment: Enrollment, lesson: Lesson) -> None:
    if enrollment.last_lesson_id != lesson.pk:
        enrollment.last_lesson = lesson
        enrollment.save(update_fields=("last_lesson",))


def _quiz_passed(enrollment: Enrollment, lesson: Lesson) -> bool:
    return QuizAttempt.objects.filter(
        enrollment=enrollment, quiz__lesson=lesson, passed=True
    ).exists()


@transaction.atomic
def lesson_complete(*, enrollment: Enrollment, lesson: Lesson) -> bool:
    """Mark a lesson done. A lesson with a quiz is done only once the quiz is passed.

    Returns whether the lesson is now done. Completes the course (and issues the
    certificate) when this was the last lesson.
    """
    if lesson.module.course_id != enrollment.course_id:
        raise ValidationError(_("This lesson is not part of the course."))
    if hasattr(lesson, "quiz") and not _quiz_passed(enrollment, lesson):
        return False
    LessonProgress.objects.get_or_create(enrollment=enrollment, lesson=lesson)
    enrollment_check_completion(enrollment)
    return True


def enrollment_check_completion(enrollment: Enrollment) -> Certificate | None:
    """Complete the enrollment when every lesson is done (quizzes passed); issue the
    certificate once. Completed enrollments stay completed if the course changes."""
    if enrollment.completed_at is not None:
        return Certificate.objects.filter(enrollment=enrollment).first()
    done, total = enrollment_status(enrollment)
    if total == 0 or done < total:
        return None
    enrollment = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
    if enrollment.completed_at is not None:
        return Certificate.objects.filter(enrollment=enrollment).first()
    enrollment.completed_at = timezone.now()
    enrollment.save(update_fields=("completed_at",))
    certificate = Certificate.objects.create(
        organization=enrollment.organization,
        enrollment=enrollment,
        member=enrollment.member,
        member_name=enrollment.member.name,
        course_title=enrollment.course.title,
        organization_name=enrollment.organization.name,
        issued_at=enrollment.completed_at,
    )
    organization_id, member_id = enrollment.organization_id, enrollment.member_id
    transaction.on_commit(
        lambda: course_completed.send_robust(
            sender=Enrollment,
            organization_id=organization_id,
            member_id=member_id,
        )
    )
    return certificate


# Quizzes ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuizResult:
    attempt: QuizAttempt
    replayed: bool


def quiz_parse_answers(
    quiz: Quiz, data: Mapping[str, Sequence[str]]
) -> dict[int, list[int]]:
    """Read `q<question id>` fields into {question id: [choice ids]}.

    Only this quiz's questions are read (fields for any other question are ignored).
    A choice id that does not belong to its question, a second answer to a one-answer
    question or an unanswered question is refused with a message naming the question.
    """
    questions = list(quiz.questions.prefetch_related("choices"))
    answers: dict[int, list[int]] = {}
    errors: list[str] = []
    for number, question in enumerate(questions, start=1):
        raw = list(data.get(f"q{question.pk}", []))
        valid_ids = {c.pk for c in question.choices.all()}
        try:
            chosen = sorted({int(value) for value in raw})
        except (TypeError, ValueError):
            chosen = [-1]
        if not chosen:
            errors.append(_("Question %(n)d: choose an answer.") % {"n": number})
        elif not set(chosen) <= valid_ids:
            errors.append(
                _("Question %(n)d: that answer is not one of its choices.")
                % {"n": number}
            )
        elif question.kind == Question.Kind.SINGLE and len(chosen) > 1:
            errors.append(_("Question %(n)d: choose only one answer.") % {"n": number})
        else:
            answers[question.pk] = chosen
    if errors:
        raise ValidationError(errors)
    return answers


def quiz_score(quiz: Quiz, answers: Mapping[int, Iterable[int]]) -> int:
    """Percentage of questions answered exactly right (all and only the correct ones)."""
    questions = list(quiz.questions.prefetch_related("choices"))
    if not questions:
        return 100
    right = 0
    for question in questions:
        correct = {c.pk for c in question.choices.all() if c.correct}
        if set(answers.get(question.pk, ())) == correct:
            right += 1
    return round(100 * right / len(questions))


@transaction.atomic
def quiz_submit(
    *,
    enrollment: Enrollment,
    quiz: Quiz,
    data: Mapping[str, Sequence[str]],
    submission_key: uuid.UUID,
) -> QuizResult:
    """Check the answers on the server and store the attempt.

    The same `submission_key` again (double click, replayed request) returns the stored
    attempt and changes nothing; a key used by someone else's attempt is refused.
    """
    existing = QuizAttempt.objects.filter(submission_key=submission_key).first()
    if existing is not None:
        if existing.enrollment_id != enrollment.pk or existing.quiz_id != quiz.pk:
            raise ValidationError(_("This form was already used. Please try again."))
        return QuizResult(existing, replayed=True)
    if quiz.lesson.module.course_id != enrollment.course_id:
        raise ValidationError(_("This quiz is not part of the course."))
    answers = quiz_parse_answers(quiz, data)
    score = quiz_score(quiz, answers)
    try:
        with transaction.atomic():
            attempt = QuizAttempt.objects.create(
                enrollment=enrollment,
                quiz=quiz,
                submission_key=submission_key,
                answers={str(k): v for k, v in answers.items()},
                score_pct=score,
                passed=score >= quiz.pass_mark_pct,
            )
    except IntegrityError:  # the same form submitted twice at the same moment
        existing = QuizAttempt.objects.filter(
            submission_key=submission_key, enrollment=enrollment, quiz=quiz
        ).first()
        if existing is None:
            raise ValidationError(
                _("This form was already used. Please try again.")
            ) from None
        return QuizResult(existing, replayed=True)
    if attempt.passed:
        lesson_complete(enrollment=enrollment, lesson=quiz.lesson)
    return QuizResult(attempt, replayed=False)


# Scenarios -------------------------------------------------------------------------------


def scenario_progress_get(
    *, enrollment: Enrollment, scenario: Scenario
) -> ScenarioProgress:
    progress, _created = ScenarioProgress.objects.get_or_create(
        enrollment=enrollment,
        scenario=scenario,
        defaults={"current_step": scenario.start},
    )
    return progress


@transaction.atomic
def scenario_choose(
    *, progress: ScenarioProgress, step_id: int, choice_id: int
) -> ScenarioChoice:
    """Take a choice at the current step and move on. A choice for a step that is not
    the current one (a stale page, a replay, another scenario) is refused."""
    progress = ScenarioProgress.objects.select_for_update().get(pk=progress.pk)
    if progress.current_step_id is None or progress.current_step_id != step_id:
        raise ValidationError(_("That step is already behind you."))
    try:
        choice = ScenarioChoice.objects.select_related("next_step").get(
            pk=choice_id, step_id=progress.current_step_id
        )
    except ScenarioChoice.DoesNotExist:
        raise ValidationError(_("That is not one of the choices.")) from None
    progress.path = [*progress.path, choice.pk]
    progress.current_step = choice.next_step
    if choice.next_step is None:
        progress.finished_at = timezone.now()
    progress.updated_at = timezone.now()
    progress.save(update_fields=("path", "current_step", "finished_at", "updated_at"))
    return choice


def scenario_restart(progress: ScenarioProgress) -> None:
    progress.path = []
    progress.current_step = progress.scenario.start
    progress.finished_at = None
    progress.updated_at = timezone.now()
    progress.save(update_fields=("path", "current_step", "finished_at", "updated_at"))


# Authoring -------------------------------------------------------------------------------


def _next_position(items: Any) -> int:
    last = items.order_by("-position").values_list("position", flat=True).first()
    return 0 if last is None else last + 1


def module_create(*, course: Course, title: str) -> Module:
    module = Module.objects.create(
        course=course, title=title, position=_next_position(course.modules.all())
    )
    course.touch()
    return module


def lesson_position(module: Module) -> int:
    return _next_position(module.lessons.all())


def question_position(quiz: Quiz) -> int:
    return _next_position(quiz.questions.all())


@transaction.atomic
def move(item: Module | Lesson | Question, direction: str) -> None:
    """Swap an item with its neighbour ("up" or "down") among its siblings."""
    siblings: list[Any]
    if isinstance(item, Module):
        siblings = list(Module.objects.filter(course_id=item.course_id))
    elif isinstance(item, Lesson):
        siblings = list(Lesson.objects.filter(module_id=item.module_id))
    else:
        siblings = list(Question.objects.filter(quiz_id=item.quiz_id))
    siblings.sort(key=lambda s: (s.position, s.pk))
    index = next(i for i, s in enumerate(siblings) if s.pk == item.pk)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(siblings):
        return
    siblings[index], siblings[other] = siblings[other], siblings[index]
    for position, sibling in enumerate(siblings):
        if sibling.position != position:
            sibling.position = position
            sibling.save(update_fields=("position",))


def course_set_status(course: Course, status: str) -> None:
    if status == Course.Status.PUBLISHED and not course.lessons().exists():
        raise ValidationError(_("Add at least one lesson before publishing."))
    course.status = status
    course.updated_at = timezone.now()
    course.save(update_fields=("status", "updated_at"))


@transaction.atomic
def course_copy(*, course: Course, organization: Organization) -> Course:
    """Deep-copy a course (modules, lessons, images, quizzes, scenarios) into the
    organization as a draft. Prerequisites are not copied: they may name courses the
    organization does not own."""
    copy = Course.objects.create(
        organization=organization,
        slug=course.slug,
        title=course.title,
        summary=course.summary,
        description=course.description,
        status=Course.Status.DRAFT,
        copied_from=course,
    )
    for module in course.modules.all():
        new_module = Module.objects.create(
            course=copy, slug=module.slug, title=module.title, position=module.position
        )
        for lesson in module.lessons.all():
            _copy_lesson(lesson, new_module)
    return copy


def _copy_lesson(lesson: Lesson, module: Module) -> Lesson:
    new = Lesson.objects.create(
        module=module,
        slug=lesson.slug,
        title=lesson.title,
        body=lesson.body,
        video_url=lesson.video_url,
        sources=lesson.sources,
        position=lesson.position,
    )
    for image in lesson.images.all():
        new.images.create(
            image=image.image.name,
            image_format=image.image_format,
            alt_text=image.alt_text,
            caption=image.caption,
            position=image.position,
        )
    quiz = getattr(lesson, "quiz", None)
    if quiz is not None:
        new_quiz = Quiz.objects.create(lesson=new, pass_mark_pct=quiz.pass_mark_pct)
        for question in quiz.questions.all():
            new_question = Question.objects.create(
                quiz=new_quiz,
                prompt=question.prompt,
                kind=question.kind,
                position=question.position,
            )
            Choice.objects.bulk_create(
                Choice(
                    question=new_question,
                    text=c.text,
                    correct=c.correct,
                    explanation=c.explanation,
                    position=c.position,
                )
                for c in question.choices.all()
            )
    scenario = getattr(lesson, "scenario", None)
    if scenario is not None:
        new_scenario = Scenario.objects.create(
            lesson=new, title=scenario.title, situation=scenario.situation
        )
        steps = {
            step.pk: ScenarioStep.objects.create(
                scenario=new_scenario, key=step.key, prompt=step.prompt
            )
            for step in scenario.steps.all()
        }
        for step in scenario.steps.all():
            for choice in step.choices.all():
                ScenarioChoice.objects.create(
                    step=steps[step.pk],
                    text=choice.text,
                    consequence=choice.consequence,
                    coaching=choice.coaching,
                    next_step=steps.get(choice.next_step_id or 0),
                    position=choice.position,
                )
        if scenario.start_id is not None:
            new_scenario.start = steps[scenario.start_id]
            new_scenario.save(update_fields=("start",))
    return new


# Loading the shipped curriculum ----------------------------------------------------------


@dataclass
class LoadReport:
    created: list[str]
    updated: list[str]
    unchanged: list[str]


@transaction.atomic
def curriculum_load(specs: Sequence[Any]) -> LoadReport:
    """Create or update the library courses from curriculum specs (CourseSpec).

    Idempotent: a course is matched by slug and rewritten only when its spec's
    `version` is higher than the one loaded. Modules and lessons are matched by slug
    and updated in place, so learners' progress on them survives; a lesson removed
    from the spec is deleted (with the progress on it). Quizzes and scenarios are
    replaced wholesale.
    """
    report = LoadReport([], [], [])
    courses: dict[str, Course] = {}
    changed: set[str] = set()
    for spec in specs:
        course = Course.objects.library().filter(slug=spec.slug).first()
        if course is not None and course.library_version >= spec.version:
            report.unchanged.append(spec.slug)
            courses[spec.slug] = course
            continue
        if course is None:
            course = Course(organization=None, slug=spec.slug)
            report.created.append(spec.slug)
        else:
            report.updated.append(spec.slug)
        course.title = spec.title
        course.summary = spec.summary
        course.description = spec.description
        course.status = Course.Status.PUBLISHED
        course.library_version = spec.version
        course.updated_at = timezone.now()
        course.save()
        _sync_modules(course, spec.modules)
        courses[spec.slug] = course
        changed.add(spec.slug)
    for spec in specs:
        if spec.slug in changed:
            course = courses[spec.slug]
            course.prerequisites.set(
                [courses[slug] for slug in spec.prerequisites if slug in courses]
            )
    return report


def _sync_modules(course: Course, module_specs: Sequence[Any]) -> None:
    existing = {m.slug: m for m in course.modules.all()}
    keep: set[int] = set()
    for position, spec in enumerate(module_specs):
        module = existing.get(spec.slug) or Module(course=course, slug=spec.slug)
        module.title = spec.title
        module.position = position
        module.save()
        keep.add(module.pk)
        _sync_lessons(module, spec.lessons)
    course.modules.exclude(pk__in=keep).delete()


def _sync_lessons(module: Module, lesson_specs: Sequence[Any]) -> None:
    existing = {
        lesson.slug: lesson
        for lesson in Lesson.objects.filter(module__course=module.course)
    }
    keep: set[int] = set()
    for position, spec in enumerate(lesson_specs):
        lesson = existing.get(spec.slug) or Lesson(slug=spec.slug)
        lesson.module = module
        lesson.title = spec.title
        lesson.body = spec.body
        lesson.video_url = spec.video_url or ""
        lesson.sources = "\n".join(spec.sources)
        lesson.position = position
        lesson.save()
        keep.add(lesson.pk)
        Quiz.objects.filter(lesson=lesson).delete()
        if spec.quiz is not None:
            quiz = Quiz.objects.create(
                lesson=lesson, pass_mark_pct=spec.quiz.pass_mark_pct
            )
            for q_position, q_spec in enumerate(spec.quiz.questions):
                question = Question.objects.create(
                    quiz=quiz,
                    prompt=q_spec.prompt,
                    kind=q_spec.kind,
                    position=q_position,
                )
                Choice.objects.bulk_create(
                    Choice(
                        question=question,
                        text=c.text,
                        correct=c.correct,
                        explanation=c.explanation,
                        position=c_position,
                    )
                    for c_position, c in enumerate(q_spec.choices)
                )
        Scenario.objects.filter(lesson=lesson).delete()
        if spec.scenario is not None:
            _create_scenario(lesson, spec.scenario)
    module.lessons.exclude(pk__in=keep).delete()


def _create_scenario(lesson: Lesson, spec: Any) -> Scenario:
    scenario = Scenario.objects.create(
        lesson=lesson, title=spec.title, situation=spec.situation
    )
    steps = {
        s.key: ScenarioStep.objects.create(
            scenario=scenario, key=s.key, prompt=s.prompt
        )
        for s in spec.steps
    }
    for s in spec.steps:
        for position, c in enumerate(s.choices):
            ScenarioChoice.objects.create(
                step=steps[s.key],
                text=c.text,
                consequence=c.consequence,
                coaching=c.coaching,
                next_step=steps[c.next_step] if c.next_step else None,
                position=position,
            )
    scenario.start = steps[spec.start]
    scenario.save(update_fields=("start",))
    return scenario
