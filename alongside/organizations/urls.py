from __future__ import annotations

from django.urls import path

from alongside.organizations import views

app_name = "organizations"

urlpatterns = [
    path("organizations/new/", views.create, name="create"),
    path("join/", views.join_list, name="join_list"),
    path("join/<slug:org>/", views.join, name="join"),
    path("invitations/accept/", views.invitation_accept, name="invitation_accept"),
    path("invitations/<str:token>/", views.invitation_open, name="invitation_open"),
    path("o/<slug:org>/", views.home, name="home"),
    path("o/<slug:org>/members/", views.members, name="members"),
    path("o/<slug:org>/mfa-required/", views.mfa_required, name="mfa_required"),
    path("o/<slug:org>/admin/", views.admin, name="admin"),
    path("o/<slug:org>/admin/settings/", views.settings_edit, name="settings"),
    path("o/<slug:org>/admin/members/", views.manage_members, name="manage_members"),
    path(
        "o/<slug:org>/admin/members/<int:pk>/role/",
        views.member_role,
        name="member_role",
    ),
    path(
        "o/<slug:org>/admin/members/<int:pk>/remove/",
        views.member_remove,
        name="member_remove",
    ),
    path("o/<slug:org>/admin/invitations/", views.invitations, name="invitations"),
    path(
        "o/<slug:org>/admin/invitations/upload/",
        views.invitation_upload,
        name="invitation_upload",
    ),
    path(
        "o/<slug:org>/admin/invitations/<int:pk>/resend/",
        views.invitation_resend,
        name="invitation_resend",
    ),
    path(
        "o/<slug:org>/admin/invitations/<int:pk>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path("o/<slug:org>/admin/audit/", views.audit_log, name="audit_log"),
]
