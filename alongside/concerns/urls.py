from __future__ import annotations

from django.urls import path

from alongside.concerns import views

app_name = "concerns"

urlpatterns = [
    # Public: anyone may raise a concern (see views.raise_concern).
    path("o/<slug:org>/concerns/new/", views.raise_concern, name="raise"),
    path("o/<slug:org>/concerns/thanks/", views.thanks, name="thanks"),
    # The program admins' private queue.
    path("o/<slug:org>/concerns/", views.queue, name="queue"),
    path("o/<slug:org>/concerns/<int:pk>/", views.detail, name="detail"),
    path("o/<slug:org>/concerns/<int:pk>/note/", views.add_note, name="add_note"),
    path("o/<slug:org>/concerns/<int:pk>/assign/", views.assign, name="assign"),
]
