from __future__ import annotations

from django.urls import path

from alongside.recognition import views

app_name = "recognition"

urlpatterns = [
    path("o/<slug:org>/wall/", views.wall, name="wall"),
]
