from __future__ import annotations

from django.urls import path

from alongside.notifications import views

app_name = "notifications"

urlpatterns = [
    path("notifications/", views.notification_list, name="list"),
]
