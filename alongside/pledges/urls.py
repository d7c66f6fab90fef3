from __future__ import annotations

from django.urls import path

from alongside.pledges import views

app_name = "pledges"

urlpatterns = [
    path("o/<slug:org>/pledges/mine/", views.my_pledges, name="my_pledges"),
]
