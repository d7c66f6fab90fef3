from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from alongside.events import services
from alongside.events.forms import (
    AttendanceForm,
    CheckInForm,
    EventCancelForm,
    EventForm,
    FeedbackForm,
    NewEventForm,
    ViewerTimeZoneForm,
)
from alongside.events.ics import CalendarEvent, build_calendar
from alongside.events.models import (
    FEEDBACK_MIN_RESPONSES,
    RSVP,
    Attendance,
    CalendarFeed,
    Event,
    Feedback,
)
from alongside.lib.pagination import paginate
from alongside.organizations.access import OrgHttpRequest, member_required

SESSION_TIME_ZONE = "events_time_zone"

# Helpers: the permission doors of this app ---------------------------------------------


def _context(request: OrgHttpRequest, **extra: Any) -> dict[str, Any]:
    return {
        "organization": request.organization,
        "membership": request.membership,
        "viewer_zone": request.session.get(SESSION_TIME_ZONE),
        "is_facilitator": request.membership.is_facilitator,
        **extra,
    }


def _get_event(request: OrgHttpRequest, event_id: int) -> Event:
    return get_object_or_404(
        Event.objects.select_related("organization"),
        pk=event_id,
        organization=request.organization,
    )


def _get_managed_event(request: OrgHttpRequest, event_id: int) -> Event:
    """The event, for facilitators and program admins; anyone else gets 404."""
    event = _get_event(request, event_id)
    if not event.can_be_managed_by(request.membership):
        raise Http404
    return event


def _require_facilitator(request: OrgHttpRequest) -> None:
    if not request.membership.is_facilitator:
        raise Http404


# Lists --------------------------------------------------------------------------------


@member_required
def event_list(request: OrgHttpRequest) -> HttpResponse:
    when = "past" if request.GET.get("when") == "past" else "upcoming"
    events = Event.objects.for_organization(request.organization).with_counts()
    events = events.past() if when == "past" else events.upcoming()
    page = paginate(request, events, per_page=10)
    mine = dict(
        RSVP.objects.active()
        .filter(event__in=list(page.object_list), user=request.user)
        .values_list("event_id", "status")
    )
    rows = [(event, mine.get(event.pk)) for event in page.object_list]
    return render(
        request,
        "events/event_list.html",
        _context(request, page_obj=page, rows=rows, when=when),
    )


@member_required
def my_events(request: OrgHttpRequest) -> HttpResponse:
    now = timezone.now()
    upcoming = (
        RSVP.objects.active()
        .filter(event__organization=request.organization, event__ends_at__gt=now)
        .of(request.user)
        .select_related("event")
        .order_by("event__starts_at", "id")
    )
    attended = paginate(
        request,
        Attendance.objects.attended_by(request.organization, request.user),
        per_page=20,
    )
    return render(
        request,
        "events/my_events.html",
        _context(request, upcoming=upcoming, page_obj=attended),
    )


# Scheduling ----------------------------------------------------------------------------


@member_required
def event_create(request: OrgHttpRequest) -> HttpResponse:
    _require_facilitator(request)
    initial = {
        # The zone of the organization's latest event is the likeliest for the next.
        "time_zone": (
            Event.objects.for_organization(request.organization)
            .order_by("-created_at")
            .values_list("time_zone", flat=True)
            .first()
            or request.session.get(SESSION_TIME_ZONE)
            or settings.TIME_ZONE
        ),
        "kind": Event.Kind.WORKSHOP,
        "format": Event.Format.IN_PERSON,
    }
    form = NewEventForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        if sessions := form.sessions():
            events = services.event_series_create(
                organization=request.organization,
                created_by=request.user,
                sessions=sessions,
                **form.event_fields(),
            )
            messages.success(
                request,
                _("The series is scheduled: %(count)s sessions.")
                % {"count": len(events)},
            )
            return redirect(events[0])
        event = services.event_create(
            organization=request.organization,
            created_by=request.user,
            **form.event_fields(),
        )
        messages.success(request, _("The event is scheduled."))
        return redirect(event)
    return render(
        request, "events/event_form.html", _context(request, form=form, event=None)
    )


@member_required
def event_edit(request: OrgHttpRequest, event_id: int) -> HttpResponse:
    event = _get_managed_event(request, event_id)
    if event.is_cancelled:
        messages.error(request, _("A cancelled event cannot be changed."))
        return redirect(event)
    form = EventForm(request.POST or None, initial=EventForm.initial_for(event))
    if request.method == "POST" and form.is_valid():
        try:
            services.event_update(
                event=event, actor=request.user, **form.event_fields()
            )
        except services.EventError as e:
            form.add_error("capacity", str(e))
        else:
            messages.success(request, _("The event is updated."))
            return redirect(event)
    return render(
        request, "events/event_form.html", _context(request, form=form, event=event)
    )


# One event ----------------------------------------------------------------------------


@member_required
def event_detail(request: OrgHttpRequest, event_id: int) -> HttpResponse:
    event = _get_event(request, event_id)
    return _render_detail(request, event)


def _render_detail(
    request: OrgHttpRequest,
    event: Event,
    *,
    check_in_form: CheckInForm | None = None,
    status: int = 200,
) -> HttpResponse:
    rsvp = RSVP.objects.active().filter(event=event, user=request.user).first()
    attendance = Attendance.objects.filter(event=event, user=request.user).first()
    manages = event.can_be_managed_by(request.membership)
    context = _context(
        request,
        event=event,
        rsvp=rsvp,
        attendance=attendance,
        manages=manages,
        seated=event.seated_count(),
        waitlisted=event.waitlist_count(),
        other_sessions=list(event.other_sessions()),
        check_in_form=check_in_form or CheckInForm(),
        can_check_in=(
            rsvp is not None
            and rsvp.is_seated
            and attendance is None
            and event.check_in_is_open()
        ),
        can_give_feedback=(
            attendance is not None
            and not attendance.feedback_given
            and event.feedback_is_open()
        ),
    )
    if manages:
        context["attended_count"] = event.attendances.count()
        context["feedback"] = _feedback_summary(event)
    return render(request, "events/event_detail.html", context, status=status)


def _feedback_summary(event: Event) -> dict[str, Any]:
    answers = Feedback.objects.filter(event=event)
    summary = answers.summary()
    count = int(summary["count"] or 0)
    shown = count >= FEEDBACK_MIN_RESPONSES
    distribution: list[tuple[int, int]] = []
    if shown:
        counts = dict(
            answers.values("rating")
            .annotate(n=Count("id"))
            .values_list("rating", "n")
            .order_by()
        )
        distribution = [(rating, counts.get(rating, 0)) for rating in range(5, 0, -1)]
    return {
        "count": count,
        "shown": shown,
        "minimum": FEEDBACK_MIN_RESPONSES,
        "average": summary["average"] if shown else None,
        "distribution": distribution,
        "max_count": max((n for _r, n in distribution), default=0),
        "comments": (
            list(answers.exclude(comment="").values_list("comment", flat=True))
            if shown
            else []
        ),
    }


@member_required
def rsvp(request: OrgHttpRequest, event_id: int) -> HttpResponse:
    event = _get_event(request, event_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        reply = services.rsvp_create(event=event, user=request.user)
    except services.EventError as e:
        messages.error(request, str(e))
    else:
        if reply.is_seated:
            messages.success(request, _("You have a seat. See you there!"))
        else:
            messages.info(
                request,
                _(
                    "The event is full, so you are number %(place)s on the waitlist. "
                    "If a seat opens up it goes to the next person in line, and we "
                    "will let you know."
                )
                % {"place": reply.waitlist_place()},
            )
    return redirect(event)


@member_required
def rsvp_cancel(request: OrgHttpRequest, event_id: int) -> HttpResponse:
    event = _get_event(request, event_id)
    reply = get_object_or_404(RSVP.objects.active(), event=event, user=request.user)
    if request.method == "POST":
        services.rsvp_cancel(event=event, user=request.user)
        messages.success(
            request,
            _("Your seat is given up.")
            if reply.is_seated
            else _("You have left the waitlist."),
        )
        return redirect(event)
    return render(
        request, "events/rsvp_cancel.html", _context(request, event=event, rsvp=reply)
    )


@member_required
def check_in(request: OrgHttpRequest, event_id: int) -> HttpResponse:
    event = _get_event(request, event_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = CheckInForm(request.POST)
    if form.is_valid():
        try:
            services.check_in_with_code(
                event=event, user=request.user, code=form.cleaned_data["code"]
            )
        except services.CheckInError as e:
            form.add_error("code", str(e))
            status = 429 if e.reason == "rate_limited" else 400
            return _render_detail(request, event, check_in_form=form, status=status)
        messages.success(request, _("You are checked in. Welcome!"))
        return redirect(event)
    return _render_detail(request, event, check_in_form=form, status=400)


@member_required
def feedback(request: OrgHttpRequest, event_id: int) -> HttpResponse:
    event = _get_event(request, event_id)
    attendance = get_object_or_404(Attendance, event=event, user=request.user)
    if attendance.feedback_given:
        messages.info(request, _("You already gave feedback on this event. Thank you!"))
        return redirect(event)
    form = FeedbackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.feedback_give(
                event=event,
                user=request.user,
                rating=form.cleaned_data["rating"],
                comment=form.cleaned_data["comment"],
            )
        except services.EventError as e:
            form.add_error(None, str(e))
        else:
            messages.success(request, _("Thank you for your feedback."))
            return redirect(event)
    return render(
        request,
        "events/feedback_form.html",
        _context(request, event=event, form=form, is_open=event.feedback_is_open()),
    )


# Facilitator tools -----------------------------------------------------------------------


@member_required
def attendees(request: OrgHttpRequest, event_id: int) -> HttpResponse:
    event = _get_managed_event(request, event_id)
    replies = list(
        RSVP.objects.active()
        .filter(event=event)
        .select_related("user")
        .order_by("status", "position", "id")
    )
    attended = {
        a.user_id: a
        for a in Attendance.objects.filter(event=event).select_related("user")
    }
    people: list[tuple[int, str]] = [(r.user_id, r.user.name) for r in replies]
    listed = {r.user_id for r in replies}
    people += [
        (a.user_id, a.user.name) for a in attended.values() if a.user_id not in listed
    ]
    form = AttendanceForm(
        request.POST or None,
        people=people,
        initial={"present": list(attended)},
    )
    if request.method == "POST" and form.is_valid():
        change = services.attendance_record_list(
            event=event,
            actor=request.user,
            present_user_ids=set(form.cleaned_data["present"]),
        )
        messages.success(
            request,
            _("Attendance saved: %(added)s added, %(removed)s removed.")
            % {"added": change.added, "removed": change.removed},
        )
        return redirect(
            "events:attendees", org=request.organization.slug, event_id=event.pk
        )
    rows = [
        {
            "user_id": r.user_id,
            "name": r.user.name,
            "reply": r.get_status_display(),
            "attendance": attended.get(r.user_id),
        }
        for r in replies
    ] + [
        {
            "user_id": a.user_id,
            "name": a.user.name,
            "reply": _("No reply"),
            "attendance": a,
        }
        for a in attended.values()
        if a.user_id not in listed
    ]
    return render(
        request,
        "events/attendees.html",
        _context(request, event=event, form=form, rows=rows),
    )


@member_required
def event_cancel(request: OrgHttpRequest, event_id: int) -> HttpResponse:
    event = _get_managed_event(request, event_id)
    form = EventCancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.event_cancel(
                event=event, actor=request.user, note=form.cleaned_data["note"]
            )
        except services.EventError as e:
            form.add_error(None, str(e))
        else:
            messages.success(
                request, _("The event is cancelled and everyone who replied is told.")
            )
            return redirect(event)
    return render(
        request,
        "events/event_cancel.html",
        _context(
            request,
            event=event,
            form=form,
            replies=RSVP.objects.active().filter(event=event).count(),
        ),
    )


@member_required
def new_check_in_code(request: OrgHttpRequest, event_id: int) -> HttpResponse:
    event = _get_managed_event(request, event_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    services.event_new_check_in_code(event=event, actor=request.user)
    messages.success(
        request, _("The event has a new check-in code; the old one no longer works.")
    )
    return redirect(event)


# Calendars --------------------------------------------------------------------------------


def _calendar_event(event: Event, *, with_meeting_link: bool) -> CalendarEvent:
    url = settings.SITE_URL + event.get_absolute_url()
    description = event.description
    if event.is_online and with_meeting_link and event.meeting_url:
        description = _("Join online: %(url)s") % {"url": event.meeting_url} + (
            "\n\n" + description if description else ""
        )
    return CalendarEvent(
        uid=f"event-{event.pk}@{settings.SITE_URL.split('://', 1)[-1]}",
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        summary=event.title,
        description=description,
        location=(
            (event.meeting_url if with_meeting_link else _("Online"))
            if event.is_online
            else event.location
        ),
        url=url,
        last_modified=event.updated_at,
        cancelled=event.is_cancelled,
    )


def _ics_response(text: str, filename: str) -> HttpResponse:
    response = HttpResponse(text, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@member_required
def event_ics(request: OrgHttpRequest, event_id: int) -> HttpResponse:
    event = _get_event(request, event_id)
    seated = RSVP.objects.seated().filter(event=event, user=request.user).exists()
    text = build_calendar(
        [_calendar_event(event, with_meeting_link=seated)], stamp=timezone.now()
    )
    return _ics_response(text, f"event-{event.pk}.ics")


@never_cache
@member_required
def calendar_feed(request: OrgHttpRequest) -> HttpResponse:
    token = None
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            if services.calendar_feed_revoke(
                organization=request.organization, user=request.user
            ):
                messages.success(
                    request, _("The calendar link is revoked; it no longer works.")
                )
            return redirect("events:calendar_feed", org=request.organization.slug)
        token = services.calendar_feed_issue(
            organization=request.organization, user=request.user
        )
    feed = CalendarFeed.objects.filter(
        organization=request.organization, user=request.user
    ).first()
    feed_url = (
        settings.SITE_URL + reverse("events:feed", kwargs={"token": token})
        if token
        else None
    )
    return render(
        request,
        "events/calendar_feed.html",
        _context(request, feed=feed, feed_url=feed_url),
    )


@login_not_required
@never_cache
def feed(request: HttpRequest, token: str) -> HttpResponse:
    """A member's events with a seat, for calendar apps. The token is the only key."""
    calendar_feed = get_object_or_404(
        CalendarFeed.objects.by_token(token).select_related("organization", "user")
    )
    if not (
        calendar_feed.user.is_active
        and calendar_feed.organization.has_member(calendar_feed.user)
    ):
        raise Http404
    now = timezone.now()
    CalendarFeed.objects.filter(pk=calendar_feed.pk).update(last_fetched_at=now)
    events = (
        Event.objects.for_organization(calendar_feed.organization)
        .filter(
            Q(rsvps__user=calendar_feed.user, rsvps__status=RSVP.Status.SEATED),
            ends_at__gt=now - services.FEED_HISTORY,
        )
        .select_related("organization")
        .order_by("starts_at", "id")
    )
    text = build_calendar(
        [_calendar_event(e, with_meeting_link=True) for e in events],
        stamp=now,
        name=f"{calendar_feed.organization.name} · {settings.SITE_NAME}",
    )
    response = HttpResponse(text, content_type="text/calendar; charset=utf-8")
    response["X-Robots-Tag"] = "noindex"
    return response


@member_required
def time_zone(request: OrgHttpRequest) -> HttpResponse:
    form = ViewerTimeZoneForm(
        request.POST or None,
        initial={"time_zone": request.session.get(SESSION_TIME_ZONE) or "UTC"},
    )
    if request.method == "POST" and form.is_valid():
        request.session[SESSION_TIME_ZONE] = form.cleaned_data["time_zone"]
        messages.success(request, _("Event times now also show in your time zone."))
        return redirect("events:list", org=request.organization.slug)
    return render(request, "events/time_zone.html", _context(request, form=form))
