from __future__ import annotations

from django.urls import path

from alongside.campaigns import views

app_name = "campaigns"

urlpatterns = [
    # Program admins.
    path("o/<slug:org>/campaigns/", views.admin_list, name="admin_list"),
    path("o/<slug:org>/campaigns/new/", views.campaign_create, name="create"),
    path("o/<slug:org>/campaigns/<int:pk>/", views.dashboard, name="dashboard"),
    path("o/<slug:org>/campaigns/<int:pk>/edit/", views.campaign_edit, name="edit"),
    path("o/<slug:org>/campaigns/<int:pk>/preview/", views.preview, name="preview"),
    path("o/<slug:org>/campaigns/<int:pk>/publish/", views.publish, name="publish"),
    path("o/<slug:org>/campaigns/<int:pk>/close/", views.close, name="close"),
    path("o/<slug:org>/campaigns/<int:pk>/signatures.csv", views.export, name="export"),
    # Members: a confirmed signature becomes a pledge.
    path(
        "o/<slug:org>/campaigns/<int:pk>/pledge/",
        views.pledge_from_signature,
        name="pledge_from_signature",
    ),
    # Public pages: no account, no organization in the path (slugs are global).
    path("c/<slug:campaign>/", views.campaign_public, name="public"),
    path("c/<slug:campaign>/sign/", views.sign, name="sign"),
    path("c/<slug:campaign>/counter/", views.counter, name="counter"),
    path("c/<slug:campaign>/wall/", views.wall, name="wall"),
    path("c/<slug:campaign>/og.png", views.og_image, name="og_image"),
    path("c/<slug:campaign>/widget/", views.widget, name="widget"),
    path("c/<slug:campaign>/pledge/", views.convert, name="convert"),
    path("c/<slug:campaign>/confirm/<str:token>/", views.confirm, name="confirm"),
    path("c/<slug:campaign>/withdraw/<str:token>/", views.withdraw, name="withdraw"),
]
