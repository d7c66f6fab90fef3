from __future__ import annotations

from django.urls import path

from alongside.circles import views

app_name = "circles"

_C = "o/<slug:org>/circles"
_ONE = f"{_C}/<slug:circle>"

urlpatterns = [
    path(f"{_C}/", views.directory, name="directory"),
    path(f"{_C}/new/", views.circle_create, name="create"),
    # The invitee's own invitations, across the organization's circles.
    path(f"{_C}/invitations/", views.invitations, name="invitations"),
    path(
        f"{_C}/invitations/<int:circle_invitation_id>/answer/",
        views.invitation_answer,
        name="invitation_answer",
    ),
    path(f"{_ONE}/", views.circle_detail, name="detail"),
    path(f"{_ONE}/edit/", views.circle_edit, name="edit"),
    path(f"{_ONE}/join/", views.circle_join, name="join"),
    path(f"{_ONE}/request/", views.join_request, name="request"),
    path(
        f"{_ONE}/request/withdraw/",
        views.join_request_withdraw,
        name="request_withdraw",
    ),
    path(f"{_ONE}/leave/", views.circle_leave, name="leave"),
    path(f"{_ONE}/archive/", views.circle_archive, name="archive"),
    path(f"{_ONE}/reopen/", views.circle_reopen, name="reopen"),
    # Facilitators.
    path(f"{_ONE}/members/", views.members_manage, name="members"),
    path(f"{_ONE}/members/invite/", views.member_invite, name="invite"),
    path(
        f"{_ONE}/members/<int:circle_member_id>/remove/",
        views.member_remove,
        name="member_remove",
    ),
    path(
        f"{_ONE}/members/<int:circle_member_id>/role/",
        views.member_role,
        name="member_role",
    ),
    path(
        f"{_ONE}/invitations/<int:circle_invitation_id>/withdraw/",
        views.invitation_withdraw,
        name="invitation_withdraw",
    ),
    path(f"{_ONE}/requests/", views.requests_queue, name="requests"),
    path(
        f"{_ONE}/requests/<int:join_request_id>/",
        views.request_decide,
        name="request_decide",
    ),
    # Project circles.
    path(f"{_ONE}/goals/new/", views.goal_create, name="goal_create"),
    path(f"{_ONE}/goals/<int:goal_id>/edit/", views.goal_edit, name="goal_edit"),
    path(f"{_ONE}/goals/<int:goal_id>/status/", views.goal_status, name="goal_status"),
    path(f"{_ONE}/goals/<int:goal_id>/delete/", views.goal_delete, name="goal_delete"),
    path(f"{_ONE}/updates/", views.updates, name="updates"),
    path(
        f"{_ONE}/updates/<int:progress_update_id>/delete/",
        views.update_delete,
        name="update_delete",
    ),
]
