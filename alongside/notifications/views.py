from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, overload

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from alongside.lib.http import AuthenticatedHttpRequest
from alongside.lib.pagination import paginate
from alongside.notifications.forms import NotificationPreferenceForm
from alongside.notifications.models import (
    Notice,
    NoticeQuerySet,
    Notification,
    NotificationPreference,
    NotificationQuerySet,
)


@dataclass(frozen=True)
class Entry:
    """One line of the notification list: a notification (exact time) or a safe-space
    notice (the day only, never more, even for its owner)."""

    item: Notification | Notice
    day: date
    at: datetime | None

    @property
    def is_notice(self) -> bool:
        return isinstance(self.item, Notice)

    @property
    def is_read(self) -> bool:
        if isinstance(self.item, Notice):
            return self.item.is_read
        return self.item.read_at is not None

    @property
    def anchor(self) -> str:
        prefix = "notice" if self.is_notice else "notification"
        return f"{prefix}-{self.item.pk}"

    @property
    def read_url(self) -> str:
        name = (
            "notifications:notice_read" if self.is_notice else "notifications:mark_read"
        )
        return reverse(name, kwargs={"pk": self.item.pk})


class _Inbox(Sequence[Entry]):
    """A user's notifications and notices as one list, newest day first (a day's
    notices after its timed notifications, in no time order: they have none). Slicing
    reads only as many rows of each as the slice needs, for the paginator."""

    def __init__(self, timed: NotificationQuerySet, notices: NoticeQuerySet) -> None:
        self.timed, self.notices = timed, notices
        self._length: int | None = None

    def __len__(self) -> int:
        if self._length is None:
            self._length = self.timed.count() + self.notices.count()
        return self._length

    @overload
    def __getitem__(self, index: int) -> Entry: ...
    @overload
    def __getitem__(self, index: slice) -> list[Entry]: ...
    def __getitem__(self, index: int | slice) -> Entry | list[Entry]:
        if isinstance(index, int):
            return self[index : index + 1][0]
        stop = index.stop if index.stop is not None else len(self)
        entries = [
            Entry(n, timezone.localdate(n.created_at), n.created_at)
            for n in self.timed[:stop]
        ] + [Entry(n, n.day, None) for n in self.notices[:stop]]
        entries.sort(key=_newest_first)
        return entries[index]


def _newest_first(entry: Entry) -> tuple[Any, ...]:
    # Within a day: timed ones newest first, then the day's notices (stable order).
    return (
        -entry.day.toordinal(),
        0 if entry.at is not None else 1,
        -entry.at.timestamp() if entry.at is not None else 0,
    )


def _back_to_list(request: HttpRequest) -> HttpResponse:
    """Back to the page of the list the form was on (a same-site path only)."""
    candidate = request.POST.get("next", "")
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(candidate)
    return redirect("notifications:list")


def notification_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    notices = Notice.objects.for_user(request.user)
    page = paginate(
        request, _Inbox(Notification.objects.for_user(request.user), notices), 30
    )
    # Links only to pages the user can still open: news from an organization he has
    # left stays readable, without its link.
    member_of = set(request.user.memberships.values_list("organization_id", flat=True))
    entries = [
        (
            entry,
            bool(entry.item.url)
            and (
                entry.item.organization_id is None
                or entry.item.organization_id in member_of
            ),
        )
        for entry in page
    ]
    return render(
        request,
        "notifications/notification_list.html",
        {
            "page_obj": page,
            "entries": entries,
            "has_unread": Notification.objects.for_user(request.user).unread().exists()
            or notices.unread().exists(),
        },
    )


@require_POST
def mark_read(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    notification = get_object_or_404(Notification.objects.for_user(request.user), pk=pk)
    notification.mark_read()
    return _back_to_list(request)


@require_POST
def notice_read(request: AuthenticatedHttpRequest, pk: str) -> HttpResponse:
    notice = get_object_or_404(Notice.objects.for_user(request.user), pk=pk)
    notice.mark_read()
    return _back_to_list(request)


@require_POST
def mark_all_read(request: AuthenticatedHttpRequest) -> HttpResponse:
    count = Notification.objects.for_user(request.user).mark_read()
    count += Notice.objects.for_user(request.user).mark_read()
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
