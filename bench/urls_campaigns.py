"""The project's URLs plus the baseline view (bench/settings_campaigns.py only)."""

from __future__ import annotations

from django.urls import include, path

from alongside.urls import urlpatterns as project_urlpatterns

urlpatterns = [
    path("", include("bench.baseline.urls")),
    *project_urlpatterns,
]
