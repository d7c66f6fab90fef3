from __future__ import annotations

from django.core import mail

from alongside.notifications.models import Notification, NotificationPreference
from alongside.notifications.services import notification_send
from alongside.test import BaseTestCase


class NotificationSendTestCase(BaseTestCase):
    def send(self, kind: str = Notification.Kind.KUDOS, **extra) -> Notification:
        extra.setdefault("url", "/o/northwind/wall/")
        with self.captureOnCommitCallbacks(execute=True):
            return notification_send(
                user=self.alice,
                organization=self.org,
                kind=kind,
                message="Bob gave you kudos.",
                email_template="recognition/email/kudos",
                email_context={"giver_name": "Bob", "what": "A commitment"},
                **extra,
            )

    def test_it_creates_the_notification_and_emails_it(self) -> None:
        notification = self.send()
        self.assertEqual(notification.user, self.alice)
        self.assertIsNone(notification.read_at)
        self.assertEqual(len(mail.outbox), 1)
        self.assertEqual(mail.outbox[0].to, ["alice@example.org"])
        self.assertIn("http://127.0.0.1:8000/o/northwind/wall/", mail.outbox[0].body)
        self.assertIn("/notifications/settings/", mail.outbox[0].body)

    def test_it_honors_each_email_preference(self) -> None:
        preference = NotificationPreference.objects.create(
            user=self.alice,
            email_confirmations=False,
            email_kudos=False,
            email_badges=False,
            email_reminders=False,
        )
        for kind in ("confirmation", "kudos", "badge", "reminder"):
            self.send(kind)
        self.assertEqual(mail.outbox, [])
        self.assertEqual(Notification.objects.filter(user=self.alice).count(), 4)
        preference.email_badges = True
        preference.save()
        self.send("badge")
        self.assertEqual(len(mail.outbox), 1)

    def test_some_kinds_are_always_emailed(self) -> None:
        NotificationPreference.objects.create(
            user=self.alice, email_kudos=False, email_badges=False
        )
        self.send(Notification.Kind.CONCERN)
        self.assertEqual(len(mail.outbox), 1)

    def test_it_does_not_email_inactive_users(self) -> None:
        self.alice.is_active = False
        self.alice.save()
        self.send()
        self.assertEqual(mail.outbox, [])

    def test_it_refuses_links_off_the_site(self) -> None:
        for url in ("https://evil.example/", "//evil.example/", "javascript:alert(1)"):
            with self.assertRaises(ValueError):
                self.send(url=url)
        self.assertFalse(Notification.objects.exists())

    def test_the_email_waits_for_the_commit(self) -> None:
        with self.captureOnCommitCallbacks(execute=False):
            notification_send(
                user=self.alice,
                organization=self.org,
                kind=Notification.Kind.KUDOS,
                message="x",
                email_template="recognition/email/kudos",
                email_context={"giver_name": "Bob", "what": "A commitment"},
            )
        self.assertEqual(mail.outbox, [])
