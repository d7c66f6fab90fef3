from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from alongside.lib.http import AuthenticatedHttpRequest
from alongside.lib.pagination import paginate
from alongside.notifications.forms import NotificationPreferenceForm
from alongside.notifications.models import Notification, NotificationPreference
from alongside.organizations.models import Membership


def _back_to_list(request: HttpRequest) -> HttpResponse:
    """Back to the page of the list the form was on (a same-site path only)."""
    candidate = request.POST.get("next", "")
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(candidate)
    return redirect("notifications:list")


def notification_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    qs = Notification.objects.for_user(request.user)
    page = paginate(request, qs, 30)
    # Links only to pages the user can still open: news from an organization he has
    # left stays readable, without its link.
    member_of = set(
        Membership.objects.filter(user=request.user).values_list(
            "organization_id", flat=True
        )
    )
    entries = [
        (
            notification,
            bool(notification.url)
            and (
                notification.organization_id is None
                or notification.organization_id in member_of
            ),
        )
        for notification in page
    ]
    return render(
        request,
        "notifications/notification_list.html",
        {
            "page_obj": page,
            "entries": entries,
            "has_unread": Notification.objects.for_user(request.user).unread().exists(),
        },
    )


@require_POST
def mark_read(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    notification = get_object_or_404(Notification.objects.for_user(request.user), pk=pk)
    notification.mark_read()
    return _back_to_list(request)


@require_POST
def mark_all_read(request: AuthenticatedHttpRequest) -> HttpResponse:
    count = Notification.objects.for_user(request.user).mark_read()
    if count:
        messages.success(request, _("All notifications are marked as read."))
    return _back_to_list(request)


@require_http_methods(["GET", "POST"])
def preferences(request: AuthenticatedHttpRequest) -> HttpResponse:
    preference = NotificationPreference.for_user(request.user)
    form = NotificationPreferenceForm(
        request.POST if request.method == "POST" else None, instance=preference
    )
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your email preferences are saved."))
        return redirect(reverse("notifications:preferences"))
    return render(request, "notifications/preferences.html", {"form": form})
