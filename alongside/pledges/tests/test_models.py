from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from alongside.lib.visibility import Visibility
from alongside.pledges import periods
from alongside.pledges.models import (
    CATALOGUE_PATH,
    Category,
    CommitmentTemplate,
    PledgeCommitment,
    PledgePause,
    default_catalogue,
)
from alongside.pledges.tests.helpers import make_action, make_pledge
from alongside.test import BaseTestCase, make_organization


class PeriodsTestCase(BaseTestCase):
    def test_it_finds_period_starts(self) -> None:
        day = date(2026, 5, 14)  # a Thursday
        self.assertEqual(periods.period_start("weekly", day), date(2026, 5, 11))
        self.assertEqual(periods.period_start("monthly", day), date(2026, 5, 1))
        self.assertEqual(periods.period_start("quarterly", day), date(2026, 4, 1))
        self.assertEqual(periods.period_end("quarterly", day), date(2026, 6, 30))
        self.assertEqual(
            periods.next_period_start("monthly", date(2026, 12, 1)), date(2027, 1, 1)
        )

    def test_it_clips_periods_to_the_range(self) -> None:
        spans = periods.periods_between("monthly", date(2026, 1, 15), date(2026, 3, 3))
        self.assertEqual(
            spans,
            [
                (date(2026, 1, 15), date(2026, 1, 31)),
                (date(2026, 2, 1), date(2026, 2, 28)),
                (date(2026, 3, 1), date(2026, 3, 3)),
            ],
        )

    def test_it_checks_coverage_by_pauses(self) -> None:
        pauses = [(date(2026, 3, 1), date(2026, 3, 20)), (date(2026, 3, 20), None)]
        self.assertTrue(periods.is_covered(date(2026, 3, 1), date(2026, 3, 31), pauses))
        self.assertFalse(
            periods.is_covered(date(2026, 2, 28), date(2026, 3, 31), pauses)
        )
        self.assertFalse(
            periods.is_covered(
                date(2026, 3, 1),
                date(2026, 3, 31),
                [(date(2026, 3, 1), date(2026, 3, 31))],
            )
        )


class ConsistencyTestCase(BaseTestCase):
    def test_it_counts_periods_with_actions(self) -> None:
        pledge = make_pledge(self.alice, self.org, started_on=date(2026, 1, 15))
        for day in (
            date(2026, 1, 20),
            date(2026, 2, 3),
            date(2026, 2, 9),
            date(2026, 4, 1),
        ):
            make_action(pledge, occurred_on=day)
        # May is running and has no action yet: it doesn't count against him.
        c = pledge.consistency(today=date(2026, 5, 10))
        self.assertEqual((c.periods_with_actions, c.periods, c.percent), (3, 4, 75))

    def test_it_counts_the_running_period_once_it_has_an_action(self) -> None:
        pledge = make_pledge(self.alice, self.org, started_on=date(2026, 1, 15))
        make_action(pledge, occurred_on=date(2026, 2, 2))
        c = pledge.consistency(today=date(2026, 2, 5))
        self.assertEqual((c.periods_with_actions, c.periods), (1, 2))

    def test_it_is_not_measured_before_the_first_period_ends(self) -> None:
        pledge = make_pledge(self.alice, self.org, started_on=date(2026, 1, 15))
        c = pledge.consistency(today=date(2026, 1, 20))
        self.assertEqual(c.periods, 0)
        self.assertIsNone(c.percent)

    def test_it_leaves_out_fully_paused_periods(self) -> None:
        pledge = make_pledge(self.alice, self.org, started_on=date(2026, 1, 1))
        make_action(pledge, occurred_on=date(2026, 1, 10))
        make_action(pledge, occurred_on=date(2026, 4, 10))
        PledgePause.objects.create(
            pledge=pledge, started_on=date(2026, 2, 1), ended_on=date(2026, 4, 1)
        )
        c = pledge.consistency(today=date(2026, 4, 20))
        self.assertEqual((c.periods_with_actions, c.periods), (2, 2))
        # A half-paused month still counts.
        PledgePause.objects.all().update(started_on=date(2026, 2, 15))
        c = pledge.consistency(today=date(2026, 4, 20))
        self.assertEqual((c.periods_with_actions, c.periods), (2, 3))

    def test_it_uses_the_completion_day_as_the_end(self) -> None:
        pledge = make_pledge(
            self.alice,
            self.org,
            cadence="weekly",
            started_on=date(2026, 1, 5),
            status="completed",
            completed_at=timezone.make_aware(datetime(2026, 1, 20, 12)),
        )
        make_action(pledge, occurred_on=date(2026, 1, 6))
        # Weeks of 5 Jan, 12 Jan and 19 Jan (ended by completion, so counted).
        c = pledge.consistency(today=date(2026, 6, 1))
        self.assertEqual((c.periods_with_actions, c.periods), (1, 3))

    def test_it_computes_streaks(self) -> None:
        pledge = make_pledge(
            self.alice, self.org, cadence="weekly", started_on=date(2026, 1, 5)
        )
        weeks = [0, 1, 2, 4, 5]  # three in a row, a gap, then two in a row
        for week in weeks:
            make_action(pledge, occurred_on=date(2026, 1, 6) + timedelta(weeks=week))
        today = date(2026, 2, 11)  # in week 5, which has an action
        self.assertEqual(pledge.longest_streak(today=today), 3)
        self.assertEqual(pledge.current_streak(today=today), 2)
        # In week 6 with no action yet, the streak is still alive.
        self.assertEqual(pledge.current_streak(today=date(2026, 2, 17)), 2)
        # After week 6 ends without an action, it is broken.
        self.assertEqual(pledge.current_streak(today=date(2026, 2, 24)), 0)
        self.assertEqual(pledge.longest_streak(today=date(2026, 2, 24)), 3)

    def test_paused_periods_neither_break_nor_extend_a_streak(self) -> None:
        pledge = make_pledge(self.alice, self.org, started_on=date(2026, 1, 1))
        make_action(pledge, occurred_on=date(2026, 1, 5))
        make_action(pledge, occurred_on=date(2026, 2, 5))
        PledgePause.objects.create(
            pledge=pledge, started_on=date(2026, 3, 1), ended_on=date(2026, 4, 1)
        )
        make_action(pledge, occurred_on=date(2026, 4, 5))
        self.assertEqual(pledge.longest_streak(today=date(2026, 4, 10)), 3)


class CatalogueTestCase(BaseTestCase):
    def test_the_default_catalogue_is_complete(self) -> None:
        entries = default_catalogue()
        self.assertGreaterEqual(len(entries), 24)
        self.assertEqual({e["category"] for e in entries}, set(Category.values))
        titles = [e["title"] for e in entries]
        self.assertEqual(len(titles), len(set(titles)))
        for entry in entries:
            self.assertTrue(entry["description"] and entry["example"], entry)
            self.assertLessEqual(len(entry["title"]), 140)
            self.assertLessEqual(len(entry["description"]), 1000)
            self.assertLessEqual(len(entry["example"]), 300)
        with CATALOGUE_PATH.open() as f:
            self.assertIsInstance(json.load(f), list)

    def test_it_seeds_an_empty_catalogue_once(self) -> None:
        org = make_organization()
        created = CommitmentTemplate.objects.ensure_default_catalogue(org)
        self.assertEqual(created, len(default_catalogue()))
        self.assertEqual(CommitmentTemplate.objects.ensure_default_catalogue(org), 0)
        self.assertEqual(
            CommitmentTemplate.objects.for_organization(org).count(),
            len(default_catalogue()),
        )
        self.assertFalse(
            CommitmentTemplate.objects.for_organization(self.other_org).exists()
        )

    def test_it_leaves_a_curated_catalogue_alone(self) -> None:
        org = make_organization()
        CommitmentTemplate.objects.create(
            organization=org,
            category=Category.SPEAK_UP,
            title="Our own",
            description="x",
            is_active=False,
        )
        self.assertEqual(CommitmentTemplate.objects.ensure_default_catalogue(org), 0)
        self.assertEqual(CommitmentTemplate.objects.for_organization(org).count(), 1)


class VisibilityTestCase(BaseTestCase):
    def test_actions_are_never_shown_more_widely_than_their_pledge(self) -> None:
        from alongside.pledges.models import Action

        org_pledge = make_pledge(self.alice, self.org)
        public_action = make_action(org_pledge, visibility=Visibility.PUBLIC)
        private_action = make_action(org_pledge, visibility=Visibility.PRIVATE)
        private_pledge = make_pledge(
            self.alice, self.org, visibility=Visibility.PRIVATE
        )
        hidden = make_action(private_pledge, visibility=Visibility.ORGANIZATION)

        anonymous = set(Action.objects.visible_to(None, self.org))
        self.assertEqual(anonymous, set())
        bob_sees = set(Action.objects.visible_to(self.bob, self.org))
        self.assertEqual(bob_sees, {public_action})
        alice_sees = set(Action.objects.visible_to(self.alice, self.org))
        self.assertEqual(alice_sees, {public_action, private_action, hidden})
        self.assertEqual(
            set(Action.objects.visible_to(self.bob, self.other_org)), set()
        )


class LifecycleTestCase(BaseTestCase):
    def test_it_requires_a_reflection_when_not_managed(self) -> None:
        pledge = make_pledge(self.alice, self.org, commitments=2)
        first, second = pledge.commitments.all()
        with self.assertRaises(ValidationError) as e:
            first.end(PledgeCommitment.Outcome.NOT_MANAGED, "  ")
        self.assertIn("reflection", e.exception.message_dict)
        first.refresh_from_db()
        self.assertTrue(first.is_open)
        first.end(PledgeCommitment.Outcome.NOT_MANAGED, "Too many deadlines.")
        second.end(PledgeCommitment.Outcome.KEPT)
        self.assertEqual(second.reflection, "")
        with self.assertRaises(ValidationError):
            second.end(PledgeCommitment.Outcome.KEPT)

    def test_it_pauses_resumes_and_records_the_pause(self) -> None:
        with time_machine.travel(date(2026, 3, 1)):
            pledge = make_pledge(self.alice, self.org)
            pledge.pause()
        with self.assertRaises(ValidationError):
            pledge.pause()
        with time_machine.travel(date(2026, 3, 10)):
            pledge.resume()
        self.assertTrue(pledge.is_active)
        pause = pledge.pauses.get()
        self.assertEqual(
            (pause.started_on, pause.ended_on), (date(2026, 3, 1), date(2026, 3, 10))
        )

    def test_it_renews_only_with_a_future_date(self) -> None:
        pledge = make_pledge(self.alice, self.org)
        with self.assertRaises(ValidationError):
            pledge.renew(timezone.localdate())
        pledge.renew(timezone.localdate() + timedelta(days=90))
        self.assertIsNotNone(pledge.renewed_at)

    def test_it_completes_only_when_every_commitment_ended(self) -> None:
        pledge = make_pledge(self.alice, self.org)
        with self.assertRaises(ValidationError):
            pledge.complete()
        pledge.commitments.get().end(PledgeCommitment.Outcome.KEPT)
        pledge.complete()
        self.assertTrue(pledge.is_completed)
        with self.assertRaises(ValidationError):
            pledge.renew(timezone.localdate() + timedelta(days=9))


class AuditLabelsTestCase(BaseTestCase):
    def test_it_describes_its_audit_actions_in_words(self) -> None:
        from alongside.audit.models import AuditEvent

        event = AuditEvent(action="pledges.confirmation_requested")
        self.assertEqual(event.action_label, "Asked someone to confirm an action")
        event = AuditEvent(action="pledges.catalogue_deactivated")
        self.assertEqual(
            event.action_label, "Deactivated a commitment in the catalogue"
        )
