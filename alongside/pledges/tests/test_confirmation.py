"""Asking one person to confirm one action: links, caps, opt-out, reminders, and a
decline that looks exactly like silence."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO
from typing import Any

import time_machine
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from alongside.lib.tokens import token_digest
from alongside.notifications.models import Notification
from alongside.pledges import services, signals
from alongside.pledges.models import (
    Action,
    ConfirmationRequest,
    RecipientOptOut,
    email_digest,
)
from alongside.pledges.services import ConfirmationRefused, LinkInvalid
from alongside.pledges.tests.helpers import (
    link_from,
    make_action,
    make_pledge,
    without_csrf,
)
from alongside.pledges.tests.test_services import Received
from alongside.test import BaseTestCase


class ConfirmationTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.pledge = make_pledge(self.alice, self.org, commitments=2)
        self.action = make_action(
            self.pledge, description="Credited **Dana's** idea in the review."
        )

    def ask(
        self, action: Action | None = None, email: str = "dana@example.net", **kw: Any
    ) -> ConfirmationRequest:
        with self.captureOnCommitCallbacks(execute=True):
            return services.confirmation_request_create(
                action=action or self.action,
                requester=self.alice,
                recipient_email=email,
                recipient_name=kw.pop("name", "Dana"),
            )

    def more_actions(self, n: int) -> list[Action]:
        return [make_action(self.pledge) for _ in range(n)]

    def confirm_url(self) -> str:
        return link_from(mail.outbox[-1].body)


class RequestTestCase(ConfirmationTestCase):
    def test_it_emails_a_single_use_link_and_stores_only_its_digest(self) -> None:
        request = self.ask(email="  Dana@Example.NET ")
        self.assertEqual(request.recipient_email, "dana@example.net")
        self.assertEqual(len(mail.outbox), 1)
        message = mail.outbox[0]
        self.assertEqual(message.to, ["dana@example.net"])
        self.assertIn("Alice Ally asks you to confirm an action", message.subject)
        body = message.body
        path = link_from(body)
        token = path.split("/")[2]
        self.assertEqual(request.token_digest, token_digest(token))
        self.assertNotIn(token, str(ConfirmationRequest.objects.values().get()))
        for words in (
            "Hello Dana,",
            "Alice Ally",
            "Commitment 1",
            "Credited **Dana's** idea in the review.",  # plain text, not escaped
            "You don't need an account",
            "If you'd rather not answer, ignore this email — the requester isn't told",
        ):
            self.assertIn(words, body)
        self.assertIn(settings.SITE_URL + "/confirm/opt-out/", body)
        self.assertIn("List-Unsubscribe", message.extra_headers)
        self.assertAlmostEqual(
            request.expires_at,
            timezone.now() + timedelta(days=settings.CONFIRMATION_LINK_DAYS),
            delta=timedelta(minutes=1),
        )

    def test_it_allows_one_request_per_action(self) -> None:
        self.ask()
        with self.assertRaises(ConfirmationRefused):
            self.ask(email="someone@example.net")
        self.assertEqual(ConfirmationRequest.objects.count(), 1)

    def test_it_refuses_the_allys_own_addresses(self) -> None:
        EmailAddress.objects.create(
            user=self.alice, email="alice.private@example.com", verified=True
        )
        for email in ("ALICE@example.org", "alice.private@example.com"):
            with self.assertRaisesMessage(
                ConfirmationRefused, "you can't confirm your own"
            ):
                self.ask(email=email)
        self.assertFalse(ConfirmationRequest.objects.exists())
        self.assertEqual(mail.outbox, [])

    def test_it_refuses_someone_elses_action(self) -> None:
        with self.assertRaises(ConfirmationRefused):
            services.confirmation_request_create(
                action=make_action(make_pledge(self.bob, self.org)),
                requester=self.alice,
                recipient_email="x@example.net",
            )

    def test_it_caps_pending_requests_per_recipient(self) -> None:
        cap = settings.CONFIRMATION_MAX_PENDING_PER_RECIPIENT
        actions = self.more_actions(cap + 1)
        for action in actions[:cap]:
            self.ask(action)
        with self.assertRaises(ConfirmationRefused) as e:
            self.ask(actions[cap])
        self.assertTrue(e.exception.too_many)
        self.assertEqual(ConfirmationRequest.objects.count(), cap)
        self.assertEqual(len(mail.outbox), cap)
        # Another recipient is fine.
        self.ask(self.action, email="erin@example.net")

    def test_a_decline_still_holds_its_place_under_the_cap(self) -> None:
        # Otherwise the ally could probe for declines by asking again.
        cap = settings.CONFIRMATION_MAX_PENDING_PER_RECIPIENT
        actions = self.more_actions(cap + 1)
        for action in actions[:cap]:
            self.ask(action)
        services.confirmation_respond(token=self.token_of(0), decision="decline")
        with self.assertRaises(ConfirmationRefused):
            self.ask(actions[cap])

    def token_of(self, index: int) -> str:
        return link_from(mail.outbox[index].body).split("/")[2]

    def test_answered_or_expired_requests_free_their_place(self) -> None:
        cap = settings.CONFIRMATION_MAX_PENDING_PER_RECIPIENT
        actions = self.more_actions(cap + 2)
        for action in actions[:cap]:
            self.ask(action)
        services.confirmation_respond(token=self.token_of(0), decision="confirm")
        self.ask(actions[cap])
        with time_machine.travel(
            timezone.now() + timedelta(days=settings.CONFIRMATION_LINK_DAYS + 1)
        ):
            self.ask(actions[cap + 1])

    def test_it_caps_requests_per_day(self) -> None:
        per_day = settings.CONFIRMATION_MAX_PER_DAY
        actions = self.more_actions(per_day + 1)
        start = timezone.now()
        with time_machine.travel(start, tick=False):
            for n, action in enumerate(actions[:per_day]):
                self.ask(action, email=f"person{n}@example.net")
            with self.assertRaisesMessage(ConfirmationRefused, "in the last 24 hours"):
                self.ask(actions[per_day], email="one.more@example.net")
        self.assertEqual(ConfirmationRequest.objects.count(), per_day)
        with time_machine.travel(start + timedelta(hours=24, minutes=1), tick=False):
            self.ask(actions[per_day], email="one.more@example.net")


class RespondTestCase(ConfirmationTestCase):
    def test_confirming_records_notifies_and_signals(self) -> None:
        self.ask()
        token = link_from(mail.outbox[0].body).split("/")[2]
        with (
            Received(signals.action_confirmed) as received,
            self.captureOnCommitCallbacks(execute=True),
        ):
            services.confirmation_respond(
                token=token, decision="confirm", note="  Yes, thank you!  "
            )
        self.action.refresh_from_db()
        self.assertTrue(self.action.is_confirmed)
        self.assertEqual(self.action.confirmation_note, "Yes, thank you!")
        self.assertEqual(received.calls, [{"sender": Action, "action": self.action}])
        notification = Notification.objects.get(
            user=self.alice, kind=Notification.Kind.CONFIRMATION
        )
        self.assertEqual(notification.kind, Notification.Kind.CONFIRMATION)
        self.assertEqual(notification.url, self.action.get_absolute_url())
        ally_email = next(m for m in mail.outbox if "confirmed your action" in m.body)
        self.assertEqual(ally_email.to, ["alice@example.org"])
        self.assertIn("Dana confirmed your action", ally_email.body)
        self.assertIn("Yes, thank you!", ally_email.body)

    def test_declining_tells_nobody(self) -> None:
        self.ask()
        token = link_from(mail.outbox[0].body).split("/")[2]
        with (
            Received(signals.action_confirmed) as received,
            self.captureOnCommitCallbacks(execute=True),
        ):
            services.confirmation_respond(token=token, decision="decline", note="no")
        self.action.refresh_from_db()
        self.assertFalse(self.action.is_confirmed)
        self.assertEqual(self.action.confirmation_note, "")
        self.assertEqual(received.calls, [])
        self.assertFalse(Notification.objects.exists())
        self.assertEqual(len(mail.outbox), 1)

    def test_a_link_works_once(self) -> None:
        self.ask()
        token = link_from(mail.outbox[0].body).split("/")[2]
        services.confirmation_respond(token=token, decision="decline")
        with self.assertRaises(LinkInvalid) as e:
            services.confirmation_respond(token=token, decision="confirm")
        self.assertEqual(e.exception.reason, "used")
        self.action.refresh_from_db()
        self.assertFalse(self.action.is_confirmed)

    def test_forged_and_expired_links_change_nothing(self) -> None:
        self.ask()
        token = link_from(mail.outbox[0].body).split("/")[2]
        for forged in (token[:-1] + ("A" if token[-1] != "A" else "B"), "x", ""):
            with self.assertRaises(LinkInvalid) as e:
                services.confirmation_respond(token=forged, decision="confirm")
            self.assertEqual(e.exception.reason, "unknown")
        with (
            time_machine.travel(
                timezone.now()
                + timedelta(days=settings.CONFIRMATION_LINK_DAYS, seconds=5)
            ),
            self.assertRaises(LinkInvalid) as e,
        ):
            services.confirmation_respond(token=token, decision="confirm")
        self.assertEqual(e.exception.reason, "expired")
        request = ConfirmationRequest.objects.get()
        self.assertEqual(request.status, "pending")
        self.assertIsNone(request.responded_at)


class PublicPageTestCase(ConfirmationTestCase):
    def test_the_page_shows_only_that_action(self) -> None:
        other = make_action(self.pledge, description="Another thing entirely")
        self.ask()
        path = self.confirm_url()
        r = self.client.get(path)  # no account, not logged in
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "Alice Ally")
        self.assertContains(r, "Commitment 1")
        self.assertContains(r, "<strong>Dana's</strong>", html=False)
        self.assertNotContains(r, other.description)
        self.assertNotContains(r, self.pledge.statement)
        self.assertNotContains(r, "alice@example.org")
        self.assertEqual(r["Referrer-Policy"], "same-origin")
        self.assertEqual(r["X-Robots-Tag"], "noindex, nofollow")
        self.assertIn("no-store", r["Cache-Control"])

    def test_it_confirms_with_a_note(self) -> None:
        self.ask()
        path = self.confirm_url()
        with self.captureOnCommitCallbacks(execute=True):
            r = self.client.post(path, {"confirm": "1", "note": "Glad you did."})
        self.assertContains(r, "Your confirmation is recorded")
        self.action.refresh_from_db()
        self.assertEqual(self.action.confirmation_note, "Glad you did.")
        again = self.client.post(path, {"confirm": "1"})
        self.assertContains(again, "already been used", status_code=410)
        self.assertContains(self.client.get(path), "already been used", status_code=410)

    def test_it_declines(self) -> None:
        self.ask()
        path = self.confirm_url()
        r = self.client.post(path, {"decline": "1", "note": "ignored"})
        self.assertContains(r, "Nobody will be told that you declined")
        request = ConfirmationRequest.objects.get()
        self.assertEqual(request.status, "declined")

    def test_bad_links_get_a_friendly_page(self) -> None:
        self.ask()
        path = self.confirm_url()
        r = self.client.get("/confirm/not-a-real-token/")
        self.assertContains(r, "We don't recognize this link", status_code=404)
        r = self.client.post("/confirm/not-a-real-token/", {"confirm": "1"})
        self.assertEqual(r.status_code, 404)
        with time_machine.travel(timezone.now() + timedelta(days=30)):
            r = self.client.post(path, {"confirm": "1"})
        self.assertContains(r, "expired", status_code=410)
        self.assertEqual(ConfirmationRequest.objects.get().status, "pending")

    def test_an_oversized_note_is_refused(self) -> None:
        self.ask()
        path = self.confirm_url()
        r = self.client.post(path, {"confirm": "1", "note": "x" * 1001})
        self.assertContains(r, "Keep this under 1000 characters")
        self.assertEqual(ConfirmationRequest.objects.get().status, "pending")

    def test_a_post_without_a_decision_is_refused(self) -> None:
        self.ask()
        r = self.client.post(self.confirm_url(), {"note": "hm"})
        self.assertEqual(r.status_code, 400)
        self.assertEqual(ConfirmationRequest.objects.get().status, "pending")


class DeclineLooksLikeSilenceTestCase(ConfirmationTestCase):
    """The ally's pages must not differ in any byte between declined and unanswered."""

    def ally_pages(self) -> list[str]:
        self.client.force_login(self.alice)
        org = self.org.slug
        paths = [
            reverse("pledges:action_detail", kwargs={"org": org, "pk": self.action.pk}),
            reverse("pledges:detail", kwargs={"org": org, "pk": self.pledge.pk}),
            reverse("pledges:my_pledges", kwargs={"org": org}),
            reverse("pledges:list", kwargs={"org": org}),
            reverse("notifications:list"),
        ]
        pages = []
        for path in paths:
            r = self.client.get(path)
            self.assertEqual(r.status_code, 200, path)
            pages.append(without_csrf(r.content.decode()))
        self.client.logout()
        return pages

    def test_declined_and_unanswered_render_identically(self) -> None:
        self.ask()
        token = link_from(mail.outbox[0].body).split("/")[2]
        unanswered = self.ally_pages()
        self.assertIn("Confirmation requested", unanswered[0])
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(f"/confirm/{token}/", {"decline": "1"})
        self.assertEqual(ConfirmationRequest.objects.get().status, "declined")
        declined = self.ally_pages()
        for before, after in zip(unanswered, declined, strict=True):
            self.assertEqual(before, after)

    def test_they_stay_identical_after_expiry(self) -> None:
        self.ask()
        declined_action = self.action
        token = link_from(mail.outbox[0].body).split("/")[2]
        services.confirmation_respond(token=token, decision="decline")
        later = timezone.now() + timedelta(days=settings.CONFIRMATION_LINK_DAYS + 1)
        with time_machine.travel(later, tick=False):
            declined = self.ally_pages()
        ConfirmationRequest.objects.update(status="pending", responded_at=None)
        with time_machine.travel(later, tick=False):
            unanswered = self.ally_pages()
        self.assertEqual(declined, unanswered)
        self.assertIn("No answer", declined[0])
        self.assertFalse(declined_action.is_confirmed)


class OptOutTestCase(ConfirmationTestCase):
    def test_the_opt_out_is_honored_forever(self) -> None:
        self.ask()
        path = link_from(mail.outbox[0].body, "/confirm/opt-out/")
        self.assertNotIn("dana", path.lower())
        r = self.client.get(path)
        self.assertContains(r, "Yes, stop all requests to me")
        self.assertFalse(RecipientOptOut.objects.exists())  # GET changes nothing
        r = self.client.post(path)
        self.assertContains(r, "You have opted out")
        self.assertEqual(
            list(RecipientOptOut.objects.values_list("email_digest", flat=True)),
            [email_digest("dana@example.net")],
        )
        self.assertContains(self.client.get(path), "already opted out")
        with self.assertRaisesMessage(
            ConfirmationRefused, "This person can't receive confirmation requests."
        ):
            self.ask(make_action(self.pledge), email="DANA@example.net")
        self.assertEqual(ConfirmationRequest.objects.count(), 1)

    def test_a_forged_opt_out_link_is_refused(self) -> None:
        digest = email_digest("dana@example.net")
        for path in (
            "/confirm/opt-out/nonsense/",
            f"/confirm/opt-out/{digest}:forged/",
        ):
            r = self.client.post(path)
            self.assertEqual(r.status_code, 404)
        self.assertFalse(RecipientOptOut.objects.exists())


class ReminderTestCase(ConfirmationTestCase):
    def remind(self, days: float) -> int:
        with (
            time_machine.travel(timezone.now() + timedelta(days=days)),
            self.captureOnCommitCallbacks(execute=True),
        ):
            return services.confirmation_send_reminders()

    def test_it_reminds_once_after_the_delay(self) -> None:
        self.ask()
        first_link = link_from(mail.outbox[0].body)
        self.assertEqual(self.remind(settings.CONFIRMATION_REMINDER_DAYS - 1), 0)
        self.assertEqual(self.remind(settings.CONFIRMATION_REMINDER_DAYS + 0.1), 1)
        self.assertEqual(self.remind(settings.CONFIRMATION_REMINDER_DAYS + 1), 0)
        reminder = mail.outbox[-1]
        self.assertEqual(len(mail.outbox), 2)
        self.assertIn("Reminder", reminder.subject)
        self.assertIn("only reminder", reminder.body)
        self.assertIn("/confirm/opt-out/", reminder.body)
        second_link = link_from(reminder.body)
        self.assertNotEqual(first_link, second_link)
        # Both links open the request; once answered, both are spent.
        self.assertEqual(self.client.get(first_link).status_code, 200)
        self.client.post(second_link, {"confirm": "1"})
        self.assertEqual(self.client.get(first_link).status_code, 410)

    def test_it_never_reminds_answered_expired_or_opted_out(self) -> None:
        self.ask()
        token = link_from(mail.outbox[0].body).split("/")[2]
        services.confirmation_respond(token=token, decision="decline")
        self.ask(make_action(self.pledge), email="fay@example.net")
        RecipientOptOut.objects.create(email_digest=email_digest("fay@example.net"))
        self.assertEqual(self.remind(settings.CONFIRMATION_REMINDER_DAYS + 1), 0)

        self.ask(make_action(self.pledge), email="erin@example.net")
        self.assertEqual(self.remind(settings.CONFIRMATION_LINK_DAYS + 1), 0)
        self.assertFalse(
            ConfirmationRequest.objects.filter(reminded_at__isnull=False).exists()
        )

    @override_settings(CONFIRMATION_REMINDER_DAYS=0)
    def test_the_command_runs(self) -> None:
        self.ask()
        out = StringIO()
        with self.captureOnCommitCallbacks(execute=True):
            call_command("send_confirmation_reminders", stdout=out)
        self.assertIn("Sent 1 confirmation reminder", out.getvalue())
        self.assertEqual(len(mail.outbox), 2)
