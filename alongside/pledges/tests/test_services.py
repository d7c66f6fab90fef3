from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from alongside.lib.visibility import Visibility
from alongside.notifications.models import Notification
from alongside.pledges import privacy, services, signals
from alongside.pledges.models import (
    Action,
    Category,
    CommitmentTemplate,
    ConfirmationRequest,
    Pledge,
    PledgeCommitment,
)
from alongside.pledges.services import CommitmentInput
from alongside.pledges.tests.helpers import make_action, make_pledge, make_request
from alongside.test import BaseTestCase


class Received:
    """Collects what a signal sends during a test."""

    def __init__(self, signal: Any) -> None:
        self.calls: list[dict[str, Any]] = []
        self.signal = signal

    def __call__(self, sender: Any, **kwargs: Any) -> None:
        kwargs.pop("signal", None)
        self.calls.append({"sender": sender, **kwargs})

    def __enter__(self) -> Received:
        self.signal.connect(self)
        return self

    def __exit__(self, *exc: object) -> None:
        self.signal.disconnect(self)


class PledgeCreateTestCase(BaseTestCase):
    templates: list[CommitmentTemplate]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        CommitmentTemplate.objects.ensure_default_catalogue(cls.org)
        cls.templates = list(CommitmentTemplate.objects.for_organization(cls.org)[:6])

    def create(self, **overrides: Any) -> Pledge:
        kwargs: dict[str, Any] = {
            "organization": self.org,
            "member": self.alice,
            "statement": "I will share the load at work.",
            "commitments": [
                CommitmentInput(
                    template=self.templates[0], title="", specifics="Weekly"
                ),
                CommitmentInput(template=None, title="Cook for the team", specifics=""),
            ],
            "cadence": "monthly",
            "visibility": Visibility.ORGANIZATION,
        }
        kwargs.update(overrides)
        return services.pledge_create(**kwargs)

    def test_it_creates_a_pledge_with_its_commitments(self) -> None:
        pledge = self.create()
        titles = list(pledge.commitments.values_list("title", "specifics", "template"))
        self.assertEqual(
            titles,
            [
                (self.templates[0].title, "Weekly", self.templates[0].pk),
                ("Cook for the team", "", None),
            ],
        )
        self.assertEqual(pledge.started_on, timezone.localdate())
        self.assertTrue(pledge.is_active)

    def test_it_refuses_zero_or_six_commitments(self) -> None:
        for commitments in ([], [CommitmentInput(t, "", "") for t in self.templates]):
            with self.assertRaises(ValidationError):
                self.create(commitments=commitments)
        self.assertFalse(Pledge.objects.exists())

    def test_it_refuses_duplicates(self) -> None:
        duplicate = [
            CommitmentInput(self.templates[0], "", ""),
            CommitmentInput(None, self.templates[0].title.upper(), ""),
        ]
        with self.assertRaises(ValidationError):
            self.create(commitments=duplicate)
        self.assertFalse(Pledge.objects.exists())

    def test_it_refuses_templates_of_another_organization_or_inactive(self) -> None:
        other = CommitmentTemplate.objects.create(
            organization=self.other_org,
            category=Category.SPEAK_UP,
            title="Elsewhere",
            description="x",
        )
        inactive = self.templates[1]
        inactive.set_active(False)
        for template in (other, inactive):
            with self.assertRaises(ValidationError):
                self.create(commitments=[CommitmentInput(template, "", "")])
        self.assertFalse(Pledge.objects.exists())

    def test_it_refuses_a_past_target_date(self) -> None:
        with self.assertRaises(ValidationError) as e:
            self.create(target_date=timezone.localdate() - timedelta(days=1))
        self.assertIn("target_date", e.exception.message_dict)

    def test_it_saves_nothing_when_a_commitment_is_invalid(self) -> None:
        with self.assertRaises(ValidationError):
            self.create(
                commitments=[
                    CommitmentInput(None, "Fine", ""),
                    CommitmentInput(None, "Too long", "x" * 1001),
                ]
            )
        self.assertFalse(Pledge.objects.exists())
        self.assertFalse(PledgeCommitment.objects.exists())

    def test_it_refuses_an_empty_or_oversized_statement(self) -> None:
        for statement in ("   ", "x" * 2001):
            with self.assertRaises(ValidationError):
                self.create(statement=statement)
        self.assertFalse(Pledge.objects.exists())

    def test_the_same_submission_creates_one_pledge(self) -> None:
        key = uuid.uuid4()
        first = self.create(submission_key=key)
        second = self.create(submission_key=key)
        self.assertEqual(first, second)
        self.assertEqual(Pledge.objects.count(), 1)
        self.assertEqual(PledgeCommitment.objects.count(), 2)
        # Another member's key space is separate.
        self.create(member=self.bob, submission_key=key)
        self.assertEqual(Pledge.objects.count(), 2)


class ActionLogTestCase(BaseTestCase):
    def log(self, pledge: Pledge, **overrides: Any) -> Action:
        kwargs: dict[str, Any] = {
            "commitment": pledge.commitments.first(),
            "member": pledge.member,
            "occurred_on": timezone.localdate(),
            "description": "Took the minutes.",
            "visibility": Visibility.ORGANIZATION,
        }
        kwargs.update(overrides)
        return services.action_log(**kwargs)

    def test_it_logs_and_signals_after_commit(self) -> None:
        pledge = make_pledge(self.alice, self.org)
        with (
            Received(signals.action_logged) as received,
            self.captureOnCommitCallbacks(execute=True),
        ):
            action = self.log(pledge)
            self.assertEqual(received.calls, [])
        self.assertEqual(received.calls, [{"sender": Action, "action": action}])
        self.assertEqual(action.organization, self.org)

    def test_it_refuses_dates_in_the_future_or_before_the_pledge(self) -> None:
        pledge = make_pledge(
            self.alice, self.org, started_on=timezone.localdate() - timedelta(days=3)
        )
        for day in (
            timezone.localdate() + timedelta(days=1),
            timezone.localdate() - timedelta(days=4),
        ):
            with self.assertRaises(ValidationError) as e:
                self.log(pledge, occurred_on=day)
            self.assertIn("occurred_on", e.exception.message_dict)
        self.log(pledge, occurred_on=timezone.localdate() - timedelta(days=3))

    def test_it_refuses_paused_completed_or_ended(self) -> None:
        pledge = make_pledge(self.alice, self.org, commitments=2)
        first, second = pledge.commitments.all()
        first.end(PledgeCommitment.Outcome.KEPT)
        with self.assertRaises(ValidationError):
            self.log(pledge, commitment=first)
        pledge.pause()
        with self.assertRaises(ValidationError):
            self.log(pledge, commitment=second)
        self.assertFalse(Action.objects.exists())

    def test_it_refuses_someone_elses_pledge(self) -> None:
        pledge = make_pledge(self.alice, self.org)
        with self.assertRaises(ValidationError):
            self.log(pledge, member=self.bob)

    def test_the_same_submission_logs_one_action(self) -> None:
        pledge = make_pledge(self.alice, self.org)
        key = uuid.uuid4()
        self.assertEqual(
            self.log(pledge, submission_key=key), self.log(pledge, submission_key=key)
        )
        self.assertEqual(Action.objects.count(), 1)


class CommitmentEndTestCase(BaseTestCase):
    def test_it_signals_the_end(self) -> None:
        pledge = make_pledge(self.alice, self.org)
        commitment = pledge.commitments.get()
        with (
            Received(signals.commitment_ended) as received,
            self.captureOnCommitCallbacks(execute=True),
        ):
            services.commitment_end(
                commitment=commitment,
                outcome=PledgeCommitment.Outcome.NOT_MANAGED,
                reflection="I underestimated the time it takes.",
            )
        self.assertEqual(received.calls[0]["commitment"], commitment)
        commitment.refresh_from_db()
        self.assertEqual(commitment.outcome, "not_managed")

    def test_a_failing_listener_does_not_break_the_flow(self) -> None:
        def broken(sender: Any, **kwargs: Any) -> None:
            raise RuntimeError("listener bug")

        signals.commitment_ended.connect(broken)
        self.addCleanup(signals.commitment_ended.disconnect, broken)
        commitment = make_pledge(self.alice, self.org).commitments.get()
        with (
            self.assertLogs("django.dispatch", "ERROR"),
            self.captureOnCommitCallbacks(execute=True),
        ):
            services.commitment_end(commitment=commitment, outcome="kept")
        commitment.refresh_from_db()
        self.assertFalse(commitment.is_open)


class PledgeCompleteTestCase(BaseTestCase):
    def test_it_ends_every_commitment_and_completes(self) -> None:
        pledge = make_pledge(self.alice, self.org, commitments=2)
        first, second = pledge.commitments.all()
        with (
            Received(signals.commitment_ended) as received,
            self.captureOnCommitCallbacks(execute=True),
        ):
            services.pledge_complete(
                pledge=pledge,
                outcomes={
                    first.pk: ("kept", ""),
                    second.pk: ("not_managed", "Moved teams in March."),
                },
            )
        self.assertEqual(len(received.calls), 2)
        pledge.refresh_from_db()
        self.assertTrue(pledge.is_completed)

    def test_it_is_all_or_nothing(self) -> None:
        pledge = make_pledge(self.alice, self.org, commitments=2)
        first, second = pledge.commitments.all()
        with self.assertRaises(ValidationError):
            services.pledge_complete(
                pledge=pledge,
                outcomes={first.pk: ("kept", ""), second.pk: ("not_managed", "")},
            )
        pledge.refresh_from_db()
        self.assertTrue(pledge.is_active)
        self.assertEqual(pledge.open_commitments().count(), 2)


class CheckinReminderTestCase(BaseTestCase):
    def test_it_reminds_once_per_period(self) -> None:
        with time_machine.travel(date(2026, 3, 2)):
            pledge = make_pledge(self.alice, self.org, cadence="weekly")
            make_pledge(self.bob, self.org, cadence="weekly").pause()
            with self.captureOnCommitCallbacks(execute=True):
                self.assertEqual(services.pledge_send_checkin_reminders(), 1)
            self.assertEqual(services.pledge_send_checkin_reminders(), 0)
        note = Notification.objects.get()
        self.assertEqual(
            (note.user, note.kind), (self.alice, Notification.Kind.REMINDER)
        )
        self.assertEqual(len(mail.outbox), 1)
        self.assertEqual(mail.outbox[0].to, ["alice@example.org"])
        self.assertIn(pledge.get_absolute_url(), mail.outbox[0].body)
        # The next week, again once.
        with time_machine.travel(date(2026, 3, 10)):
            self.assertEqual(services.pledge_send_checkin_reminders(), 1)
            self.assertEqual(services.pledge_send_checkin_reminders(), 0)

    def test_it_skips_pledges_with_an_action_this_period(self) -> None:
        with time_machine.travel(date(2026, 3, 18)):
            pledge = make_pledge(self.alice, self.org, started_on=date(2026, 3, 1))
            make_action(pledge, occurred_on=date(2026, 3, 3))
            self.assertEqual(services.pledge_send_checkin_reminders(), 0)
        with time_machine.travel(date(2026, 4, 2)):
            self.assertEqual(services.pledge_send_checkin_reminders(), 1)

    def test_the_command_runs(self) -> None:
        from io import StringIO

        from django.core.management import call_command

        make_pledge(self.alice, self.org)
        out = StringIO()
        call_command("send_checkin_reminders", stdout=out)
        self.assertIn("Sent 1 check-in reminder", out.getvalue())


class PrivacyTestCase(BaseTestCase):
    def test_it_exports_own_data_without_revealing_declines(self) -> None:
        pledge = make_pledge(self.alice, self.org, commitments=2)
        action = make_action(pledge, description="Ran the retro")
        make_request(action, status=ConfirmationRequest.Status.DECLINED)
        other = make_pledge(self.bob, self.org)
        make_action(other, description="Bob's action")

        data = privacy.export_user_data(self.alice)
        self.assertEqual(len(data["pledges"]), 1)
        self.assertEqual(len(data["pledges"][0]["commitments"]), 2)
        self.assertEqual([a["description"] for a in data["actions"]], ["Ran the retro"])
        sent = data["confirmation_requests"]
        self.assertEqual(sent[0]["recipient_email"], "dana@example.net")
        self.assertEqual(sent[0]["status"], "waiting")
        self.assertNotIn("Bob's action", str(data))
        import json

        json.dumps(data)

    def test_it_erases_own_data_only(self) -> None:
        action = make_action(make_pledge(self.alice, self.org))
        make_request(action)
        make_action(make_pledge(self.bob, self.org))
        privacy.erase_user_data(self.alice)
        self.assertFalse(Pledge.objects.filter(member=self.alice).exists())
        self.assertFalse(Action.objects.filter(member=self.alice).exists())
        self.assertFalse(ConfirmationRequest.objects.exists())
        self.assertTrue(Pledge.objects.filter(member=self.bob).exists())
