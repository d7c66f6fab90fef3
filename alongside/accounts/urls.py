from __future__ import annotations

from django.urls import path

from alongside.accounts import views

app_name = "accounts"

urlpatterns = [
    path("me/profile/", views.profile_edit, name="profile_edit"),
    path("me/data/", views.data, name="data"),
    path("me/data/export/", views.data_export, name="data_export"),
    path("me/data/erase/", views.erase, name="erase"),
]
