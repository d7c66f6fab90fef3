"""Authors' pages (facilitators and program admins): the organization's own courses,
their modules, lessons, images and quizzes."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from alongside.audit.services import audit_record
from alongside.learning import services
from alongside.learning.forms import (
    CourseForm,
    LessonForm,
    LessonImageForm,
    ModuleForm,
    QuestionForm,
    QuizForm,
)
from alongside.learning.models import (
    Choice,
    Course,
    Lesson,
    LessonImage,
    Module,
    Question,
    Quiz,
)
from alongside.learning.views.page_context import page_context
from alongside.organizations.access import OrgHttpRequest, member_required

# The permission door of authoring --------------------------------------------------


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


def _audit(request: OrgHttpRequest, action: str, target: Any) -> None:
    audit_record(
        action=action,
        actor=request.user,
        organization=request.organization,
        target=target,
        request=request,
    )


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
        page_context(request, own=list(own), library=list(library)),
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
    return render(
        request, "learning/course_form.html", page_context(request, form=form)
    )


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
        page_context(
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
        request, "learning/course_copy.html", page_context(request, course=course)
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
        page_context(
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
        page_context(request, thing=thing, warning=warning, back=course),
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
                    page_context(request, preview=preview),
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
        page_context(
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
        page_context(
            request, thing=image.alt_text, warning="", back=lesson.module.course
        ),
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
        page_context(request, form=form, lesson=lesson),
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
        page_context(request, form=form, lesson=lesson, question=question),
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
