"""The worker as a real process: SIGKILLed while sending, every email goes out once."""

from __future__ import annotations

import random
import signal
import sqlite3
import subprocess
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from functools import partial
from pathlib import Path

from django.tasks import TaskResultStatus
from django.test import TransactionTestCase, override_settings, tag
from django_tasks_db.models import DBTaskResult

from alongside.notifications.tasks import send_email
from alongside.worker.tests.mailbox import accepted
from alongside.worker.tests.process import database_env, start_worker

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
EMAILS = 40
KILLS = 8


def _sent_more_or_exited(
    mailbox: Path, before: int, worker: subprocess.Popen[bytes]
) -> bool:
    return len(accepted(mailbox)) > before or worker.poll() is not None


def wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


@tag("slow")
@override_settings(TASKS=DATABASE_TASKS)
class KilledWorkerTestCase(TransactionTestCase):
    def test_every_email_goes_out_once_through_repeated_sigkills(self) -> None:
        seed = random.randrange(1 << 30)
        rng = random.Random(seed)
        with tempfile.TemporaryDirectory() as tmp:
            workdir = Path(tmp)
            mailbox = workdir / "mailbox"
            mailbox.mkdir()
            for i in range(EMAILS):
                send_email.enqueue(
                    to=[f"person{i}@example.org"],
                    subject=f"email-{i:02d}",
                    body="Your confirmation link",
                    key=f"confirmation:{i}",
                )
            env = database_env(workdir)
            pending = self._pending_counter(env)

            killed: set[int] = set()
            with open(workdir / "worker.log", "wb") as log:
                for _ in range(KILLS):
                    before = len(accepted(mailbox))
                    worker = start_worker(workdir, env, log)
                    try:
                        # Kill it while it is sending, at a random moment.
                        wait_for(
                            partial(_sent_more_or_exited, mailbox, before, worker),
                            30,
                            "the worker to send",
                        )
                        time.sleep(rng.uniform(0, 0.12))
                    finally:
                        worker.send_signal(signal.SIGKILL)
                        worker.wait()
                    killed.add(worker.pid)

                worker = start_worker(workdir, env, log)
                try:
                    wait_for(
                        lambda: pending() == 0 or worker.poll() is not None,
                        60,
                        "the queue to drain",
                    )
                finally:
                    worker.terminate()
                    try:
                        worker.wait(10)
                    except subprocess.TimeoutExpired:
                        worker.kill()
                        worker.wait()
            output = (workdir / "worker.log").read_text(errors="replace")
            sent = accepted(mailbox)
            self.assertEqual(pending(), 0, output)

        counts = Counter(subject for subject, _pid, _ns in sent)
        self.assertEqual(
            sorted(counts), [f"email-{i:02d}" for i in range(EMAILS)], (seed, output)
        )
        # Exactly once, but for what no ordering can close (delivery.py): a worker
        # killed between the mail server's acceptance and the ledger's commit, a few
        # milliseconds. Such a copy is the very last message its killed worker sent.
        last_of_killed = {
            max((ns, subject) for subject, p, ns in sent if p == pid)[1]
            for pid in killed
            if any(p == pid for _s, p, _ns in sent)
        }
        for subject, count in counts.items():
            if count > 1:
                self.assertEqual(count, 2, (subject, seed))
                self.assertIn(subject, last_of_killed, (subject, seed))
        self.assertLessEqual(sum(counts.values()) - EMAILS, 1, (counts, seed))
        self.assertNotIn("Traceback", output)
        self.assertIn("queued again", output)  # the lease recovered them, not luck

    def _pending_counter(self, env: dict[str, str]) -> Callable[[], int]:
        waiting = [TaskResultStatus.READY, TaskResultStatus.RUNNING]
        if not env.get("SQLITE_PATH"):
            return lambda: DBTaskResult.objects.filter(status__in=waiting).count()
        path = env["SQLITE_PATH"]
        table = DBTaskResult._meta.db_table

        def pending() -> int:
            db = sqlite3.connect(path, timeout=20)
            try:
                (count,) = db.execute(
                    f"SELECT count(*) FROM {table} WHERE status IN (?, ?)",  # noqa: S608
                    [str(s) for s in waiting],
                ).fetchone()
            finally:
                db.close()
            return int(count)

        return pending
