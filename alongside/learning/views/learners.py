"""Learners' pages: the course list, a course, its lessons, quizzes and scenarios,
and the member's own certificates."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from alongside.learning import services
from alongside.learning.certificates import certificate_pdf_bytes
from alongside.learning.models import (
    Certificate,
    Course,
    Enrollment,
    Lesson,
    Quiz,
    QuizAttempt,
    ScenarioChoice,
)
from alongside.learning.views.page_context import page_context
from alongside.lib.pagination import paginate
from alongside.organizations.access import OrgHttpRequest, member_required


def _is_author(request: OrgHttpRequest) -> bool:
    return request.membership.is_facilitator


def _get_course(request: OrgHttpRequest, pk: int) -> Course:
    """A course the viewer may open: published and available to the organization;
    authors also see their organization's drafts (preview)."""
    if _is_author(request):
        qs = Course.objects.visible_to_author(request.organization)
    else:
        qs = Course.objects.available_to(request.organization)
    return get_object_or_404(qs, pk=pk)


def _get_lesson(request: OrgHttpRequest, pk: int) -> Lesson:
    lesson = get_object_or_404(Lesson.objects.select_related("module__course"), pk=pk)
    _get_course(request, lesson.module.course_id)
    return lesson


def _enrollment(request: OrgHttpRequest, course: Course) -> Enrollment | None:
    return Enrollment.objects.filter(
        organization=request.organization, member=request.user, course=course
    ).first()


@member_required
def course_list(request: OrgHttpRequest) -> HttpResponse:
    enrollments = list(
        Enrollment.objects.for_organization(request.organization)
        .of_member(request.user)
        .select_related("course", "certificate")
    )
    enrolled = {e.course_id: e for e in enrollments}
    courses = (
        Course.objects.available_to(request.organization)
        .annotate(lesson_count=Count("modules__lessons"))
        .order_by("organization_id", "title", "id")
    )
    page = paginate(request, courses)
    rows = [(course, enrolled.get(course.pk)) for course in page]
    return render(
        request,
        "learning/course_list.html",
        page_context(request, page_obj=page, rows=rows, enrollments=enrollments),
    )


@member_required
def course_detail(request: OrgHttpRequest, pk: int) -> HttpResponse:
    course = _get_course(request, pk)
    enrollment = _enrollment(request, course)
    done = enrollment.completed_lesson_ids() if enrollment else set()
    modules = course.modules.prefetch_related(
        Prefetch("lessons", queryset=Lesson.objects.order_by("position", "id"))
    )
    context = page_context(
        request,
        course=course,
        enrollment=enrollment,
        modules=modules,
        done=done,
        preview=not course.is_published,
        missing=[]
        if enrollment
        else services.missing_prerequisites(
            organization=request.organization, member=request.user, course=course
        ),
    )
    if enrollment is not None:
        context["progress"] = services.enrollment_status(enrollment)
        context["resume"] = services.next_lesson(enrollment)
        context["certificate"] = Certificate.objects.filter(
            enrollment=enrollment
        ).first()
    return render(request, "learning/course_detail.html", context)


@require_POST
@member_required
def course_enroll(request: OrgHttpRequest, pk: int) -> HttpResponse:
    course = _get_course(request, pk)
    try:
        enrollment = services.enrollment_create(
            organization=request.organization, member=request.user, course=course
        )
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
        return redirect("learning:course_detail", org=request.organization.slug, pk=pk)
    first = services.next_lesson(enrollment)
    if first is None:
        return redirect("learning:course_detail", org=request.organization.slug, pk=pk)
    messages.success(request, _("You are enrolled. Here is the first lesson."))
    return redirect(
        "learning:lesson_detail", org=request.organization.slug, pk=first.pk
    )


def _video_csp(response: HttpResponse, lesson: Lesson) -> None:
    """Allow this lesson's video host in frame-src, for this response only."""
    if lesson.safe_video_url():
        config = dict(settings.SECURE_CSP)
        config["frame-src"] = [f"https://{lesson.video_host}"]
        response._csp_config = config  # type: ignore[attr-defined]


def _lesson_context(
    request: OrgHttpRequest, lesson: Lesson, enrollment: Enrollment | None
) -> dict[str, Any]:
    course = lesson.module.course
    lessons = list(course.lessons())
    index = next(i for i, item in enumerate(lessons) if item.pk == lesson.pk)
    quiz = Quiz.objects.filter(lesson=lesson).first()
    questions = (
        list(quiz.questions.prefetch_related("choices")) if quiz is not None else []
    )
    scenario = getattr(lesson, "scenario", None)
    context = page_context(
        request,
        course=course,
        lesson=lesson,
        enrollment=enrollment,
        previous=lessons[index - 1] if index > 0 else None,
        next=lessons[index + 1] if index + 1 < len(lessons) else None,
        position=index + 1,
        total=len(lessons),
        quiz=quiz,
        questions=questions,
        submission_key=uuid.uuid4(),
        scenario=scenario,
        done=bool(enrollment and lesson.pk in enrollment.completed_lesson_ids()),
        attempts=list(QuizAttempt.objects.filter(enrollment=enrollment, quiz=quiz)[:5])
        if enrollment and quiz
        else [],
    )
    context["body_html"], context["images_after"] = lesson.body_with_images(
        list(lesson.images.all())
    )
    if enrollment is not None and scenario is not None and scenario.start_id:
        context.update(_scenario_context(enrollment, scenario))
    return context


def _scenario_context(enrollment: Enrollment, scenario: Any) -> dict[str, Any]:
    progress = services.scenario_progress_get(enrollment=enrollment, scenario=scenario)
    taken = {
        c.pk: c
        for c in ScenarioChoice.objects.filter(pk__in=progress.path).select_related(
            "step"
        )
    }
    return {
        "progress": progress,
        "history": [taken[pk] for pk in progress.path if pk in taken],
        "step": progress.current_step,
        "step_choices": list(progress.current_step.choices.all())
        if progress.current_step
        else [],
    }


@member_required
def lesson_detail(request: OrgHttpRequest, pk: int) -> HttpResponse:
    lesson = _get_lesson(request, pk)
    course = lesson.module.course
    enrollment = _enrollment(request, course)
    if enrollment is None and not _is_author(request):
        messages.info(request, _("Enroll in the course to open its lessons."))
        return redirect(
            "learning:course_detail", org=request.organization.slug, pk=course.pk
        )
    if enrollment is not None:
        services.lesson_visit(enrollment, lesson)
    response = render(
        request,
        "learning/lesson_detail.html",
        _lesson_context(request, lesson, enrollment),
    )
    _video_csp(response, lesson)
    return response


def _own_enrollment_for(request: OrgHttpRequest, lesson: Lesson) -> Enrollment:
    enrollment = _enrollment(request, lesson.module.course)
    if enrollment is None:
        raise Http404
    return enrollment


@require_POST
@member_required
def lesson_done(request: OrgHttpRequest, pk: int) -> HttpResponse:
    lesson = _get_lesson(request, pk)
    enrollment = _own_enrollment_for(request, lesson)
    if services.lesson_complete(enrollment=enrollment, lesson=lesson):
        enrollment.refresh_from_db()
        if enrollment.is_completed:
            messages.success(request, _("You completed the course. Well done!"))
            return redirect(
                "learning:course_detail",
                org=request.organization.slug,
                pk=enrollment.course_id,
            )
        messages.success(request, _("Lesson done."))
        following = services.next_lesson(enrollment)
        if following is not None:
            return redirect(
                "learning:lesson_detail", org=request.organization.slug, pk=following.pk
            )
    else:
        messages.error(request, _("Pass the quiz to complete this lesson."))
    return redirect("learning:lesson_detail", org=request.organization.slug, pk=pk)


@require_POST
@member_required
def quiz_submit(request: OrgHttpRequest, pk: int) -> HttpResponse:
    lesson = _get_lesson(request, pk)
    enrollment = _own_enrollment_for(request, lesson)
    quiz = get_object_or_404(Quiz, lesson=lesson)
    try:
        key = uuid.UUID(request.POST.get("submission_key", ""))
    except ValueError:
        key = None
    if key is None:
        messages.error(
            request, _("This form is out of date: reload the page and try again.")
        )
        return redirect("learning:lesson_detail", org=request.organization.slug, pk=pk)
    try:
        result = services.quiz_submit(
            enrollment=enrollment,
            quiz=quiz,
            data={k: request.POST.getlist(k) for k in request.POST},
            submission_key=key,
        )
    except ValidationError as e:
        context = _lesson_context(request, lesson, enrollment)
        context["quiz_errors"] = e.messages
        response = render(request, "learning/lesson_detail.html", context, status=400)
        _video_csp(response, lesson)
        return response
    return redirect(
        "learning:attempt_detail", org=request.organization.slug, pk=result.attempt.pk
    )


@member_required
def attempt_detail(request: OrgHttpRequest, pk: int) -> HttpResponse:
    attempt = get_object_or_404(
        QuizAttempt.objects.select_related(
            "quiz__lesson__module__course", "enrollment"
        ),
        pk=pk,
        enrollment__organization=request.organization,
        enrollment__member=request.user,
    )
    questions = attempt.quiz.questions.prefetch_related("choices")
    rows = []
    for question in questions:
        chosen = set(attempt.chosen_ids(question.pk))
        correct = {c.pk for c in question.choices.all() if c.correct}
        rows.append(
            {
                "question": question,
                "chosen": chosen,
                "right": chosen == correct,
            }
        )
    enrollment = attempt.enrollment
    return render(
        request,
        "learning/attempt_detail.html",
        page_context(
            request,
            attempt=attempt,
            lesson=attempt.quiz.lesson,
            course=attempt.quiz.lesson.module.course,
            rows=rows,
            following=services.next_lesson(enrollment) if attempt.passed else None,
            enrollment=enrollment,
        ),
    )


@require_POST
@member_required
def scenario_choose(request: OrgHttpRequest, pk: int) -> HttpResponse:
    lesson = _get_lesson(request, pk)
    enrollment = _own_enrollment_for(request, lesson)
    scenario = getattr(lesson, "scenario", None)
    if scenario is None:
        raise Http404
    progress = services.scenario_progress_get(enrollment=enrollment, scenario=scenario)
    error = ""
    try:
        services.scenario_choose(
            progress=progress,
            step_id=int(request.POST.get("step", "0") or 0),
            choice_id=int(request.POST.get("choice", "0") or 0),
        )
    except (ValidationError, ValueError) as e:
        error = (
            " ".join(e.messages)
            if isinstance(e, ValidationError)
            else _("That is not one of the choices.")
        )
    if request.htmx:
        context = page_context(
            request,
            lesson=lesson,
            scenario=scenario,
            enrollment=enrollment,
            scenario_error=error,
        )
        context.update(_scenario_context(enrollment, scenario))
        return render(request, "learning/lesson_detail.html#scenario", context)
    if error:
        messages.error(request, error)
    return redirect(f"{lesson_url(request, lesson)}#scenario")


def lesson_url(request: OrgHttpRequest, lesson: Lesson) -> str:
    from django.urls import reverse

    return reverse(
        "learning:lesson_detail",
        kwargs={"org": request.organization.slug, "pk": lesson.pk},
    )


@require_POST
@member_required
def scenario_restart(request: OrgHttpRequest, pk: int) -> HttpResponse:
    lesson = _get_lesson(request, pk)
    enrollment = _own_enrollment_for(request, lesson)
    scenario = getattr(lesson, "scenario", None)
    if scenario is None:
        raise Http404
    progress = services.scenario_progress_get(enrollment=enrollment, scenario=scenario)
    services.scenario_restart(progress)
    if request.htmx:
        context = page_context(
            request, lesson=lesson, scenario=scenario, enrollment=enrollment
        )
        context.update(_scenario_context(enrollment, scenario))
        return render(request, "learning/lesson_detail.html#scenario", context)
    return redirect(f"{lesson_url(request, lesson)}#scenario")


@member_required
def certificate_pdf(request: OrgHttpRequest, pk: int) -> HttpResponse:
    certificate = get_object_or_404(
        Certificate.objects.valid(),
        pk=pk,
        organization=request.organization,
        member=request.user,
    )
    response = HttpResponse(
        certificate_pdf_bytes(certificate), content_type="application/pdf"
    )
    response["Content-Disposition"] = 'attachment; filename="certificate.pdf"'
    return response
