"""Break-glass reveal: every branch of request, self-approval, approval, decline and
expiry, the audit rows (key use included), who sees the name, and telling the member."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core import mail
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from alongside.accounts.models import User
from alongside.audit.models import ACTION_LABELS, AuditEvent
from alongside.dialogue import safespace
from alongside.dialogue.models import Post, RevealRequest
from alongside.dialogue.tests.helpers import make_space, start
from alongside.notifications.models import Notice, Notification
from alongside.organizations import services
from alongside.organizations.models import Membership, Role
from alongside.test import BaseTestCase, login_with_mfa, make_member, make_user


class RevealTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.quentin = make_member(
            self.org,
            Role.PROGRAM_ADMIN,
            email="quentin@example.org",
            display_name="Quentin Second",
        )
        self.rita = make_member(
            self.org,
            Role.PROGRAM_ADMIN,
            email="rita@example.org",
            display_name="Rita Third",
        )
        self.safe = make_space(
            self.org, accepted=(self.alice, self.bob), name="Quiet room", is_safe=True
        )
        self.post = start(self.safe, self.alice, "Something worrying", "Q")
        pseudonym = safespace.pseudonym_for(self.safe, self.alice, create=False)
        assert pseudonym is not None
        self.pseudonym = pseudonym
        # Quentin and Rita have been program admins for two months, given the role by
        # nobody recorded: they may approve (the rules have their own tests below).
        Membership.objects.filter(user__in=(self.quentin, self.rita)).update(
            role_granted_at=timezone.now() - timedelta(days=60)
        )

    def _request_as(
        self, user: User, reason: str = "Threats against a colleague"
    ) -> Any:
        self.client.force_login(user)
        return self.client.post(
            f"/o/northwind/posts/{self.post.uid}/reveal/", {"reason": reason}
        )

    def _decide_as(self, user: User, reveal: RevealRequest, decision: str) -> Any:
        # Signed in with his second factor just now, as approving asks.
        login_with_mfa(self.client, user)
        return self.client.post(
            f"/o/northwind/reveals/{reveal.pk}/decide/", {"decision": decision}
        )

    def _actions(self) -> list[str]:
        return list(
            AuditEvent.objects.filter(action__startswith="dialogue.reveal")
            .order_by("id")
            .values_list("action", flat=True)
        )

    def test_labels_are_registered(self) -> None:
        for action in (
            "requested",
            "approved",
            "declined",
            "key_used",
            "approval_refused",
        ):
            self.assertIn(f"dialogue.reveal_{action}", ACTION_LABELS)

    def test_only_program_admins_see_the_link_and_the_pages(self) -> None:
        thread_url = self.post.thread.get_absolute_url()
        for user in (self.alice, self.bob, self.fiona):
            self.client.force_login(user)
            self.assertNotContains(self.client.get(thread_url), "Request a reveal")
            self.assertNotContains(self.client.get("/o/northwind/spaces/"), "Reveal")
            for url in (
                f"/o/northwind/posts/{self.post.uid}/reveal/",
                "/o/northwind/reveals/",
            ):
                self.assertEqual(self.client.get(url).status_code, 404, url)
        self.client.force_login(self.paula)
        self.assertContains(self.client.get(thread_url), "Request a reveal")
        self.assertContains(self.client.get("/o/northwind/spaces/"), "Reveal requests")
        self.assertEqual(self.client.get("/o/northwind/reveals/").status_code, 200)
        # A post outside a safe space has nothing to reveal.
        ordinary = start(make_space(self.org, accepted=(self.bob,)), self.bob)
        r = self.client.get(f"/o/northwind/posts/{ordinary.uid}/reveal/")
        self.assertEqual(r.status_code, 404)

    def test_a_reason_is_required(self) -> None:
        r = self._request_as(self.paula, reason="   ")
        self.assertContains(r, "Say why this reveal is needed.")
        self.assertFalse(RevealRequest.objects.exists())

    def test_two_different_admins_reveal_and_the_member_is_told(self) -> None:
        r = self._request_as(self.paula)
        reveal = RevealRequest.objects.get()
        self.assertRedirects(
            r, f"/o/northwind/reveals/{reveal.pk}/", fetch_redirect_response=False
        )
        self.assertEqual(reveal.status, RevealRequest.Status.PENDING)
        page = self.client.get(f"/o/northwind/reveals/{reveal.pk}/")
        self.assertNotContains(page, "Alice Ally")
        self.assertNotContains(page, "Approve the reveal")
        # A second request for the same pseudonym while one waits is refused.
        self.assertContains(self._request_as(self.quentin), "already waiting")
        # Self-approval is refused and changes nothing.
        r = self._decide_as(self.paula, reveal, "approve")
        reveal.refresh_from_db()
        self.assertEqual(reveal.status, RevealRequest.Status.PENDING)
        self.assertContains(
            self.client.get(r["Location"]), "you made this request yourself"
        )
        self.assertEqual(self._actions(), ["dialogue.reveal_requested"])
        # The pending list shows it to every program admin, without the member.
        self.client.force_login(self.rita)
        listing = self.client.get("/o/northwind/reveals/")
        self.assertContains(listing, self.pseudonym.handle)
        self.assertNotContains(listing, "Alice Ally")
        # A second admin approves.
        with self.captureOnCommitCallbacks(execute=True):
            self._decide_as(self.quentin, reveal, "approve")
        reveal.refresh_from_db()
        self.assertEqual(reveal.status, RevealRequest.Status.APPROVED)
        self.assertEqual(reveal.decided_by, self.quentin)
        self.assertEqual(
            self._actions(),
            [
                "dialogue.reveal_requested",
                "dialogue.reveal_approved",
                "dialogue.reveal_key_used",
            ],
        )
        for event in AuditEvent.objects.filter(action__startswith="dialogue.reveal"):
            self.assertNotIn("Alice", str(event.data))
            self.assertEqual(event.target_id, str(reveal.pk))
        # Both see the name, each look audited as a key use; a third admin does not.
        for user in (self.paula, self.quentin):
            self.client.force_login(user)
            page = self.client.get(f"/o/northwind/reveals/{reveal.pk}/")
            self.assertContains(page, "Alice Ally")
            self.assertIn("no-cache", page["Cache-Control"])
        self.assertEqual(self._actions().count("dialogue.reveal_key_used"), 3)
        self.client.force_login(self.rita)
        page = self.client.get(f"/o/northwind/reveals/{reveal.pk}/")
        self.assertNotContains(page, "Alice Ally")
        self.assertContains(page, "Only the two administrators")
        self.assertEqual(self._actions().count("dialogue.reveal_key_used"), 3)
        # The member is told in the app, without the pseudonym itself, through a
        # notice addressed to the pseudonym (no row ties her to it); her email waits
        # for the daily "news in a safe space", which names nothing.
        note = Notice.objects.for_user(self.alice).get()
        self.assertIn("Paula Admin", note.message)
        self.assertIn("Quentin Second", note.message)
        self.assertNotIn(self.pseudonym.handle, note.message)
        self.assertFalse(Notification.objects.filter(user=self.alice).exists())
        self.assertFalse([m for m in mail.outbox if m.to == ["alice@example.org"]])
        # Decided: no second decision.
        self._decide_as(self.rita, reveal, "decline")
        reveal.refresh_from_db()
        self.assertEqual(reveal.status, RevealRequest.Status.APPROVED)

    def test_a_declined_request_reveals_nothing(self) -> None:
        self._request_as(self.paula)
        reveal = RevealRequest.objects.get()
        self._decide_as(self.quentin, reveal, "decline")
        reveal.refresh_from_db()
        self.assertEqual(reveal.status, RevealRequest.Status.DECLINED)
        self.assertEqual(
            self._actions(), ["dialogue.reveal_requested", "dialogue.reveal_declined"]
        )
        for user in (self.paula, self.quentin):
            self.client.force_login(user)
            page = self.client.get(f"/o/northwind/reveals/{reveal.pk}/")
            self.assertNotContains(page, "Alice Ally")
        self.assertFalse(Notification.objects.filter(user=self.alice).exists())
        self.assertFalse(Notice.objects.for_user(self.alice).exists())
        # An unknown decision changes nothing.
        self._request_as(self.paula)
        again = RevealRequest.objects.get(status=RevealRequest.Status.PENDING)
        self._decide_as(self.quentin, again, "maybe")
        again.refresh_from_db()
        self.assertEqual(again.status, RevealRequest.Status.PENDING)

    def test_a_request_expires_after_72_hours(self) -> None:
        self._request_as(self.paula)
        reveal = RevealRequest.objects.get()
        RevealRequest.objects.filter(pk=reveal.pk).update(
            requested_at=timezone.now() - timedelta(hours=72, minutes=1)
        )
        r = self._decide_as(self.quentin, reveal, "approve")
        reveal.refresh_from_db()
        self.assertEqual(reveal.status, RevealRequest.Status.EXPIRED)
        self.assertContains(self.client.get(r["Location"]), "expired")
        self.assertNotIn("dialogue.reveal_key_used", self._actions())
        self.assertFalse(Notification.objects.filter(user=self.alice).exists())

    def test_just_under_72_hours_still_counts(self) -> None:
        self._request_as(self.paula)
        reveal = RevealRequest.objects.get()
        RevealRequest.objects.filter(pk=reveal.pk).update(
            requested_at=timezone.now() - timedelta(hours=71, minutes=50)
        )
        self._decide_as(self.quentin, reveal, "approve")
        reveal.refresh_from_db()
        self.assertEqual(reveal.status, RevealRequest.Status.APPROVED)

    def test_an_erased_member_cannot_be_revealed(self) -> None:
        safespace.forget_owner(self.alice)
        self._request_as(self.paula)
        reveal = RevealRequest.objects.get()
        self._decide_as(self.quentin, reveal, "approve")
        page = self.client.get(f"/o/northwind/reveals/{reveal.pk}/")
        self.assertContains(page, "No member is linked")
        self.assertNotContains(page, "Alice Ally")
        uses = AuditEvent.objects.filter(action="dialogue.reveal_key_used")
        self.assertEqual(uses.count(), 2)  # the approval, then the page
        self.assertEqual({e.data["found"] for e in uses}, {"no"})

    def test_services_refuse_non_admins(self) -> None:
        with self.assertRaises(PermissionDenied):
            safespace.reveal_request(
                pseudonym=self.pseudonym, requester=self.fiona, reason="Because"
            )
        reveal = safespace.reveal_request(
            pseudonym=self.pseudonym, requester=self.paula, reason="Because"
        )
        with self.assertRaises(PermissionDenied):
            safespace.reveal_decide(reveal, approver=self.bob, approve=True)
        with self.assertRaises(PermissionDenied):
            safespace.reveal_decide(reveal, approver=self.olga, approve=True)
        self.assertEqual(Post.objects.filter(pseudonym=self.pseudonym).count(), 1)


class OnePersonTwoAccountsTestCase(RevealTestCase):
    """The issue's scenario: Paula signs up a second account (it joins by email
    domain), makes it a program admin and tries to approve her own reveal with it.
    Every rule refuses it with its own reason; a genuine second admin succeeds."""

    def setUp(self) -> None:
        super().setUp()
        from alongside.organizations.models import Organization

        Organization.objects.filter(pk=self.org.pk).update(join_domains="example.org")
        self.second = make_user("paula.again@example.org", display_name="P. Again")
        self.client.force_login(self.second)
        self.client.post("/join/northwind/")
        second_m = Membership.objects.of(self.second, self.org).get()
        self.client.force_login(self.paula)
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(
                f"/o/northwind/admin/members/{second_m.pk}/role/",
                {"role": Role.PROGRAM_ADMIN},
            )
        self.second_m = Membership.objects.get(pk=second_m.pk)

    def _try(self, user: User) -> tuple[RevealRequest, str]:
        reveal = RevealRequest.objects.get()
        r = self._decide_as(user, reveal, "approve")
        reveal.refresh_from_db()
        page = self.client.get(r["Location"]).content.decode()
        return reveal, page

    def _age(self, membership: Membership, days: int) -> None:
        Membership.objects.filter(pk=membership.pk).update(
            role_granted_at=timezone.now() - timedelta(days=days)
        )

    def test_the_grant_is_recorded_and_every_admin_is_told(self) -> None:
        self.assertEqual(self.second_m.role, Role.PROGRAM_ADMIN)
        self.assertEqual(self.second_m.role_granted_by, self.paula)
        for admin in (self.quentin, self.rita):
            note = Notification.objects.get(user=admin)
            self.assertIn("P. Again was made a program admin", note.message)
            self.assertIn("by Paula Admin", note.message)
        told = {tuple(m.to) for m in mail.outbox}
        self.assertIn(("quentin@example.org",), told)
        self.assertIn(("rita@example.org",), told)
        # Every admin sees who granted it, on the members page.
        self.client.force_login(self.rita)
        page = self.client.get("/o/northwind/admin/members/").content.decode()
        row = next(r for r in page.split("<tr>") if "P. Again</a>" in r)
        self.assertIn("Paula Admin", row)

    def test_a_new_admin_is_refused_for_tenure(self) -> None:
        self._request_as(self.paula)
        reveal, page = self._try(self.second)
        self.assertEqual(reveal.status, RevealRequest.Status.PENDING)
        self.assertIn("an approver must have held the role for 30 days", page)
        self.assertNotIn("Alice Ally", page)
        self.assertIn("dialogue.reveal_approval_refused", self._actions())

    def test_tenure_is_a_setting(self) -> None:
        self._request_as(self.paula)
        with self.settings(REVEAL_APPROVER_TENURE_DAYS=90):
            reveal, page = self._try(self.quentin)  # an admin for 60 days
        self.assertEqual(reveal.status, RevealRequest.Status.PENDING)
        self.assertIn("for 90 days", page)

    def test_an_old_enough_admin_made_by_the_requester_is_refused(self) -> None:
        self._age(self.second_m, 40)
        self._request_as(self.paula)
        reveal, page = self._try(self.second)
        self.assertEqual(reveal.status, RevealRequest.Status.PENDING)
        self.assertIn("Paula Admin, who made it, gave you your role", page)
        # The detail page says so before he tries, and offers no approve button.
        detail = self.client.get(f"/o/northwind/reveals/{reveal.pk}/")
        self.assertContains(detail, "gave you your role")
        self.assertNotContains(detail, "Approve the reveal")

    def test_a_chain_of_grants_back_to_the_requester_is_refused(self) -> None:
        third = make_member(
            self.org, Role.MEMBER, email="p3@example.org", display_name="P. Three"
        )
        services.membership_change_role(
            membership=Membership.objects.of(third, self.org).get(),
            role=Role.PROGRAM_ADMIN,
            actor=self.second,
        )
        self._age(self.second_m, 80)
        self._age(Membership.objects.of(third, self.org).get(), 40)
        self._request_as(self.paula)
        reveal, page = self._try(third)
        self.assertEqual(reveal.status, RevealRequest.Status.PENDING)
        self.assertIn("your role was given by P. Again", page)
        self.assertIn("goes back to Paula Admin", page)

    def test_the_other_way_round_is_refused_too(self) -> None:
        # The second account asks, and Paula (an admin for long) approves.
        self._age(Membership.objects.of(self.paula, self.org).get(), 90)
        self._request_as(self.second)
        reveal, page = self._try(self.paula)
        self.assertEqual(reveal.status, RevealRequest.Status.PENDING)
        self.assertIn("received the role from you", page)

    def test_approving_needs_the_second_factor_again(self) -> None:
        import time

        from allauth.mfa.totp.internal.auth import (
            TOTP,
            format_hotp_value,
            hotp_value,
        )

        self._request_as(self.paula)
        reveal = RevealRequest.objects.get()
        decide = f"/o/northwind/reveals/{reveal.pk}/decide/"
        # Without an authenticator at all: refused, and told to set one up.
        self.client.force_login(self.quentin)
        r = self.client.post(decide, {"decision": "approve"})
        self.assertContains(
            self.client.get(r["Location"]), "needs two-factor authentication"
        )
        reveal.refresh_from_db()
        self.assertEqual(reveal.status, RevealRequest.Status.PENDING)
        # With one, but signed in without using it: sent to enter a code first.
        secret = "JBSWY3DPEHPK3PXP"
        TOTP.activate(self.quentin, secret)
        self.client.force_login(self.quentin)
        r = self.client.post(decide, {"decision": "approve"})
        self.assertEqual(r.status_code, 302)
        self.assertTrue(r["Location"].startswith("/accounts/2fa/reauthenticate/"))
        reveal.refresh_from_db()
        self.assertEqual(reveal.status, RevealRequest.Status.PENDING)
        # The service refuses it too, whoever calls it.
        with self.assertRaises(safespace.RevealRefused):
            safespace.reveal_decide(reveal, approver=self.quentin, approve=True)
        # A code from the app, through allauth's page, and the approval goes through.
        code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
        r = self.client.post(r["Location"], {"code": code})
        self.assertRedirects(
            r, f"/o/northwind/reveals/{reveal.pk}/", fetch_redirect_response=False
        )
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(decide, {"decision": "approve"})
        reveal.refresh_from_db()
        self.assertEqual(reveal.status, RevealRequest.Status.APPROVED)
        self.assertEqual(reveal.decided_by, self.quentin)

    def test_a_distinct_admin_of_long_standing_approves(self) -> None:
        self._age(self.second_m, 40)
        self._request_as(self.paula)
        with self.captureOnCommitCallbacks(execute=True):
            reveal, page = self._try(self.rita)
        self.assertEqual(reveal.status, RevealRequest.Status.APPROVED)
        self.assertEqual(reveal.decided_by, self.rita)
        self.assertIn("Alice Ally", page)

    def test_declining_is_open_to_any_other_admin(self) -> None:
        self._request_as(self.paula)
        reveal = RevealRequest.objects.get()
        self._decide_as(self.second, reveal, "decline")
        reveal.refresh_from_db()
        self.assertEqual(reveal.status, RevealRequest.Status.DECLINED)
