from __future__ import annotations

from django.urls import include, path

from alongside.campaigns import views

app_name = "campaigns"

# Public pages: no account, no organization in the path (slugs are global). First, and
# behind one prefix, so a signing POST is resolved after trying few patterns.
public_patterns = [
    path("sign/", views.sign, name="sign"),
    path("", views.campaign_public, name="public"),
    path("counter/", views.counter, name="counter"),
    path("wall/", views.wall, name="wall"),
    path("og.png", views.og_image, name="og_image"),
    path("widget/", views.widget, name="widget"),
    path("pledge/", views.convert, name="convert"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("withdraw/<str:token>/", views.withdraw, name="withdraw"),
]

urlpatterns = [
    path("c/<slug:campaign>/", include(public_patterns)),
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
]
