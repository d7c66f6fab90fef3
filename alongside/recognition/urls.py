from __future__ import annotations

from django.urls import path

from alongside.recognition import views

app_name = "recognition"

urlpatterns = [
    path("o/<slug:org>/wall/", views.wall, name="wall"),
    path("o/<slug:org>/allies/<int:user_id>/", views.profile, name="profile"),
    path(
        "o/<slug:org>/kudos/action/<int:action_id>/",
        views.kudos_action,
        name="kudos_action",
    ),
    path(
        "o/<slug:org>/kudos/pledge/<int:pledge_id>/",
        views.kudos_pledge,
        name="kudos_pledge",
    ),
    path("o/<slug:org>/badges/", views.badge_awards, name="badge_awards"),
    path(
        "o/<slug:org>/badges/<int:award_id>/revoke/",
        views.badge_revoke,
        name="badge_revoke",
    ),
]
