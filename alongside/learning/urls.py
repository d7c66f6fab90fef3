from __future__ import annotations

from django.urls import path

from alongside.learning.views import authors, learners, public

app_name = "learning"

_M = "o/<slug:org>/learning/manage"

urlpatterns = [
    # Learners.
    path("o/<slug:org>/courses/", learners.course_list, name="course_list"),
    path(
        "o/<slug:org>/courses/<int:pk>/", learners.course_detail, name="course_detail"
    ),
    path(
        "o/<slug:org>/courses/<int:pk>/enroll/",
        learners.course_enroll,
        name="course_enroll",
    ),
    path(
        "o/<slug:org>/lessons/<int:pk>/", learners.lesson_detail, name="lesson_detail"
    ),
    path(
        "o/<slug:org>/lessons/<int:pk>/done/", learners.lesson_done, name="lesson_done"
    ),
    path(
        "o/<slug:org>/lessons/<int:pk>/quiz/", learners.quiz_submit, name="quiz_submit"
    ),
    path(
        "o/<slug:org>/lessons/<int:pk>/scenario/",
        learners.scenario_choose,
        name="scenario_choose",
    ),
    path(
        "o/<slug:org>/lessons/<int:pk>/scenario/restart/",
        learners.scenario_restart,
        name="scenario_restart",
    ),
    path(
        "o/<slug:org>/quiz-attempts/<int:pk>/",
        learners.attempt_detail,
        name="attempt_detail",
    ),
    path(
        "o/<slug:org>/learning/certificates/<int:pk>/pdf/",
        learners.certificate_pdf,
        name="certificate_pdf",
    ),
    # Public: anyone holding the link can check a certificate.
    path(
        "certificates/<str:code>/", public.certificate_verify, name="certificate_verify"
    ),
    # Authoring (facilitators and program admins).
    path(f"{_M}/", authors.manage, name="manage"),
    path(f"{_M}/new/", authors.course_create, name="course_create"),
    path(f"{_M}/courses/<int:pk>/", authors.course_edit, name="course_edit"),
    path(f"{_M}/courses/<int:pk>/status/", authors.course_status, name="course_status"),
    path(f"{_M}/courses/<int:pk>/copy/", authors.course_copy, name="course_copy"),
    path(
        f"{_M}/courses/<int:pk>/modules/new/",
        authors.module_create,
        name="module_create",
    ),
    path(f"{_M}/modules/<int:pk>/", authors.module_edit, name="module_edit"),
    path(f"{_M}/modules/<int:pk>/move/", authors.module_move, name="module_move"),
    path(f"{_M}/modules/<int:pk>/delete/", authors.module_delete, name="module_delete"),
    path(
        f"{_M}/modules/<int:pk>/lessons/new/",
        authors.lesson_create,
        name="lesson_create",
    ),
    path(f"{_M}/lessons/<int:pk>/", authors.lesson_edit, name="lesson_edit"),
    path(f"{_M}/lessons/<int:pk>/move/", authors.lesson_move, name="lesson_move"),
    path(f"{_M}/lessons/<int:pk>/delete/", authors.lesson_delete, name="lesson_delete"),
    path(f"{_M}/lessons/<int:pk>/images/", authors.image_add, name="image_add"),
    path(f"{_M}/lessons/<int:pk>/quiz/", authors.quiz_edit, name="quiz_edit"),
    path(
        f"{_M}/lessons/<int:pk>/questions/new/",
        authors.question_create,
        name="question_create",
    ),
    path(
        f"{_M}/lesson-images/<int:pk>/delete/",
        authors.image_delete,
        name="image_delete",
    ),
    path(f"{_M}/quiz-questions/<int:pk>/", authors.question_edit, name="question_edit"),
    path(
        f"{_M}/quiz-questions/<int:pk>/move/",
        authors.question_move,
        name="question_move",
    ),
    path(
        f"{_M}/quiz-questions/<int:pk>/delete/",
        authors.question_delete,
        name="question_delete",
    ),
]
