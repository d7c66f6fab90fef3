from __future__ import annotations

from django.urls import path

from alongside.events import views

app_name = "events"

urlpatterns = [
    path("o/<slug:org>/events/", views.event_list, name="list"),
    path("o/<slug:org>/events/mine/", views.my_events, name="mine"),
    path("o/<slug:org>/events/new/", views.event_create, name="create"),
    path("o/<slug:org>/events/calendar/", views.calendar_feed, name="calendar_feed"),
    path("o/<slug:org>/events/time-zone/", views.time_zone, name="time_zone"),
    path("o/<slug:org>/events/<int:event_id>/", views.event_detail, name="detail"),
    path("o/<slug:org>/events/<int:event_id>/edit/", views.event_edit, name="edit"),
    path(
        "o/<slug:org>/events/<int:event_id>/cancel-event/",
        views.event_cancel,
        name="cancel",
    ),
    path("o/<slug:org>/events/<int:event_id>/rsvp/", views.rsvp, name="rsvp"),
    path(
        "o/<slug:org>/events/<int:event_id>/cancel/",
        views.rsvp_cancel,
        name="rsvp_cancel",
    ),
    path(
        "o/<slug:org>/events/<int:event_id>/check-in/", views.check_in, name="check_in"
    ),
    path(
        "o/<slug:org>/events/<int:event_id>/check-in/new-code/",
        views.new_check_in_code,
        name="new_check_in_code",
    ),
    path(
        "o/<slug:org>/events/<int:event_id>/attendees/",
        views.attendees,
        name="attendees",
    ),
    path(
        "o/<slug:org>/events/<int:event_id>/feedback/", views.feedback, name="feedback"
    ),
    path("o/<slug:org>/events/<int:event_id>/event.ics", views.event_ics, name="ics"),
    path("calendar/<str:token>.ics", views.feed, name="feed"),
]
