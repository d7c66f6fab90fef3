from __future__ import annotations

from datetime import timedelta

from django.core import mail
from django.core.management import call_command
from django.tasks import TaskResultStatus
from django.test import TestCase, TransactionTestCase, override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from alongside.notifications.tasks import send_email
from alongside.worker.delivery import deliver_once, emails_keyed_by_task
from alongside.worker.models import EmailDelivery, WorkerHeartbeat

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _abandon(task_id: str, *, worker_id: str, heartbeat_age: timedelta) -> None:
    """Leave the task as a worker killed while running it would: RUNNING, claimed two
    minutes ago, its worker last heard from `heartbeat_age` ago."""
    row = DBTaskResult.objects.get(id=task_id)
    row.claim(worker_id)
    DBTaskResult.objects.filter(id=task_id).update(
        started_at=timezone.now() - timedelta(minutes=2)
    )
    WorkerHeartbeat.objects.create(
        worker_id=worker_id, last_seen=timezone.now() - heartbeat_age
    )


def _run_worker() -> None:
    call_command("run_worker", "--batch", "--no-startup-delay", verbosity=0)


@override_settings(TASKS=DATABASE_TASKS, TASK_WORKER_LEASE_SECONDS=30)
class AbandonedTaskTestCase(TransactionTestCase):
    # The worker manages its own database connection, so no wrapping transaction.

    def test_a_task_of_a_worker_gone_silent_runs_again(self) -> None:
        result = send_email.enqueue(
            to=["dana@example.net"], subject="Confirm", body="b", key="confirm:1"
        )
        _abandon(result.id, worker_id="killed", heartbeat_age=timedelta(minutes=1))
        with self.assertLogs("alongside.worker.lease", "WARNING"):
            _run_worker()
        self.assertEqual([m.subject for m in mail.outbox], ["Confirm"])
        self.assertFalse(DBTaskResult.objects.exists())  # sent, then forgotten

    def test_a_task_whose_worker_is_alive_is_left_alone(self) -> None:
        result = send_email.enqueue(
            to=["dana@example.net"], subject="Confirm", body="b", key="confirm:1"
        )
        _abandon(result.id, worker_id="busy", heartbeat_age=timedelta(seconds=5))
        _run_worker()
        self.assertEqual(mail.outbox, [])
        self.assertEqual(DBTaskResult.objects.get().status, TaskResultStatus.RUNNING)

    def test_a_task_of_a_worker_without_heartbeat_runs_again(self) -> None:
        # A worker that never wrote a heartbeat (the library's db_worker, killed).
        result = send_email.enqueue(to=["dana@example.net"], subject="S", body="b")
        DBTaskResult.objects.get(id=result.id).claim("db-worker")
        DBTaskResult.objects.filter(id=result.id).update(
            started_at=timezone.now() - timedelta(minutes=2)
        )
        with self.assertLogs("alongside.worker.lease", "WARNING"):
            _run_worker()
        self.assertEqual(len(mail.outbox), 1)

    def test_an_email_sent_before_the_worker_died_is_not_sent_again(self) -> None:
        # Killed after the mail server took it, before the task was marked done.
        send_email.call(to=["dana@example.net"], subject="S", body="b", key="k")
        result = send_email.enqueue(
            to=["dana@example.net"], subject="S", body="b", key="k"
        )
        _abandon(result.id, worker_id="killed", heartbeat_age=timedelta(minutes=1))
        with self.assertLogs("alongside.worker.lease", "WARNING"):
            _run_worker()
        self.assertEqual(len(mail.outbox), 1)
        self.assertFalse(DBTaskResult.objects.exists())

    def test_a_task_abandoned_too_often_is_marked_failed(self) -> None:
        result = send_email.enqueue(to=["dana@example.net"], subject="S", body="b")
        DBTaskResult.objects.filter(id=result.id).update(
            worker_ids=[f"w{i}" for i in range(9)]
        )
        _abandon(result.id, worker_id="w9", heartbeat_age=timedelta(minutes=1))
        with self.assertLogs("alongside.worker.lease", "ERROR"):
            _run_worker()
        self.assertEqual(mail.outbox, [])
        self.assertEqual(DBTaskResult.objects.get().status, TaskResultStatus.FAILED)


class DeliverOnceTestCase(TestCase):
    def test_a_repeated_key_is_sent_once(self) -> None:
        for _ in range(3):
            send_email.call(to=["dana@example.net"], subject="S", body="b", key="k")
        self.assertEqual(len(mail.outbox), 1)
        self.assertEqual(EmailDelivery.objects.count(), 1)
        send_email.call(to=["dana@example.net"], subject="S", body="b", key="other")
        self.assertEqual(len(mail.outbox), 2)

    def test_the_ledger_holds_neither_the_key_nor_the_time(self) -> None:
        send_email.call(to=["dana@example.net"], subject="S", body="b", key="post:42")
        row = EmailDelivery.objects.get()
        self.assertNotIn("42", row.digest)
        self.assertEqual(len(row.digest), 64)
        self.assertEqual(row.sent_on, timezone.now().date())

    def test_unkeyed_emails_of_a_task_run_twice_are_sent_once_each(self) -> None:
        sent: list[str] = []
        for _run in range(2):
            with emails_keyed_by_task("task-1"):
                deliver_once("", lambda: sent.append("first"))
                deliver_once("", lambda: sent.append("second"))
        self.assertEqual(sent, ["first", "second"])

    def test_unkeyed_emails_outside_a_worker_just_go(self) -> None:
        sent: list[int] = []
        deliver_once("", lambda: sent.append(1))
        deliver_once("", lambda: sent.append(1))
        self.assertEqual(sent, [1, 1])
        self.assertFalse(EmailDelivery.objects.exists())


class PruneTestCase(TestCase):
    def test_old_keys_and_dead_workers_are_deleted(self) -> None:
        today = timezone.now().date()
        EmailDelivery.objects.create(digest="a" * 64, sent_on=today)
        EmailDelivery.objects.create(
            digest="b" * 64, sent_on=today - timedelta(days=31)
        )
        WorkerHeartbeat.objects.create(worker_id="alive", last_seen=timezone.now())
        WorkerHeartbeat.objects.create(
            worker_id="dead", last_seen=timezone.now() - timedelta(days=2)
        )
        call_command("prune_worker_records", verbosity=0)
        self.assertEqual(
            list(EmailDelivery.objects.values_list("digest", flat=True)), ["a" * 64]
        )
        self.assertEqual(
            list(WorkerHeartbeat.objects.values_list("worker_id", flat=True)), ["alive"]
        )
