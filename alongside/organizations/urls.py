from __future__ import annotations

from django.urls import path

from alongside.organizations import views

app_name = "organizations"

urlpatterns = [
    path("join/", views.join_list, name="join_list"),
    path("o/<slug:org>/", views.home, name="home"),
    path("o/<slug:org>/members/", views.members, name="members"),
    path("o/<slug:org>/admin/", views.admin, name="admin"),
    path("o/<slug:org>/mfa-required/", views.mfa_required, name="mfa_required"),
]
