from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from alongside.lib.http import AuthenticatedHttpRequest
from alongside.lib.pagination import paginate
from alongside.notifications.models import Notification


def notification_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    qs = Notification.objects.for_user(request.user).select_related("organization")
    return render(
        request,
        "notifications/notification_list.html",
        {"page_obj": paginate(request, qs, 30)},
    )
