from __future__ import annotations

from django.urls import path

from alongside.pledges import views

app_name = "pledges"

urlpatterns = [
    path("o/<slug:org>/pledges/", views.pledge_list, name="list"),
    path("o/<slug:org>/pledges/mine/", views.my_pledges, name="my_pledges"),
    path("o/<slug:org>/pledges/new/", views.pledge_create, name="create"),
    path("o/<slug:org>/pledges/<int:pk>/", views.pledge_detail, name="detail"),
    path("o/<slug:org>/pledges/<int:pk>/pause/", views.pledge_pause, name="pause"),
    path("o/<slug:org>/pledges/<int:pk>/resume/", views.pledge_resume, name="resume"),
    path("o/<slug:org>/pledges/<int:pk>/renew/", views.pledge_renew, name="renew"),
    path(
        "o/<slug:org>/pledges/<int:pk>/complete/",
        views.pledge_complete,
        name="complete",
    ),
    path(
        "o/<slug:org>/pledges/<int:pk>/actions/new/",
        views.action_create,
        name="action_create",
    ),
    path(
        "o/<slug:org>/pledges/commitments/<int:pk>/end/",
        views.commitment_end,
        name="commitment_end",
    ),
    path("o/<slug:org>/actions/<int:pk>/", views.action_detail, name="action_detail"),
    path(
        "o/<slug:org>/actions/<int:pk>/confirmation/",
        views.confirmation_request_create,
        name="confirmation_request",
    ),
    path("o/<slug:org>/catalogue/", views.catalogue, name="catalogue"),
    path(
        "o/<slug:org>/admin/catalogue/",
        views.catalogue_admin,
        name="catalogue_admin",
    ),
    path(
        "o/<slug:org>/admin/catalogue/new/",
        views.catalogue_add,
        name="catalogue_add",
    ),
    path(
        "o/<slug:org>/admin/catalogue/<int:pk>/edit/",
        views.catalogue_edit,
        name="catalogue_edit",
    ),
    path(
        "o/<slug:org>/admin/catalogue/<int:pk>/active/",
        views.catalogue_set_active,
        name="catalogue_set_active",
    ),
    path(
        "o/<slug:org>/admin/catalogue/<int:pk>/delete/",
        views.catalogue_delete,
        name="catalogue_delete",
    ),
    path(
        "o/<slug:org>/admin/confirmations/",
        views.confirmation_review,
        name="confirmation_review",
    ),
    # Public pages for the person asked to confirm: no account needed.
    path("confirm/opt-out/<str:signed>/", views.opt_out, name="opt_out"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
]
