from __future__ import annotations

from datetime import date
from io import StringIO

import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from alongside.audit.models import AuditEvent
from alongside.notifications.models import Notification, NotificationPreference
from alongside.pledges import signals
from alongside.pledges.models import Action, Cadence, PledgeCommitment
from alongside.recognition.badges import BADGE_RULES, MemberRecord
from alongside.recognition.models import BadgeAward
from alongside.recognition.services import badge_revoke, badges_evaluate, kudos_give
from alongside.recognition.tests.helpers import make_action, make_pledge
from alongside.test import BaseTestCase


def held(member, organization) -> set[str]:
    return set(
        BadgeAward.objects.filter(
            member=member, organization=organization, revoked_at__isnull=True
        ).values_list("badge", flat=True)
    )


class BadgeRulesTestCase(BaseTestCase):
    def evaluate(self, member=None):
        member = member or self.alice
        with self.captureOnCommitCallbacks(execute=True):
            return badges_evaluate(organization=self.org, member=member)

    def test_it_awards_nothing_for_signing_up_or_pledging(self) -> None:
        pledge = make_pledge(self.alice, self.org)
        self.assertEqual(self.evaluate(), [])
        # A logged but unconfirmed action is not evidence enough either.
        make_action(pledge)
        self.assertEqual(self.evaluate(), [])
        self.assertFalse(BadgeAward.objects.exists())
        self.assertFalse(Notification.objects.filter(kind="badge").exists())

    def test_it_awards_first_confirmed_action(self) -> None:
        make_action(make_pledge(self.alice, self.org), confirmed=True)
        awarded = self.evaluate()
        self.assertEqual([a.badge for a in awarded], ["first-confirmed-action"])

    def test_it_awards_five_confirmed_actions_at_five(self) -> None:
        pledge = make_pledge(self.alice, self.org)
        for _ in range(4):
            make_action(pledge, confirmed=True)
        make_action(pledge)  # unconfirmed: does not count
        self.evaluate()
        self.assertNotIn("five-confirmed-actions", held(self.alice, self.org))
        make_action(pledge, confirmed=True)
        self.evaluate()
        self.assertIn("five-confirmed-actions", held(self.alice, self.org))

    def test_it_counts_only_this_organizations_actions(self) -> None:
        make_action(make_pledge(self.alice, self.org), confirmed=True)
        # Oscar is not in northwind: nothing is awarded to him there.
        self.assertEqual(badges_evaluate(organization=self.org, member=self.oscar), [])
        self.assertEqual(
            badges_evaluate(organization=self.other_org, member=self.alice), []
        )

    def test_it_awards_commitment_kept_only_with_a_confirmed_action(self) -> None:
        pledge = make_pledge(self.alice, self.org, commitments=("Share the load",))
        commitment = pledge.commitments.get()
        commitment.outcome = PledgeCommitment.Outcome.KEPT
        commitment.save()
        make_action(pledge)
        self.evaluate()
        self.assertNotIn("commitment-kept", held(self.alice, self.org))
        Action.objects.update(confirmed_at=timezone.now())
        self.evaluate()
        self.assertIn("commitment-kept", held(self.alice, self.org))

    def test_it_does_not_count_a_commitment_not_managed(self) -> None:
        pledge = make_pledge(self.alice, self.org)
        commitment = pledge.commitments.get()
        commitment.outcome = PledgeCommitment.Outcome.NOT_MANAGED
        commitment.reflection = "Too many meetings."
        commitment.save()
        make_action(pledge, confirmed=True)
        self.evaluate()
        self.assertNotIn("commitment-kept", held(self.alice, self.org))

    def test_it_awards_first_kudos_given(self) -> None:
        pledge = make_pledge(self.alice, self.org)
        with self.captureOnCommitCallbacks(execute=True):
            kudos_give(giver=self.bob, organization=self.org, pledge=pledge)
        self.assertEqual(held(self.bob, self.org), {"first-kudos-given"})
        # Receiving kudos earns nothing by itself.
        self.assertEqual(held(self.alice, self.org), set())

    def test_it_is_idempotent(self) -> None:
        make_action(make_pledge(self.alice, self.org), confirmed=True)
        self.assertEqual(len(self.evaluate()), 1)
        self.assertEqual(self.evaluate(), [])
        self.assertEqual(BadgeAward.objects.count(), 1)
        self.assertEqual(Notification.objects.filter(kind="badge").count(), 1)
        self.assertEqual(len(mail.outbox), 1)

    def test_it_notifies_in_app_and_by_email(self) -> None:
        make_action(make_pledge(self.alice, self.org), confirmed=True)
        self.evaluate()
        notification = Notification.objects.get(user=self.alice, kind="badge")
        self.assertIn("First confirmed action", notification.message)
        self.assertEqual(
            notification.url, f"/o/northwind/allies/{self.alice.pk}/#badges"
        )
        self.assertEqual(len(mail.outbox), 1)
        self.assertEqual(mail.outbox[0].to, ["alice@example.org"])
        self.assertIn("First confirmed action", mail.outbox[0].subject)
        self.assertIn(notification.url, mail.outbox[0].body)

    def test_it_skips_the_email_when_the_member_turned_badge_emails_off(self) -> None:
        NotificationPreference.objects.create(user=self.alice, email_badges=False)
        make_action(make_pledge(self.alice, self.org), confirmed=True)
        self.evaluate()
        self.assertTrue(Notification.objects.filter(user=self.alice).exists())
        self.assertEqual(mail.outbox, [])

    def test_every_rule_has_a_unique_slug_that_fits_the_column(self) -> None:
        slugs = [rule.slug for rule in BADGE_RULES]
        self.assertEqual(len(slugs), len(set(slugs)))
        max_length = BadgeAward._meta.get_field("badge").max_length
        assert max_length is not None
        self.assertTrue(all(len(slug) <= max_length for slug in slugs))

    def test_it_awards_nothing_to_former_members(self) -> None:
        make_action(make_pledge(self.alice, self.org), confirmed=True)
        self.alice.memberships.all().delete()
        self.assertEqual(self.evaluate(), [])


class StreakTestCase(BaseTestCase):
    def streak_badge(self) -> bool:
        with self.captureOnCommitCallbacks(execute=True):
            badges_evaluate(organization=self.org, member=self.alice)
        return "three-periods-in-a-row" in held(self.alice, self.org)

    def test_it_counts_three_months_in_a_row_across_a_year_boundary(self) -> None:
        with time_machine.travel(date(2025, 11, 20), tick=False):
            pledge = make_pledge(self.alice, self.org, cadence=Cadence.MONTHLY)
            make_action(pledge, occurred_on=date(2025, 11, 20))
        with time_machine.travel(date(2025, 12, 31), tick=False):
            make_action(pledge, occurred_on=date(2025, 12, 31))
            self.assertFalse(self.streak_badge())
        with time_machine.travel(date(2026, 1, 1), tick=False):
            make_action(pledge, occurred_on=date(2026, 1, 1))
            self.assertTrue(self.streak_badge())

    def test_a_missed_month_breaks_the_streak(self) -> None:
        with time_machine.travel(date(2026, 1, 10), tick=False):
            pledge = make_pledge(self.alice, self.org, cadence=Cadence.MONTHLY)
        with time_machine.travel(date(2026, 5, 10), tick=False):
            # January, February, (no March), April, May: two and two.
            for day in (
                date(2026, 1, 10),
                date(2026, 2, 28),
                date(2026, 4, 1),
                date(2026, 5, 10),
            ):
                make_action(pledge, occurred_on=day)
            self.assertFalse(self.streak_badge())

    def test_it_counts_quarters_across_a_year_boundary(self) -> None:
        with time_machine.travel(date(2025, 9, 30), tick=False):
            pledge = make_pledge(self.alice, self.org, cadence=Cadence.QUARTERLY)
        with time_machine.travel(date(2026, 4, 1), tick=False):
            # Q3 2025 (Sep 30), Q4 2025 (Oct 1), Q1 2026 (Mar 31): three in a row.
            for day in (date(2025, 9, 30), date(2025, 10, 1), date(2026, 3, 31)):
                make_action(pledge, occurred_on=day)
            self.assertTrue(self.streak_badge())

    def test_two_actions_in_one_quarter_are_one_period(self) -> None:
        with time_machine.travel(date(2026, 1, 1), tick=False):
            pledge = make_pledge(self.alice, self.org, cadence=Cadence.QUARTERLY)
        with time_machine.travel(date(2026, 6, 30), tick=False):
            # Jan 1 and Mar 31 are both Q1; Apr 1 is Q2: only two quarters.
            for day in (date(2026, 1, 1), date(2026, 3, 31), date(2026, 4, 1)):
                make_action(pledge, occurred_on=day)
            self.assertFalse(self.streak_badge())

    def test_it_counts_weeks_across_a_month_boundary(self) -> None:
        # Mondays: 2026-03-23, 2026-03-30, 2026-04-06.
        with time_machine.travel(date(2026, 3, 25), tick=False):
            pledge = make_pledge(self.alice, self.org, cadence=Cadence.WEEKLY)
        with time_machine.travel(date(2026, 4, 6), tick=False):
            for day in (date(2026, 3, 29), date(2026, 3, 30), date(2026, 4, 6)):
                make_action(pledge, occurred_on=day)
            self.assertTrue(self.streak_badge())

    def test_backdated_and_future_actions_build_no_streak(self) -> None:
        with time_machine.travel(date(2026, 3, 15), tick=False):
            pledge = make_pledge(self.alice, self.org, cadence=Cadence.MONTHLY)
            # Before the pledge started, and after today.
            for day in (
                date(2026, 1, 15),
                date(2026, 2, 15),
                date(2026, 3, 15),
                date(2026, 4, 15),
            ):
                make_action(pledge, occurred_on=day)
            self.assertFalse(self.streak_badge())

    def test_streaks_are_per_pledge_cadence(self) -> None:
        with time_machine.travel(date(2026, 1, 5), tick=False):
            weekly = make_pledge(self.alice, self.org, cadence=Cadence.WEEKLY)
            monthly = make_pledge(self.alice, self.org, cadence=Cadence.MONTHLY)
        with time_machine.travel(date(2026, 3, 31), tick=False):
            # Three months in a row, but split over two pledges: no streak in either.
            make_action(weekly, occurred_on=date(2026, 1, 5))
            make_action(monthly, occurred_on=date(2026, 2, 5))
            make_action(weekly, occurred_on=date(2026, 3, 5))
            self.assertFalse(self.streak_badge())
            record = MemberRecord.load(organization=self.org, member=self.alice)
            self.assertEqual(record.longest_streak, 1)


class SignalsTestCase(BaseTestCase):
    def test_it_evaluates_when_an_action_is_confirmed(self) -> None:
        action = make_action(make_pledge(self.alice, self.org), confirmed=True)
        with self.captureOnCommitCallbacks(execute=True):
            signals.action_confirmed.send(sender=Action, action=action)
        self.assertEqual(held(self.alice, self.org), {"first-confirmed-action"})

    def test_it_evaluates_when_an_action_is_logged(self) -> None:
        action = make_action(make_pledge(self.alice, self.org), confirmed=True)
        with self.captureOnCommitCallbacks(execute=True):
            signals.action_logged.send(sender=Action, action=action)
        self.assertEqual(held(self.alice, self.org), {"first-confirmed-action"})

    def test_it_evaluates_when_a_commitment_ends(self) -> None:
        pledge = make_pledge(self.alice, self.org)
        make_action(pledge, confirmed=True)
        commitment = pledge.commitments.get()
        commitment.outcome = PledgeCommitment.Outcome.KEPT
        commitment.save()
        with self.captureOnCommitCallbacks(execute=True):
            signals.commitment_ended.send(
                sender=PledgeCommitment, commitment=commitment
            )
        self.assertIn("commitment-kept", held(self.alice, self.org))

    def test_it_waits_for_the_commit(self) -> None:
        action = make_action(make_pledge(self.alice, self.org), confirmed=True)
        with self.captureOnCommitCallbacks(execute=False) as callbacks:
            signals.action_confirmed.send(sender=Action, action=action)
        self.assertFalse(BadgeAward.objects.exists())
        self.assertEqual(len(callbacks), 1)


class RevokeTestCase(BaseTestCase):
    def setUp(self) -> None:
        make_action(make_pledge(self.alice, self.org), confirmed=True)
        with self.captureOnCommitCallbacks(execute=True):
            (self.award,) = badges_evaluate(organization=self.org, member=self.alice)
        mail.outbox.clear()

    def test_it_revokes_with_a_reason_audits_and_notifies(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            badge_revoke(award=self.award, actor=self.paula, reason="Self-confirmed.")
        self.award.refresh_from_db()
        self.assertIsNotNone(self.award.revoked_at)
        self.assertEqual(self.award.revoked_by, self.paula)
        self.assertEqual(self.award.revoke_reason, "Self-confirmed.")
        event = AuditEvent.objects.get(action="badge.revoke")
        self.assertEqual(event.actor, self.paula)
        self.assertEqual(event.organization, self.org)
        self.assertEqual(event.data["reason"], "Self-confirmed.")
        notification = Notification.objects.filter(user=self.alice).first()
        assert notification is not None
        self.assertIn("revoked", notification.message)
        self.assertEqual(len(mail.outbox), 1)
        self.assertIn("Self-confirmed.", mail.outbox[0].body)

    def test_a_revoked_badge_is_not_awarded_again(self) -> None:
        badge_revoke(award=self.award, actor=self.paula, reason="Self-confirmed.")
        with self.captureOnCommitCallbacks(execute=True):
            self.assertEqual(
                badges_evaluate(organization=self.org, member=self.alice), []
            )
        self.assertEqual(held(self.alice, self.org), set())
        self.assertEqual(BadgeAward.objects.count(), 1)

    def test_it_requires_a_reason(self) -> None:
        with self.assertRaises(ValidationError):
            badge_revoke(award=self.award, actor=self.paula, reason="   ")
        self.award.refresh_from_db()
        self.assertIsNone(self.award.revoked_at)
        self.assertFalse(AuditEvent.objects.filter(action="badge.revoke").exists())

    def test_only_a_program_admin_of_the_organization_may_revoke(self) -> None:
        for actor in (self.bob, self.fiona, self.olga):
            with self.assertRaises(PermissionError):
                badge_revoke(award=self.award, actor=actor, reason="No.")
        self.award.refresh_from_db()
        self.assertIsNone(self.award.revoked_at)

    def test_revoking_twice_records_one_revocation(self) -> None:
        badge_revoke(award=self.award, actor=self.paula, reason="First.")
        badge_revoke(award=self.award, actor=self.paula, reason="Second.")
        self.award.refresh_from_db()
        self.assertEqual(self.award.revoke_reason, "First.")
        self.assertEqual(AuditEvent.objects.filter(action="badge.revoke").count(), 1)


class AwardBadgesCommandTestCase(BaseTestCase):
    def run_command(self, *args: str) -> str:
        out = StringIO()
        with self.captureOnCommitCallbacks(execute=True):
            call_command("award_badges", *args, stdout=out)
        return out.getvalue()

    def test_it_awards_everyone_once(self) -> None:
        make_action(make_pledge(self.alice, self.org), confirmed=True)
        make_action(make_pledge(self.oscar, self.other_org), confirmed=True)
        self.assertIn("awarded 2 new badges", self.run_command())
        self.assertIn("awarded 0 new badges", self.run_command())
        self.assertEqual(BadgeAward.objects.count(), 2)
        self.assertEqual(Notification.objects.filter(kind="badge").count(), 2)

    def test_it_can_be_limited_to_one_organization(self) -> None:
        make_action(make_pledge(self.alice, self.org), confirmed=True)
        make_action(make_pledge(self.oscar, self.other_org), confirmed=True)
        self.run_command("--organization", "other")
        self.assertEqual(
            list(BadgeAward.objects.values_list("member", flat=True)), [self.oscar.pk]
        )

    def test_it_keeps_revoked_badges_revoked(self) -> None:
        make_action(make_pledge(self.alice, self.org), confirmed=True)
        self.run_command()
        award = BadgeAward.objects.get()
        badge_revoke(award=award, actor=self.paula, reason="Not genuine.")
        self.run_command()
        award.refresh_from_db()
        self.assertTrue(award.is_revoked)
        self.assertEqual(BadgeAward.objects.count(), 1)
