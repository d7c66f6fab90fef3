"""An ally can't confirm his own action through another form of his own address, and
program admins see (without learning who) when one person confirmed unusually much."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import mail
from django.test import SimpleTestCase, override_settings
from django.urls import reverse

from alongside.accounts.models import User
from alongside.lib.emailaddr import mailbox_key
from alongside.pledges import services
from alongside.pledges.models import (
    Action,
    ConfirmationRequest,
    RecipientOptOut,
    confirmer_digest,
    email_digest,
)
from alongside.pledges.services import ConfirmationRefused
from alongside.pledges.tests.helpers import (
    link_from,
    make_action,
    make_pledge,
    make_request,
)
from alongside.test import BaseTestCase, make_member


class MailboxKeyTestCase(SimpleTestCase):
    def test_case_plus_tags_and_gmail_dots_name_one_inbox(self) -> None:
        for a, b in (
            ("Name+ally@Example.org", "name@example.org"),
            ("name+a+b@example.org", "NAME@EXAMPLE.ORG"),
            ("f.i.r.s.t+x@gmail.com", "first@gmail.com"),
            ("First.Last@googlemail.com", "firstlast@gmail.com"),
        ):
            with self.subTest(a=a):
                self.assertEqual(mailbox_key(a), mailbox_key(b))

    def test_dots_count_where_the_provider_keeps_them(self) -> None:
        self.assertNotEqual(
            mailbox_key("first.last@example.org"), mailbox_key("firstlast@example.org")
        )
        self.assertNotEqual(
            mailbox_key("name@example.org"), mailbox_key("name@example.net")
        )

    def test_the_digest_is_keyed_and_follows_the_inbox(self) -> None:
        digest = confirmer_digest("Name+x@Example.org")
        self.assertEqual(digest, confirmer_digest("name@example.org"))
        self.assertNotIn("name", digest)
        with self.settings(SECRET_KEY="another key for this test only, long enough"):
            self.assertNotEqual(confirmer_digest("name@example.org"), digest)


class SelfConfirmationTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.pledge = make_pledge(self.alice, self.org)
        self.action = make_action(self.pledge)

    def ask(self, email: str) -> ConfirmationRequest:
        with self.captureOnCommitCallbacks(execute=True):
            return services.confirmation_request_create(
                action=self.action, requester=self.alice, recipient_email=email
            )

    def test_aliases_of_his_addresses_are_refused(self) -> None:
        EmailAddress.objects.create(
            user=self.alice, email="a.l.ice.home@gmail.com", verified=True
        )
        EmailAddress.objects.create(
            user=self.alice, email="alice@work.example", verified=False
        )
        for email in (
            "alice+ally@example.org",  # plus tag on his account's address
            "ALICE+x@EXAMPLE.ORG",  # and case
            "alicehome@gmail.com",  # dots gmail ignores, verified secondary address
            "alice.home+me@googlemail.com",  # gmail's other domain
            "Alice+again@work.example",  # unverified secondary address
        ):
            with (
                self.subTest(email=email),
                self.assertRaisesMessage(
                    ConfirmationRefused, "reaches an inbox of your own account"
                ),
            ):
                self.ask(email)
        self.assertFalse(ConfirmationRequest.objects.exists())
        self.assertEqual(mail.outbox, [])

    def test_someone_else_at_the_same_provider_is_asked(self) -> None:
        request = self.ask("alice.smith@example.org")
        self.assertEqual(request.recipient_email, "alice.smith@example.org")
        self.assertEqual(
            request.recipient_digest, confirmer_digest("alice.smith@example.org")
        )

    def test_the_cap_per_recipient_counts_one_inbox_however_spelled(self) -> None:
        cap = settings.CONFIRMATION_MAX_PENDING_PER_RECIPIENT
        spellings = [f"dana.smith+{n}@gmail.com" for n in range(cap)]
        spellings.append("DanaSmith@googlemail.com")
        for email in spellings[:cap]:
            self.action = make_action(self.pledge)
            self.ask(email)
        self.action = make_action(self.pledge)
        with self.assertRaises(ConfirmationRefused) as e:
            self.ask(spellings[cap])
        self.assertTrue(e.exception.too_many)
        self.assertEqual(ConfirmationRequest.objects.count(), cap)

    def test_an_opt_out_covers_the_aliases_of_her_inbox(self) -> None:
        RecipientOptOut.objects.create(email_digest=email_digest("dana@example.net"))
        with self.assertRaisesMessage(ConfirmationRefused, "can't receive"):
            self.ask("Dana+again@Example.net")
        self.assertFalse(ConfirmationRequest.objects.exists())

    def test_the_form_says_why_and_creates_nothing(self) -> None:
        self.client.force_login(self.alice)
        url = reverse(
            "pledges:confirmation_request",
            kwargs={"org": self.org.slug, "pk": self.action.pk},
        )
        r = self.client.post(
            url,
            {"recipient_email": "alice+colleague@example.org", "recipient_name": ""},
        )
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "reaches an inbox of your own account")
        self.assertContains(r, "A confirmation has to come from")
        # The message doesn't teach which forms of an address are compared.
        self.assertNotContains(r, "plus")
        self.assertNotContains(r, "dots")
        self.assertFalse(ConfirmationRequest.objects.exists())
        self.assertEqual(mail.outbox, [])

    def confirm_page(self) -> str:
        self.ask("colleague@example.net")
        return link_from(mail.outbox[-1].body)

    def test_an_address_that_turned_out_to_be_his_cannot_confirm(self) -> None:
        path = self.confirm_page()
        # After the request went out, he adds that inbox (as an alias) to his account.
        EmailAddress.objects.create(
            user=self.alice, email="Colleague+mine@example.net", verified=False
        )
        r = self.client.post(path, {"confirm": "1", "note": "Seen it"})
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "belongs to the account of the person who asked")
        self.action.refresh_from_db()
        self.assertFalse(self.action.is_confirmed)
        self.assertEqual(
            ConfirmationRequest.objects.get().status,
            ConfirmationRequest.Status.PENDING,
        )

    def test_he_cannot_confirm_while_signed_in_as_himself(self) -> None:
        path = self.confirm_page()
        self.client.force_login(self.alice)
        r = self.client.post(path, {"confirm": "1"})
        self.assertContains(r, "You are signed in as the person who asked")
        self.action.refresh_from_db()
        self.assertFalse(self.action.is_confirmed)

    def test_someone_else_still_confirms(self) -> None:
        path = self.confirm_page()
        self.client.force_login(self.bob)
        self.client.post(path, {"confirm": "1"})
        self.action.refresh_from_db()
        self.assertTrue(self.action.is_confirmed)


@override_settings(CONFIRMATION_FLAG_FROM_ONE=5, CONFIRMATION_FLAG_PERCENT=80)
class UnusuallyManyTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.url = reverse("pledges:confirmation_review", kwargs={"org": self.org.slug})
        self.pledge = make_pledge(self.alice, self.org)

    def confirmed(self, member: User, email: str, n: int) -> list[Action]:
        pledge = self.pledge if member == self.alice else make_pledge(member, self.org)
        actions = []
        for _ in range(n):
            action = make_action(pledge)
            make_request(
                action,
                email=email,
                name="Secret Confirmer",
                status=ConfirmationRequest.Status.CONFIRMED,
            )
            actions.append(action)
        return actions

    def test_admins_see_that_one_person_confirmed_most_not_who(self) -> None:
        # Six of his seven from one inbox, under three spellings of it.
        self.confirmed(self.alice, "friend.secret@gmail.com", 2)
        self.confirmed(self.alice, "friendsecret+a@gmail.com", 2)
        self.confirmed(self.alice, "Friend.Secret@googlemail.com", 2)
        self.confirmed(self.alice, "dana@example.net", 1)
        # Bob: three confirmers, nothing unusual.
        for email in ("x@example.net", "y@example.net", "z@example.net"):
            self.confirmed(self.bob, email, 2)
        self.client.force_login(self.paula)
        r = self.client.get(self.url)
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "Alice Ally")
        self.assertContains(r, "6 (86%)")
        self.assertNotContains(r, "Bob Member")
        body = r.content.decode().lower()
        for secret in (
            "friend",
            "secret",
            "dana",
            "gmail",
            confirmer_digest("dana@example.net"),
        ):
            self.assertNotIn(secret, body)
        self.assertIn("no-store", r["Cache-Control"])

    def test_a_share_of_a_smaller_record_is_flagged(self) -> None:
        self.confirmed(self.alice, "friend@example.net", 5)
        self.client.force_login(self.paula)
        self.assertContains(self.client.get(self.url), "5 (100%)")

    def test_below_the_thresholds_nobody_is_listed(self) -> None:
        self.confirmed(self.alice, "friend@example.net", 4)
        self.confirmed(self.alice, "other@example.net", 2)
        self.client.force_login(self.paula)
        r = self.client.get(self.url)
        self.assertNotContains(r, "Alice Ally")
        self.assertContains(r, "No ally")

    def test_the_ally_members_and_other_admins_get_404(self) -> None:
        self.confirmed(self.alice, "friend@example.net", 6)
        for user in (self.alice, self.bob, self.fiona, self.olga):
            with self.subTest(user=user.email):
                self.client.force_login(user)
                self.assertEqual(self.client.get(self.url).status_code, 404)
        # Nor does his own record show the flag.
        self.client.force_login(self.alice)
        r = self.client.get(self.pledge.get_absolute_url())
        self.assertEqual(r.status_code, 200)
        self.assertNotContains(r, "by one person")

    def test_other_organizations_confirmations_are_not_counted(self) -> None:
        outsider = make_member(self.other_org, display_name="Oscar Two")
        pledge = make_pledge(outsider, self.other_org)
        for _ in range(6):
            make_request(
                make_action(pledge),
                email="friend@example.net",
                status=ConfirmationRequest.Status.CONFIRMED,
            )
        self.client.force_login(self.paula)
        self.assertNotContains(self.client.get(self.url), "Oscar Two")
