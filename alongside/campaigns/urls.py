from __future__ import annotations

from django.urls import include, path

from alongside.campaigns.views import admin, members, public

app_name = "campaigns"

# Public pages: no account, no organization in the path (slugs are global). First, and
# behind one prefix, so a signing POST is resolved after trying few patterns.
public_patterns = [
    path("sign/", public.sign, name="sign"),
    path("", public.campaign_public, name="public"),
    path("counter/", public.counter, name="counter"),
    path("wall/", public.wall, name="wall"),
    path("og.png", public.og_image, name="og_image"),
    path("widget/", public.widget, name="widget"),
    path("pledge/", public.convert, name="convert"),
    path("confirm/<str:token>/", public.confirm, name="confirm"),
    path("withdraw/<str:token>/", public.withdraw, name="withdraw"),
]

urlpatterns = [
    path("c/<slug:campaign>/", include(public_patterns)),
    # Program admins.
    path("o/<slug:org>/campaigns/", admin.admin_list, name="admin_list"),
    path("o/<slug:org>/campaigns/new/", admin.campaign_create, name="create"),
    path("o/<slug:org>/campaigns/<int:pk>/", admin.dashboard, name="dashboard"),
    path("o/<slug:org>/campaigns/<int:pk>/edit/", admin.campaign_edit, name="edit"),
    path("o/<slug:org>/campaigns/<int:pk>/preview/", admin.preview, name="preview"),
    path("o/<slug:org>/campaigns/<int:pk>/publish/", admin.publish, name="publish"),
    path("o/<slug:org>/campaigns/<int:pk>/close/", admin.close, name="close"),
    path("o/<slug:org>/campaigns/<int:pk>/signatures.csv", admin.export, name="export"),
    # Members: a confirmed signature becomes a pledge.
    path(
        "o/<slug:org>/campaigns/<int:pk>/pledge/",
        members.pledge_from_signature,
        name="pledge_from_signature",
    ),
]
