from __future__ import annotations

import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch
from django.forms import BaseForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from alongside.audit.services import audit_record
from alongside.learning import services
from alongside.learning.certificates import certificate_pdf_bytes
from alongside.learning.forms import (
    CourseForm,
    LessonForm,
    LessonImageForm,
    ModuleForm,
    QuestionForm,
    QuizForm,
)
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
    ScenarioChoice,
)
from alongside.lib.http import client_ip
from alongside.lib.pagination import paginate
from alongside.lib.ratelimit import private_key_part, rate_limit_hit
from alongside.organizations.access import OrgHttpRequest, member_required

# Certificate checks per client address in VERIFY_WINDOW seconds.
VERIFY_LIMIT = 30
VERIFY_WINDOW = 600

# Helpers: the permission doors of this app ---------------------------------------------


def author_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Facilitators and program admins author courses; other members get 404."""

    @wraps(view)
    def inner(request: OrgHttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.membership.is_facilitator:
            raise Http404
        response = view(request, *args, **kwargs)
        add_never_cache_headers(response)
        return response

    return member_required(inner)


def _context(request: OrgHttpRequest, **extra: Any) -> dict[str, Any]:
    return {
        "organization": request.organization,
        "membership": request.membership,
        **extra,
    }


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


def _get_own_course(request: OrgHttpRequest, pk: int) -> Course:
    """A course the organization owns, for editing."""
    return get_object_or_404(
        Course.objects.for_organization(request.organization), pk=pk
    )


def _get_own_module(request: OrgHttpRequest, pk: int) -> Module:
    return get_object_or_404(
        Module.objects.select_related("course"),
        pk=pk,
        course__organization=request.organization,
    )


def _get_own_lesson(request: OrgHttpRequest, pk: int) -> Lesson:
    return get_object_or_404(
        Lesson.objects.select_related("module__course"),
        pk=pk,
        module__course__organization=request.organization,
    )


def _get_own_question(request: OrgHttpRequest, pk: int) -> Question:
    return get_object_or_404(
        Question.objects.select_related("quiz__lesson__module__course"),
        pk=pk,
        quiz__lesson__module__course__organization=request.organization,
    )


def _enrollment(request: OrgHttpRequest, course: Course) -> Enrollment | None:
    return Enrollment.objects.filter(
        organization=request.organization, member=request.user, course=course
    ).first()


def _add_errors(form: BaseForm, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _audit(request: OrgHttpRequest, action: str, target: Any) -> None:
    audit_record(
        action=action,
        actor=request.user,
        organization=request.organization,
        target=target,
        request=request,
    )


# Learners ------------------------------------------------------------------------------


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
        _context(request, page_obj=page, rows=rows, enrollments=enrollments),
    )


@member_required
def course_detail(request: OrgHttpRequest, pk: int) -> HttpResponse:
    course = _get_course(request, pk)
    enrollment = _enrollment(request, course)
    done = enrollment.completed_lesson_ids() if enrollment else set()
    modules = course.modules.prefetch_related(
        Prefetch("lessons", queryset=Lesson.objects.order_by("position", "id"))
    )
    context = _context(
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
    context = _context(
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
        _context(
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
        context = _context(
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
        context = _context(
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


@login_not_required
def certificate_verify(request: HttpRequest, code: str) -> HttpResponse:
    """Public: says whether a certificate is valid. An unknown code and a revoked one
    get the same "not valid" page (404), so nothing can be learned by trying codes.
    Codes carry 256 random bits; a per-address rate limit is a second fence."""
    key = f"learning:verify:{private_key_part(client_ip(request))}"
    if not rate_limit_hit(key, limit=VERIFY_LIMIT, window=VERIFY_WINDOW):
        return render(
            request, "learning/certificate_invalid.html", {"too_many": True}, status=429
        )
    certificate = (
        Certificate.objects.valid().filter(code=code).first()
        if len(code) <= 64
        else None
    )
    if certificate is None:
        response = render(request, "learning/certificate_invalid.html", status=404)
    else:
        response = render(
            request, "learning/certificate_verify.html", {"certificate": certificate}
        )
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"
    return response


# Authoring -------------------------------------------------------------------------------


@author_required
def manage(request: OrgHttpRequest) -> HttpResponse:
    own = Course.objects.for_organization(request.organization).annotate(
        enrollment_count=Count("enrollments", distinct=True),
        lesson_count=Count("modules__lessons", distinct=True),
    )
    library = Course.objects.library().filter(status=Course.Status.PUBLISHED)
    return render(
        request,
        "learning/manage.html",
        _context(request, own=list(own), library=list(library)),
    )


def _prerequisite_choices(request: OrgHttpRequest, course: Course | None) -> Any:
    qs = Course.objects.visible_to_author(request.organization)
    if course is not None:
        qs = qs.exclude(pk=course.pk)
    return qs


@author_required
def course_create(request: OrgHttpRequest) -> HttpResponse:
    form = CourseForm(
        request.POST or None,
        instance=Course(organization=request.organization),
        prerequisite_choices=_prerequisite_choices(request, None),
    )
    if request.method == "POST" and form.is_valid():
        course = form.save()
        _audit(request, "learning.course_created", course)
        messages.success(
            request, _("Course created as a draft. Add a module and lessons.")
        )
        return redirect(
            "learning:course_edit", org=request.organization.slug, pk=course.pk
        )
    return render(request, "learning/course_form.html", _context(request, form=form))


@author_required
def course_edit(request: OrgHttpRequest, pk: int) -> HttpResponse:
    course = _get_own_course(request, pk)
    form = CourseForm(
        request.POST or None,
        instance=course,
        prerequisite_choices=_prerequisite_choices(request, course),
    )
    if request.method == "POST" and form.is_valid():
        form.save()
        course.touch()
        _audit(request, "learning.course_edited", course)
        messages.success(request, _("Course saved."))
        return redirect("learning:course_edit", org=request.organization.slug, pk=pk)
    modules = course.modules.prefetch_related(
        Prefetch("lessons", queryset=Lesson.objects.order_by("position", "id"))
    )
    return render(
        request,
        "learning/course_edit.html",
        _context(
            request,
            course=course,
            form=form,
            modules=modules,
            module_form=ModuleForm(),
            enrollment_count=course.enrollments.count(),
        ),
    )


@require_POST
@author_required
def course_status(request: OrgHttpRequest, pk: int) -> HttpResponse:
    course = _get_own_course(request, pk)
    status = request.POST.get("status", "")
    if status not in Course.Status.values:
        messages.error(request, _("Unknown status."))
    else:
        try:
            services.course_set_status(course, status)
        except ValidationError as e:
            messages.error(request, " ".join(e.messages))
        else:
            published = status == Course.Status.PUBLISHED
            _audit(
                request,
                "learning.course_published"
                if published
                else "learning.course_unpublished",
                course,
            )
            messages.success(
                request,
                _("Published: members can now take it.")
                if published
                else _("Back to draft: members no longer see it."),
            )
    return redirect("learning:course_edit", org=request.organization.slug, pk=pk)


@author_required
def course_copy(request: OrgHttpRequest, pk: int) -> HttpResponse:
    course = get_object_or_404(
        Course.objects.visible_to_author(request.organization), pk=pk
    )
    if request.method == "POST":
        copy = services.course_copy(course=course, organization=request.organization)
        _audit(request, "learning.course_copied", copy)
        messages.success(request, _("Copied as a draft. Adapt it, then publish it."))
        return redirect(
            "learning:course_edit", org=request.organization.slug, pk=copy.pk
        )
    return render(
        request, "learning/course_copy.html", _context(request, course=course)
    )


@require_POST
@author_required
def module_create(request: OrgHttpRequest, pk: int) -> HttpResponse:
    course = _get_own_course(request, pk)
    form = ModuleForm(request.POST)
    if form.is_valid():
        services.module_create(course=course, title=form.cleaned_data["title"])
        _audit(request, "learning.course_edited", course)
    else:
        messages.error(request, _("Give the module a title (at most 140 characters)."))
    return redirect("learning:course_edit", org=request.organization.slug, pk=pk)


@author_required
def module_edit(request: OrgHttpRequest, pk: int) -> HttpResponse:
    module = _get_own_module(request, pk)
    form = ModuleForm(request.POST or None, initial={"title": module.title})
    if request.method == "POST" and form.is_valid():
        module.title = form.cleaned_data["title"]
        module.save(update_fields=("title",))
        module.course.touch()
        _audit(request, "learning.course_edited", module.course)
        return redirect(
            "learning:course_edit", org=request.organization.slug, pk=module.course_id
        )
    return render(
        request,
        "learning/simple_form.html",
        _context(
            request,
            form=form,
            heading=_("Rename the module"),
            back=module.course,
        ),
    )


@require_POST
@author_required
def module_move(request: OrgHttpRequest, pk: int) -> HttpResponse:
    module = _get_own_module(request, pk)
    services.move(module, request.POST.get("direction", ""))
    return redirect(
        "learning:course_edit", org=request.organization.slug, pk=module.course_id
    )


@author_required
def module_delete(request: OrgHttpRequest, pk: int) -> HttpResponse:
    module = _get_own_module(request, pk)
    course = module.course
    return _delete_part(
        request,
        module,
        course=course,
        thing=module.title,
        warning=_(
            "Its lessons, quizzes and the progress members made on them are deleted too."
        ),
        done=_("Module deleted."),
        then=reverse(
            "learning:course_edit",
            kwargs={"org": request.organization.slug, "pk": course.pk},
        ),
    )


def _delete_part(
    request: OrgHttpRequest,
    part: Module | Lesson | Question,
    *,
    course: Course,
    thing: str,
    warning: str,
    done: str,
    then: str,
) -> HttpResponse:
    """Delete a module, lesson or question of a course after a confirmation page; the
    course counts as edited (its date moves and the audit log says so)."""
    if request.method == "POST":
        part.delete()
        course.touch()
        _audit(request, "learning.course_edited", course)
        messages.success(request, done)
        return redirect(then)
    return render(
        request,
        "learning/confirm_delete.html",
        _context(request, thing=thing, warning=warning, back=course),
    )


@author_required
def lesson_create(request: OrgHttpRequest, pk: int) -> HttpResponse:
    module = _get_own_module(request, pk)
    lesson = Lesson(module=module, position=services.lesson_position(module))
    return _lesson_form(request, lesson, created=True)


@author_required
def lesson_edit(request: OrgHttpRequest, pk: int) -> HttpResponse:
    return _lesson_form(request, _get_own_lesson(request, pk), created=False)


def _lesson_form(
    request: OrgHttpRequest, lesson: Lesson, *, created: bool
) -> HttpResponse:
    form = LessonForm(request.POST or None, instance=lesson)
    preview = None
    if request.method == "POST" and form.is_valid():
        if "preview" in request.POST:
            body, after = lesson.body_with_images(
                list(lesson.images.all()) if lesson.pk else [],
                form.cleaned_data["body"],
            )
            preview = body + mark_safe("".join(i.figure_html() for i in after))  # noqa: S308
            if request.htmx:
                return render(
                    request,
                    "learning/lesson_form.html#preview",
                    _context(request, preview=preview),
                )
        else:
            form.save()
            lesson.module.course.touch()
            _audit(request, "learning.course_edited", lesson.module.course)
            messages.success(request, _("Lesson saved."))
            return redirect(
                "learning:lesson_edit", org=request.organization.slug, pk=lesson.pk
            )
    quiz = Quiz.objects.filter(lesson=lesson).first() if lesson.pk else None
    return render(
        request,
        "learning/lesson_form.html",
        _context(
            request,
            form=form,
            lesson=lesson,
            course=lesson.module.course,
            created=created,
            preview=preview,
            images=list(lesson.images.all()) if lesson.pk else [],
            image_form=LessonImageForm(),
            quiz=quiz,
            quiz_form=QuizForm(instance=quiz),
            questions=list(quiz.questions.prefetch_related("choices")) if quiz else [],
        ),
    )


@require_POST
@author_required
def lesson_move(request: OrgHttpRequest, pk: int) -> HttpResponse:
    lesson = _get_own_lesson(request, pk)
    services.move(lesson, request.POST.get("direction", ""))
    return redirect(
        "learning:course_edit",
        org=request.organization.slug,
        pk=lesson.module.course_id,
    )


@author_required
def lesson_delete(request: OrgHttpRequest, pk: int) -> HttpResponse:
    lesson = _get_own_lesson(request, pk)
    course = lesson.module.course
    return _delete_part(
        request,
        lesson,
        course=course,
        thing=lesson.title,
        warning=_("Its quiz and the progress members made on it are deleted too."),
        done=_("Lesson deleted."),
        then=reverse(
            "learning:course_edit",
            kwargs={"org": request.organization.slug, "pk": course.pk},
        ),
    )


@require_POST
@author_required
def image_add(request: OrgHttpRequest, pk: int) -> HttpResponse:
    lesson = _get_own_lesson(request, pk)
    form = LessonImageForm(
        request.POST, request.FILES, instance=LessonImage(lesson=lesson)
    )
    if form.is_valid():
        form.save()
        messages.success(request, _("Image added."))
    else:
        errors = [str(e) for errs in form.errors.values() for e in errs]
        messages.error(request, " ".join(errors))
    return redirect("learning:lesson_edit", org=request.organization.slug, pk=pk)


@author_required
def image_delete(request: OrgHttpRequest, pk: int) -> HttpResponse:
    image = get_object_or_404(
        LessonImage.objects.select_related("lesson__module__course"),
        pk=pk,
        lesson__module__course__organization=request.organization,
    )
    lesson = image.lesson
    if request.method == "POST":
        image.delete()
        messages.success(request, _("Image removed."))
        return redirect(
            "learning:lesson_edit", org=request.organization.slug, pk=lesson.pk
        )
    return render(
        request,
        "learning/confirm_delete.html",
        _context(request, thing=image.alt_text, warning="", back=lesson.module.course),
    )


@require_POST
@author_required
def quiz_edit(request: OrgHttpRequest, pk: int) -> HttpResponse:
    lesson = _get_own_lesson(request, pk)
    quiz = Quiz.objects.filter(lesson=lesson).first() or Quiz(lesson=lesson)
    form = QuizForm(request.POST, instance=quiz)
    if form.is_valid():
        form.save()
        _audit(request, "learning.course_edited", lesson.module.course)
        messages.success(request, _("Quiz saved."))
    else:
        messages.error(request, _("The pass mark is a whole number from 1 to 100."))
    return redirect("learning:lesson_edit", org=request.organization.slug, pk=pk)


def _save_question(question: Question, data: dict[str, Any]) -> None:
    question.prompt = data["prompt"]
    question.kind = data["kind"]
    question.save()
    question.choices.all().delete()
    Choice.objects.bulk_create(
        Choice(question=question, position=i, **choice)
        for i, choice in enumerate(data["choices"])
    )


@author_required
def question_create(request: OrgHttpRequest, pk: int) -> HttpResponse:
    lesson = _get_own_lesson(request, pk)
    form = QuestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        quiz, _created = Quiz.objects.get_or_create(lesson=lesson)
        _save_question(
            Question(quiz=quiz, position=services.question_position(quiz)),
            form.cleaned_data,
        )
        _audit(request, "learning.course_edited", lesson.module.course)
        messages.success(request, _("Question added."))
        return redirect("learning:lesson_edit", org=request.organization.slug, pk=pk)
    return render(
        request,
        "learning/question_form.html",
        _context(request, form=form, lesson=lesson),
    )


@author_required
def question_edit(request: OrgHttpRequest, pk: int) -> HttpResponse:
    question = _get_own_question(request, pk)
    lesson = question.quiz.lesson
    form = QuestionForm(
        request.POST or None, initial=QuestionForm.initial_for(question)
    )
    if request.method == "POST" and form.is_valid():
        _save_question(question, form.cleaned_data)
        _audit(request, "learning.course_edited", lesson.module.course)
        messages.success(request, _("Question saved."))
        return redirect(
            "learning:lesson_edit", org=request.organization.slug, pk=lesson.pk
        )
    return render(
        request,
        "learning/question_form.html",
        _context(request, form=form, lesson=lesson, question=question),
    )


@require_POST
@author_required
def question_move(request: OrgHttpRequest, pk: int) -> HttpResponse:
    question = _get_own_question(request, pk)
    services.move(question, request.POST.get("direction", ""))
    return redirect(
        "learning:lesson_edit",
        org=request.organization.slug,
        pk=question.quiz.lesson_id,
    )


@author_required
def question_delete(request: OrgHttpRequest, pk: int) -> HttpResponse:
    question = _get_own_question(request, pk)
    lesson = question.quiz.lesson
    return _delete_part(
        request,
        question,
        course=lesson.module.course,
        thing=question.prompt,
        warning="",
        done=_("Question deleted."),
        then=reverse(
            "learning:lesson_edit",
            kwargs={"org": request.organization.slug, "pk": lesson.pk},
        ),
    )
