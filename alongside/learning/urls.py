from __future__ import annotations

from django.urls import path

from alongside.learning import views

app_name = "learning"

_M = "o/<slug:org>/learning/manage"

urlpatterns = [
    # Learners.
    path("o/<slug:org>/courses/", views.course_list, name="course_list"),
    path("o/<slug:org>/courses/<int:pk>/", views.course_detail, name="course_detail"),
    path(
        "o/<slug:org>/courses/<int:pk>/enroll/",
        views.course_enroll,
        name="course_enroll",
    ),
    path("o/<slug:org>/lessons/<int:pk>/", views.lesson_detail, name="lesson_detail"),
    path("o/<slug:org>/lessons/<int:pk>/done/", views.lesson_done, name="lesson_done"),
    path("o/<slug:org>/lessons/<int:pk>/quiz/", views.quiz_submit, name="quiz_submit"),
    path(
        "o/<slug:org>/lessons/<int:pk>/scenario/",
        views.scenario_choose,
        name="scenario_choose",
    ),
    path(
        "o/<slug:org>/lessons/<int:pk>/scenario/restart/",
        views.scenario_restart,
        name="scenario_restart",
    ),
    path(
        "o/<slug:org>/quiz-attempts/<int:pk>/",
        views.attempt_detail,
        name="attempt_detail",
    ),
    path(
        "o/<slug:org>/learning/certificates/<int:pk>/pdf/",
        views.certificate_pdf,
        name="certificate_pdf",
    ),
    # Public: anyone holding the link can check a certificate.
    path(
        "certificates/<str:code>/", views.certificate_verify, name="certificate_verify"
    ),
    # Authoring (facilitators and program admins).
    path(f"{_M}/", views.manage, name="manage"),
    path(f"{_M}/new/", views.course_create, name="course_create"),
    path(f"{_M}/courses/<int:pk>/", views.course_edit, name="course_edit"),
    path(f"{_M}/courses/<int:pk>/status/", views.course_status, name="course_status"),
    path(f"{_M}/courses/<int:pk>/copy/", views.course_copy, name="course_copy"),
    path(
        f"{_M}/courses/<int:pk>/modules/new/", views.module_create, name="module_create"
    ),
    path(f"{_M}/modules/<int:pk>/", views.module_edit, name="module_edit"),
    path(f"{_M}/modules/<int:pk>/move/", views.module_move, name="module_move"),
    path(f"{_M}/modules/<int:pk>/delete/", views.module_delete, name="module_delete"),
    path(
        f"{_M}/modules/<int:pk>/lessons/new/", views.lesson_create, name="lesson_create"
    ),
    path(f"{_M}/lessons/<int:pk>/", views.lesson_edit, name="lesson_edit"),
    path(f"{_M}/lessons/<int:pk>/move/", views.lesson_move, name="lesson_move"),
    path(f"{_M}/lessons/<int:pk>/delete/", views.lesson_delete, name="lesson_delete"),
    path(f"{_M}/lessons/<int:pk>/images/", views.image_add, name="image_add"),
    path(f"{_M}/lessons/<int:pk>/quiz/", views.quiz_edit, name="quiz_edit"),
    path(
        f"{_M}/lessons/<int:pk>/questions/new/",
        views.question_create,
        name="question_create",
    ),
    path(
        f"{_M}/lesson-images/<int:pk>/delete/", views.image_delete, name="image_delete"
    ),
    path(f"{_M}/quiz-questions/<int:pk>/", views.question_edit, name="question_edit"),
    path(
        f"{_M}/quiz-questions/<int:pk>/move/", views.question_move, name="question_move"
    ),
    path(
        f"{_M}/quiz-questions/<int:pk>/delete/",
        views.question_delete,
        name="question_delete",
    ),
]
