from __future__ import annotations

from django.core import mail
from django.core.management import call_command
from django.test import TransactionTestCase, override_settings
from django_tasks_db.models import DBTaskResult

from alongside.notifications.tasks import send_email


@override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}})
class ForgetSentEmailTestCase(TransactionTestCase):
    # The worker manages its own database connection, so no wrapping transaction.

    def test_the_worker_deletes_a_sent_email_from_the_queue(self) -> None:
        send_email.enqueue(
            to=["dana@example.net"],
            subject="Confirm",
            body="https://x.test/confirm/SECRET/",
        )
        self.assertEqual(DBTaskResult.objects.count(), 1)
        call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
        self.assertEqual(len(mail.outbox), 1)
        self.assertEqual(DBTaskResult.objects.count(), 0)

    def test_it_keeps_a_failed_send_for_diagnosis(self) -> None:
        send_email.enqueue(
            to=["not an address"], subject="Confirm\nBcc: x@y.z", body="b"
        )
        call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
        self.assertEqual(DBTaskResult.objects.get().status, "FAILED")
