from __future__ import annotations

from django.urls import path

from alongside.dialogue import views

app_name = "dialogue"

_S = "o/<slug:org>/spaces"
_ONE = f"{_S}/<int:space_id>"
_T = "o/<slug:org>/threads/<uuid:thread_uid>"
_P = "o/<slug:org>/posts/<uuid:post_uid>"

urlpatterns = [
    path(f"{_S}/", views.spaces, name="spaces"),
    path(f"{_S}/new/", views.space_create, name="space_create"),
    path(f"{_S}/search/", views.search, name="search"),
    path(f"{_ONE}/", views.space_detail, name="space"),
    path(f"{_ONE}/edit/", views.space_edit, name="space_edit"),
    path(f"{_ONE}/guidelines/", views.guidelines, name="guidelines"),
    path(f"{_ONE}/digest/", views.digest, name="digest"),
    path(f"{_ONE}/new/", views.thread_create, name="thread_create"),
    path(f"{_T}/", views.thread_detail, name="thread"),
    path(f"{_T}/follow/", views.follow, name="follow"),
    path(f"{_T}/phase/", views.listening_phase, name="listening_phase"),
    path(f"{_P}/", views.post_permalink, name="post"),
    path(f"{_P}/edit/", views.post_edit, name="post_edit"),
    path(f"{_P}/delete/", views.post_delete, name="post_delete"),
    path(f"{_P}/react/", views.react, name="react"),
]
