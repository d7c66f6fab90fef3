"""Signing, confirming, withdrawing and the stored counter."""

from __future__ import annotations

import time
from datetime import timedelta
from io import StringIO
from typing import Any

import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from alongside.campaigns import ratelimit, services
from alongside.campaigns.models import Campaign, Signature, SignRateLimit
from alongside.campaigns.privacy import erase_user_data, export_user_data
from alongside.campaigns.tests.helpers import last_email_to, make_campaign, token_in
from alongside.lib.tokens import token_digest
from alongside.pledges.models import Pledge
from alongside.test import BaseTestCase


class CampaignTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.campaign = make_campaign(self.org)

    def sign(self, email: str = "sam@example.net", **extra: Any) -> services.SignResult:
        with self.captureOnCommitCallbacks(execute=True):
            return services.signature_create(
                campaign=self.campaign, email=email, **extra
            )

    def confirm(self, token: str) -> Signature:
        return services.signature_confirm(token=token)

    def count(self) -> int:
        self.campaign.refresh_from_db()
        return self.campaign.confirmed_count


class SigningTestCase(CampaignTestCase):
    def test_signing_stores_a_pending_signature_and_emails_both_links(self) -> None:
        result = self.sign("Sam@Example.NET", first_name=" Sam ", show_name=True)
        self.assertTrue(result.created)
        signature = Signature.objects.get()
        self.assertEqual(signature.normalized_email, "sam@example.net")
        self.assertEqual(signature.first_name, "Sam")
        self.assertIsNone(signature.confirmed_at)
        self.assertEqual(self.count(), 0)
        message = last_email_to("sam@example.net")
        confirm, withdraw = (
            token_in(message.body, "confirm"),
            token_in(message.body, "withdraw"),
        )
        # Only digests are stored.
        self.assertEqual(signature.confirm_token_digest, token_digest(confirm))
        self.assertEqual(signature.withdraw_token_digest, token_digest(withdraw))
        self.assertNotIn(confirm, str(Signature.objects.values().get()))

    def test_one_signature_per_normalized_email_and_a_repeat_sends_nothing_at_once(
        self,
    ) -> None:
        self.sign("sam@example.net")
        again = self.sign("  SAM@example.NET")
        self.assertFalse(again.created)
        self.assertFalse(again.email_sent)
        self.assertEqual(Signature.objects.count(), 1)
        self.assertEqual(len(mail.outbox), 1)

    def test_the_database_itself_refuses_a_second_row(self) -> None:
        self.sign("sam@example.net")
        original = Signature.objects.get()
        original.pk = None
        original.confirm_token_digest = "x" * 64
        original.withdraw_token_digest = "y" * 64
        from django.db import IntegrityError, transaction

        with self.assertRaises(IntegrityError), transaction.atomic():
            original.save()

    def test_a_repeat_after_the_window_resends_with_fresh_links(self) -> None:
        self.sign("sam@example.net")
        first = token_in(mail.outbox[-1].body, "confirm")
        with time_machine.travel(timezone.now() + timedelta(minutes=11)):
            again = self.sign("sam@example.net")
        self.assertTrue(again.email_sent)
        self.assertEqual(len(mail.outbox), 2)
        second = token_in(mail.outbox[-1].body, "confirm")
        self.assertNotEqual(first, second)
        with self.assertRaises(services.LinkInvalid) as caught:
            self.confirm(first)  # replaced by the newer link
        self.assertEqual(caught.exception.reason, "unknown")
        self.confirm(second)
        self.assertEqual(self.count(), 1)

    def test_a_repeat_of_a_confirmed_signature_sends_a_fresh_withdraw_link_only(
        self,
    ) -> None:
        self.sign("sam@example.net")
        self.confirm(token_in(mail.outbox[-1].body, "confirm"))
        with time_machine.travel(timezone.now() + timedelta(minutes=11)):
            self.sign("sam@example.net")
        body = mail.outbox[-1].body
        self.assertIn("already confirmed", body)
        with self.assertRaises(AssertionError):
            token_in(body, "confirm")
        services.signature_withdraw(token=token_in(body, "withdraw"))
        self.assertEqual(self.count(), 0)

    def test_fields_the_campaign_does_not_ask_for_are_not_stored(self) -> None:
        self.campaign.ask_name = self.campaign.ask_country = (
            self.campaign.ask_gender
        ) = False
        self.campaign.save()
        self.sign(
            "sam@example.net",
            first_name="Sam",
            country="GB",
            gender="man",
            show_name=True,
        )
        signature = Signature.objects.get()
        self.assertEqual(
            (
                signature.first_name,
                signature.country,
                signature.gender,
                signature.show_name,
            ),
            ("", "", "", False),
        )

    def test_signing_a_closed_ended_or_future_campaign_is_refused(self) -> None:
        now = timezone.now()
        cases: dict[str, dict[str, Any]] = {
            "closed": {"status": Campaign.Status.CLOSED},
            "ended": {
                "ends_at": now - timedelta(minutes=1),
                "starts_at": now - timedelta(days=2),
            },
            "not_started": {"starts_at": now + timedelta(days=1)},
            "draft": {"status": Campaign.Status.DRAFT},
        }
        for state, fields in cases.items():
            with self.subTest(state):
                campaign = make_campaign(self.org, **fields)
                with self.assertRaises(services.CampaignNotOpen) as caught:
                    services.signature_create(
                        campaign=campaign, email="sam@example.net"
                    )
                self.assertEqual(caught.exception.state, state)
        self.assertFalse(Signature.objects.exists())

    def test_invalid_email_changes_nothing(self) -> None:
        with self.assertRaises(ValidationError):
            self.sign("sam@p\u0430ypal.com")
        self.assertFalse(Signature.objects.exists())
        self.assertEqual(mail.outbox, [])


class LinksTestCase(CampaignTestCase):
    def test_confirming_counts_once_and_a_replay_changes_nothing(self) -> None:
        self.sign("sam@example.net")
        token = token_in(mail.outbox[-1].body, "confirm")
        self.confirm(token)
        self.assertEqual(self.count(), 1)
        with self.assertRaises(services.LinkInvalid) as caught:
            self.confirm(token)
        self.assertEqual(caught.exception.reason, "used")
        self.assertEqual(self.count(), 1)

    def test_a_forged_confirm_link_changes_nothing(self) -> None:
        self.sign("sam@example.net")
        token = token_in(mail.outbox[-1].body, "confirm")
        for forged in ("", "x" * 43, token[:-1] + ("A" if token[-1] != "A" else "B")):
            with (
                self.subTest(forged),
                self.assertRaises(services.LinkInvalid) as caught,
            ):
                self.confirm(forged)
            self.assertEqual(caught.exception.reason, "unknown")
        self.assertEqual(self.count(), 0)
        self.assertFalse(Signature.objects.confirmed().exists())

    def test_an_expired_confirm_link_changes_nothing(self) -> None:
        self.sign("sam@example.net")
        token = token_in(mail.outbox[-1].body, "confirm")
        later = timezone.now() + timedelta(days=7, minutes=1)
        with (
            time_machine.travel(later),
            self.assertRaises(services.LinkInvalid) as caught,
        ):
            self.confirm(token)
        self.assertEqual(caught.exception.reason, "expired")
        self.assertEqual(self.count(), 0)

    def test_confirming_after_the_campaign_closed_changes_nothing(self) -> None:
        self.sign("sam@example.net")
        token = token_in(mail.outbox[-1].body, "confirm")
        Campaign.objects.filter(pk=self.campaign.pk).update(
            status=Campaign.Status.CLOSED
        )
        with self.assertRaises(services.LinkInvalid) as caught:
            self.confirm(token)
        self.assertEqual(caught.exception.reason, "closed")
        self.assertEqual(self.count(), 0)

    def test_withdrawing_deletes_and_uncounts_and_a_replay_changes_nothing(
        self,
    ) -> None:
        self.sign("sam@example.net")
        body = mail.outbox[-1].body
        self.confirm(token_in(body, "confirm"))
        self.sign("kim@example.net")
        self.confirm(token_in(mail.outbox[-1].body, "confirm"))
        self.assertEqual(self.count(), 2)
        withdraw = token_in(body, "withdraw")
        services.signature_withdraw(token=withdraw)
        self.assertEqual(self.count(), 1)
        self.assertFalse(
            Signature.objects.filter(normalized_email="sam@example.net").exists()
        )
        with self.assertRaises(services.LinkInvalid):
            services.signature_withdraw(token=withdraw)
        with self.assertRaises(services.LinkInvalid):
            services.signature_withdraw(token="forged-" + withdraw)
        self.assertEqual(self.count(), 1)
        # Withdrawn, the address may sign again.
        self.assertTrue(self.sign("sam@example.net").created)

    def test_withdrawing_a_pending_signature_leaves_the_count_alone(self) -> None:
        self.sign("sam@example.net")
        services.signature_withdraw(token=token_in(mail.outbox[-1].body, "withdraw"))
        self.assertEqual(self.count(), 0)
        self.assertFalse(Signature.objects.exists())

    def test_withdraw_links_do_not_expire(self) -> None:
        self.sign("sam@example.net")
        body = mail.outbox[-1].body
        self.confirm(token_in(body, "confirm"))
        with time_machine.travel(timezone.now() + timedelta(days=400)):
            services.signature_withdraw(token=token_in(body, "withdraw"))
        self.assertEqual(self.count(), 0)

    def test_the_counter_stays_exact_over_a_mixed_sequence(self) -> None:
        tokens = {}
        for n in range(12):
            email = f"p{n}@example.net"
            self.sign(email)
            tokens[email] = mail.outbox[-1].body
        for n in range(10):
            self.confirm(token_in(tokens[f"p{n}@example.net"], "confirm"))
        for n in (0, 3, 10):  # two confirmed, one pending
            services.signature_withdraw(
                token=token_in(tokens[f"p{n}@example.net"], "withdraw")
            )
        self.assertEqual(self.count(), 8)
        self.assertEqual(Signature.objects.confirmed().count(), 8)
        self.assertEqual(services.reconcile_counters(), [])


class HousekeepingTestCase(CampaignTestCase):
    def test_reconciliation_fixes_and_reports_drift(self) -> None:
        self.sign("sam@example.net")
        self.confirm(token_in(mail.outbox[-1].body, "confirm"))
        other = make_campaign(self.org)
        Campaign.objects.filter(pk=self.campaign.pk).update(confirmed_count=5)
        Campaign.objects.filter(pk=other.pk).update(confirmed_count=3)
        out = StringIO()
        ratelimit.hit("gone", limit=3, window=10, now=time.time() - 60)
        ratelimit.hit("here", limit=3, window=600)
        with self.assertLogs("alongside.campaigns.services", "WARNING") as logs:
            call_command("reconcile_campaign_counters", stdout=out)
        self.assertIn("2 counter(s) fixed", out.getvalue())
        self.assertIn("1 expired rate-limit row(s) deleted", out.getvalue())
        self.assertEqual(SignRateLimit.objects.count(), 1)
        self.assertEqual(len(logs.records), 2)
        self.assertEqual(self.count(), 1)
        other.refresh_from_db()
        self.assertEqual(other.confirmed_count, 0)
        self.assertEqual(services.reconcile_counters(), [])

    def test_stale_unconfirmed_signatures_are_purged(self) -> None:
        self.sign("old@example.net")
        self.sign("kept@example.net")
        self.confirm(token_in(mail.outbox[-1].body, "confirm"))
        with time_machine.travel(timezone.now() + timedelta(days=7 + 31)):
            self.assertEqual(services.purge_stale_pending(), 1)
        self.assertEqual(
            list(Signature.objects.values_list("normalized_email", flat=True)),
            ["kept@example.net"],
        )

    @override_settings(CAMPAIGN_CONVERSION_DAYS=1)
    def test_conversion_tokens_are_signed_expiring_and_mark_the_first_pledge(
        self,
    ) -> None:
        self.sign("alice@example.org")
        signature = self.confirm(token_in(mail.outbox[-1].body, "confirm"))
        token = services.conversion_token(signature)
        self.assertEqual(
            services.signature_for_conversion(token, self.campaign), signature
        )
        with self.assertRaises(services.LinkInvalid):
            services.signature_for_conversion(token + "x", self.campaign)
        with self.assertRaises(services.LinkInvalid):
            services.signature_for_conversion(token, make_campaign(self.org))
        later = timezone.now() + timedelta(days=2)
        with (
            time_machine.travel(later),
            self.assertRaises(services.LinkInvalid) as caught,
        ):
            services.signature_for_conversion(token, self.campaign)
        self.assertEqual(caught.exception.reason, "expired")
        pledge = Pledge.objects.create(
            organization=self.org, member=self.alice, statement="x"
        )
        self.assertTrue(
            services.signature_mark_converted(signature=signature, pledge=pledge)
        )
        second = Pledge.objects.create(
            organization=self.org, member=self.alice, statement="y"
        )
        self.assertFalse(
            services.signature_mark_converted(signature=signature, pledge=second)
        )
        signature.refresh_from_db()
        self.assertEqual(signature.converted_pledge, pledge)
        foreign = Pledge.objects.create(
            organization=self.other_org, member=self.oscar, statement="z"
        )
        with self.assertRaises(ValueError):
            services.signature_mark_converted(signature=signature, pledge=foreign)


class PrivacyTestCase(CampaignTestCase):
    def test_export_has_signatures_of_verified_addresses_and_erase_deletes_them(
        self,
    ) -> None:
        self.sign("Alice@Example.org")  # alice's verified address, differently cased
        self.confirm(token_in(mail.outbox[-1].body, "confirm"))
        self.sign("bob@example.org")
        self.confirm(token_in(mail.outbox[-1].body, "confirm"))
        exported = export_user_data(self.alice)["campaign_signatures"]
        self.assertEqual([row["email"] for row in exported], ["alice@example.org"])
        self.assertEqual(exported[0]["campaign_title"], self.campaign.title)
        self.assertEqual(self.count(), 2)
        erase_user_data(self.alice)
        self.assertEqual(
            list(Signature.objects.values_list("normalized_email", flat=True)),
            ["bob@example.org"],
        )
        self.assertEqual(self.count(), 1)
