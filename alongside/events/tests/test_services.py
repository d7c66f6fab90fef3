from __future__ import annotations

from datetime import timedelta

import time_machine
from django.core import mail
from django.core.cache import cache
from django.utils import timezone

from alongside.events import services
from alongside.events.models import RSVP, Attendance, Event, Feedback
from alongside.events.tests.helpers import make_event
from alongside.notifications.models import Notification
from alongside.test import BaseTestCase, make_member


class RSVPTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.event = make_event(self.org, capacity=2, created_by=self.fiona)
        self.carol = make_member(self.org, display_name="Carol")

    def test_it_seats_until_full_then_waitlists_in_order(self) -> None:
        a = services.rsvp_create(event=self.event, user=self.alice)
        b = services.rsvp_create(event=self.event, user=self.bob)
        c = services.rsvp_create(event=self.event, user=self.carol)
        d = services.rsvp_create(event=self.event, user=self.paula)
        self.assertEqual([a.status, b.status], [RSVP.Status.SEATED] * 2)
        self.assertEqual([c.status, d.status], [RSVP.Status.WAITLISTED] * 2)
        self.assertEqual([c.waitlist_place(), d.waitlist_place()], [1, 2])
        self.assertEqual(self.event.seated_count(), 2)

    def test_a_second_rsvp_returns_the_first_unchanged(self) -> None:
        first = services.rsvp_create(event=self.event, user=self.alice)
        again = services.rsvp_create(event=self.event, user=self.alice)
        self.assertEqual(first.pk, again.pk)
        self.assertEqual(again.position, first.position)
        self.assertEqual(RSVP.objects.count(), 1)

    def test_cancelling_a_seat_promotes_the_first_waitlisted_and_tells_him(
        self,
    ) -> None:
        services.rsvp_create(event=self.event, user=self.alice)
        services.rsvp_create(event=self.event, user=self.bob)
        services.rsvp_create(event=self.event, user=self.carol)
        services.rsvp_create(event=self.event, user=self.paula)
        with self.captureOnCommitCallbacks(execute=True):
            services.rsvp_cancel(event=self.event, user=self.alice)
        statuses = dict(RSVP.objects.values_list("user_id", "status"))
        self.assertEqual(statuses[self.alice.pk], RSVP.Status.CANCELLED)
        self.assertEqual(statuses[self.carol.pk], RSVP.Status.SEATED)
        self.assertEqual(statuses[self.paula.pk], RSVP.Status.WAITLISTED)
        self.assertIsNotNone(RSVP.objects.get(user=self.carol).promoted_at)
        self.assertTrue(
            Notification.objects.filter(
                user=self.carol, message__contains="seat opened up"
            ).exists()
        )
        self.assertEqual(len(mail.outbox), 1)
        self.assertEqual(mail.outbox[0].to, [self.carol.email])
        self.assertIn("You have a seat", mail.outbox[0].subject)
        self.assertIn("Europe/London", mail.outbox[0].body)

    def test_leaving_the_waitlist_promotes_nobody(self) -> None:
        services.rsvp_create(event=self.event, user=self.alice)
        services.rsvp_create(event=self.event, user=self.bob)
        services.rsvp_create(event=self.event, user=self.carol)
        services.rsvp_create(event=self.event, user=self.paula)
        services.rsvp_cancel(event=self.event, user=self.carol)
        self.assertEqual(
            RSVP.objects.get(user=self.paula).status, RSVP.Status.WAITLISTED
        )
        self.assertEqual(RSVP.objects.get(user=self.paula).waitlist_place(), 1)

    def test_replying_again_after_cancelling_goes_to_the_back(self) -> None:
        services.rsvp_create(event=self.event, user=self.alice)
        services.rsvp_create(event=self.event, user=self.bob)
        services.rsvp_create(event=self.event, user=self.carol)
        services.rsvp_cancel(event=self.event, user=self.alice)  # carol is seated
        again = services.rsvp_create(event=self.event, user=self.alice)
        self.assertEqual(again.status, RSVP.Status.WAITLISTED)
        self.assertEqual(again.waitlist_place(), 1)

    def test_cancelling_without_a_reply_does_nothing(self) -> None:
        self.assertIsNone(services.rsvp_cancel(event=self.event, user=self.alice))

    def test_it_refuses_replies_to_an_event_that_is_over(self) -> None:
        past = make_event(self.org, starts_at=timezone.now() - timedelta(days=1))
        with self.assertRaises(services.EventError):
            services.rsvp_create(event=past, user=self.alice)
        self.assertFalse(RSVP.objects.filter(event=past).exists())


class CapacityTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.event = make_event(self.org, capacity=2)
        self.carol = make_member(self.org)
        for user in (self.alice, self.bob, self.carol):
            services.rsvp_create(event=self.event, user=user)

    def test_it_refuses_a_capacity_below_the_seats_taken(self) -> None:
        with self.assertRaisesMessage(services.EventError, "2 people already have"):
            services.event_update(event=self.event, actor=self.fiona, capacity=1)
        self.event.refresh_from_db()
        self.assertEqual(self.event.capacity, 2)

    def test_raising_capacity_seats_the_waitlist_in_order(self) -> None:
        services.event_update(event=self.event, actor=self.fiona, capacity=5)
        self.assertEqual(RSVP.objects.get(user=self.carol).status, RSVP.Status.SEATED)
        self.assertEqual(self.event.waitlist_count(), 0)

    def test_a_capacity_equal_to_the_seats_taken_is_fine(self) -> None:
        services.event_update(event=self.event, actor=self.fiona, capacity=2)
        self.assertEqual(self.event.waitlist_count(), 1)


class CheckInTestCase(BaseTestCase):
    def setUp(self) -> None:
        cache.clear()
        self.start = timezone.now() + timedelta(days=1)
        self.event = make_event(self.org, starts_at=self.start, capacity=1)
        services.rsvp_create(event=self.event, user=self.alice)
        services.rsvp_create(event=self.event, user=self.bob)  # waitlisted
        self.during = self.start + timedelta(minutes=10)

    def test_the_right_code_records_attendance(self) -> None:
        code = self.event.check_in_code.lower()
        attendance = services.check_in_with_code(
            event=self.event,
            user=self.alice,
            code=f" {code[:3]} {code[3:]} ",
            at=self.during,
        )
        self.assertEqual(attendance.method, Attendance.Method.CODE)
        self.assertEqual(
            list(Attendance.objects.attended_by(self.org, self.alice)), [attendance]
        )

    def test_checking_in_twice_keeps_one_record(self) -> None:
        code = self.event.check_in_code
        first = services.check_in_with_code(
            event=self.event, user=self.alice, code=code, at=self.during
        )
        second = services.check_in_with_code(
            event=self.event, user=self.alice, code=code, at=self.during
        )
        self.assertEqual(first.pk, second.pk)

    def test_a_wrong_code_is_refused(self) -> None:
        with self.assertRaises(services.CheckInError) as raised:
            services.check_in_with_code(
                event=self.event, user=self.alice, code="WRONG1", at=self.during
            )
        self.assertEqual(raised.exception.reason, "wrong_code")
        self.assertFalse(Attendance.objects.exists())

    def test_the_code_works_only_within_the_window(self) -> None:
        code = self.event.check_in_code
        for at in (
            self.start - timedelta(minutes=31),
            self.event.ends_at + timedelta(minutes=31),
        ):
            with self.assertRaises(services.CheckInError) as raised:
                services.check_in_with_code(
                    event=self.event, user=self.alice, code=code, at=at
                )
            self.assertEqual(raised.exception.reason, "closed")
        services.check_in_with_code(
            event=self.event,
            user=self.alice,
            code=code,
            at=self.start - timedelta(minutes=29),
        )

    def test_only_seated_members_check_in_by_code(self) -> None:
        with self.assertRaises(services.CheckInError) as raised:
            services.check_in_with_code(
                event=self.event,
                user=self.bob,
                code=self.event.check_in_code,
                at=self.during,
            )
        self.assertEqual(raised.exception.reason, "no_seat")

    def test_guessing_is_rate_limited_even_for_the_right_code(self) -> None:
        for _ in range(services.CHECK_IN_ATTEMPTS):
            with self.assertRaises(services.CheckInError):
                services.check_in_with_code(
                    event=self.event, user=self.alice, code="NOPE00", at=self.during
                )
        with self.assertRaises(services.CheckInError) as raised:
            services.check_in_with_code(
                event=self.event,
                user=self.alice,
                code=self.event.check_in_code,
                at=self.during,
            )
        self.assertEqual(raised.exception.reason, "rate_limited")
        self.assertFalse(Attendance.objects.exists())

    def test_a_new_code_replaces_the_old(self) -> None:
        old = self.event.check_in_code
        new = services.event_new_check_in_code(event=self.event, actor=self.fiona)
        self.assertNotEqual(old, new)
        with self.assertRaises(services.CheckInError):
            services.check_in_with_code(
                event=self.event, user=self.alice, code=old, at=self.during
            )

    def test_the_facilitator_list_adds_and_removes(self) -> None:
        change = services.attendance_record_list(
            event=self.event,
            actor=self.fiona,
            present_user_ids={self.alice.pk, self.bob.pk, self.paula.pk},
        )
        # paula never replied, so she can't be ticked.
        self.assertEqual((change.added, change.removed), (2, 0))
        self.assertEqual(
            set(Attendance.objects.values_list("user_id", flat=True)),
            {self.alice.pk, self.bob.pk},
        )
        self.assertEqual(
            Attendance.objects.get(user=self.bob).method, Attendance.Method.LIST
        )
        change = services.attendance_record_list(
            event=self.event, actor=self.fiona, present_user_ids={self.bob.pk}
        )
        self.assertEqual((change.added, change.removed), (0, 1))
        self.assertFalse(Attendance.objects.filter(user=self.alice).exists())

    def test_attended_by_is_scoped_to_the_organization_and_member(self) -> None:
        other_event = make_event(self.other_org)
        Attendance.objects.create(
            event=other_event, user=self.alice, method=Attendance.Method.LIST
        )
        services.attendance_record_list(
            event=self.event,
            actor=self.fiona,
            present_user_ids={self.alice.pk, self.bob.pk},
        )
        from alongside.organizations.models import Membership

        membership = Membership.objects.get(organization=self.org, user=self.alice)
        for member in (self.alice, membership):
            records = list(Attendance.objects.attended_by(self.org, member))
            self.assertEqual([r.event for r in records], [self.event])


class FeedbackTestCase(BaseTestCase):
    def setUp(self) -> None:
        start = timezone.now() - timedelta(hours=3)
        self.event = make_event(self.org, starts_at=start, capacity=5)
        Attendance.objects.create(
            event=self.event, user=self.alice, method=Attendance.Method.CODE
        )

    def test_an_attendee_gives_feedback_once(self) -> None:
        services.feedback_give(
            event=self.event, user=self.alice, rating=4, comment=" Good pace. "
        )
        with self.assertRaisesMessage(services.EventError, "already"):
            services.feedback_give(event=self.event, user=self.alice, rating=1)
        feedback = Feedback.objects.get()
        self.assertEqual((feedback.rating, feedback.comment), (4, "Good pace."))
        self.assertTrue(Attendance.objects.get(user=self.alice).feedback_given)

    def test_feedback_is_not_linked_to_the_attendee(self) -> None:
        field_names = {f.name for f in Feedback._meta.get_fields()}
        self.assertNotIn("user", field_names)
        self.assertNotIn("attendance", field_names)

    def test_non_attendees_and_bad_ratings_are_refused(self) -> None:
        with self.assertRaises(services.EventError):
            services.feedback_give(event=self.event, user=self.bob, rating=5)
        with self.assertRaises(services.EventError):
            services.feedback_give(event=self.event, user=self.alice, rating=6)
        self.assertFalse(Feedback.objects.exists())
        self.assertFalse(Attendance.objects.get(user=self.alice).feedback_given)

    def test_feedback_is_closed_before_the_end_and_after_two_weeks(self) -> None:
        for at in (
            self.event.ends_at - timedelta(minutes=1),
            self.event.ends_at + timedelta(days=15),
        ):
            with time_machine.travel(at), self.assertRaises(services.EventError):
                services.feedback_give(event=self.event, user=self.alice, rating=5)
        self.assertFalse(Feedback.objects.exists())


class ReminderTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.start = timezone.now() + timedelta(days=3)
        self.event = make_event(self.org, starts_at=self.start, capacity=1)
        services.rsvp_create(event=self.event, user=self.alice)
        services.rsvp_create(event=self.event, user=self.bob)  # waitlisted: no reminder

    def _run(self, at: timedelta) -> int:
        with self.captureOnCommitCallbacks(execute=True):
            return services.send_due_reminders(now=self.start - at)

    def test_each_reminder_is_sent_once(self) -> None:
        self.assertEqual(self._run(timedelta(hours=24, minutes=1)), 0)
        self.assertEqual(self._run(timedelta(hours=23, minutes=59)), 1)
        self.assertEqual(self._run(timedelta(hours=20)), 0)
        self.assertEqual(self._run(timedelta(minutes=59)), 1)
        self.assertEqual(self._run(timedelta(minutes=30)), 0)
        self.assertEqual(self._run(timedelta(minutes=-5)), 0)  # started: nothing
        self.assertEqual(len(mail.outbox), 2)
        self.assertEqual({m.to[0] for m in mail.outbox}, {self.alice.email})
        self.assertIn("Coming up", mail.outbox[0].subject)
        self.assertIn("Starting soon", mail.outbox[1].subject)
        self.assertEqual(
            Notification.objects.filter(
                user=self.alice, kind=Notification.Kind.REMINDER
            ).count(),
            2,
        )

    def test_a_late_seat_gets_only_the_hour_reminder(self) -> None:
        self.assertEqual(self._run(timedelta(minutes=40)), 1)
        self.assertEqual(self._run(timedelta(minutes=20)), 0)
        rsvp = RSVP.objects.get(user=self.alice)
        self.assertIsNotNone(rsvp.reminded_day_before_at)
        self.assertEqual(len(mail.outbox), 1)

    def test_the_command_is_idempotent(self) -> None:
        from io import StringIO

        from django.core.management import call_command

        out = StringIO()
        with time_machine.travel(self.start - timedelta(hours=2)):
            call_command("send_event_reminders", stdout=out)
            call_command("send_event_reminders", stdout=out)
        self.assertEqual(
            out.getvalue().splitlines(),
            ["Sent 1 event reminder(s).", "Sent 0 event reminder(s)."],
        )

    def test_a_cancelled_seat_is_not_reminded(self) -> None:
        services.rsvp_cancel(event=self.event, user=self.alice)
        self._run(timedelta(hours=2))
        self.assertFalse(
            Notification.objects.filter(
                user=self.alice, kind=Notification.Kind.REMINDER
            ).exists()
        )
        # bob was promoted and is reminded instead.
        self.assertTrue(
            Notification.objects.filter(
                user=self.bob, kind=Notification.Kind.REMINDER
            ).exists()
        )


class EventModelTestCase(BaseTestCase):
    def test_upcoming_and_past(self) -> None:
        soon = make_event(self.org)
        over = make_event(self.org, starts_at=timezone.now() - timedelta(days=2))
        running = make_event(self.org, starts_at=timezone.now() - timedelta(minutes=5))
        events = Event.objects.for_organization(self.org)
        self.assertEqual(list(events.upcoming()), [running, soon])
        self.assertEqual(list(events.past()), [over])


class AttendanceSignalTestCase(BaseTestCase):
    def test_each_new_attendance_is_signalled_once(self) -> None:
        from alongside.events.signals import attendance_recorded

        cache.clear()
        event = make_event(self.org, starts_at=timezone.now() - timedelta(minutes=5))
        RSVP.objects.create(
            event=event, user=self.alice, status=RSVP.Status.SEATED, position=1
        )
        RSVP.objects.create(
            event=event, user=self.bob, status=RSVP.Status.SEATED, position=2
        )
        seen: list[int] = []

        def receiver(
            sender: object, *, attendance: Attendance, **kwargs: object
        ) -> None:
            seen.append(attendance.user_id)

        attendance_recorded.connect(receiver)
        self.addCleanup(attendance_recorded.disconnect, receiver)
        with self.captureOnCommitCallbacks(execute=True):
            services.check_in_with_code(
                event=event, user=self.alice, code=event.check_in_code
            )
            services.check_in_with_code(
                event=event, user=self.alice, code=event.check_in_code
            )
            services.attendance_record_list(
                event=event,
                actor=self.fiona,
                present_user_ids={self.alice.pk, self.bob.pk},
            )
        self.assertEqual(seen, [self.alice.pk, self.bob.pk])
