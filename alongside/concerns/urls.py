from __future__ import annotations

from django.urls import path

from alongside.concerns import views

app_name = "concerns"

urlpatterns = [
    path("o/<slug:org>/concerns/new/", views.raise_concern, name="raise"),
]
