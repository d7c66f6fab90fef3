"""PostgreSQL stopped and started under the worker: it waits, reconnects, goes on."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from unittest import skipUnless

from django.conf import settings
from django.db import connection
from django.test import SimpleTestCase, tag

from alongside.worker.tests.cluster import Cluster, postgres_bin
from alongside.worker.tests.mailbox import accepted
from alongside.worker.tests.process import start_worker
from alongside.worker.tests.test_worker_process import wait_for

# Run in a `manage.py shell` on the throwaway server: the tables the worker needs, and
# `n` emails queued, keyed by their subject.
SCRIPT = """
import os
from django.core.management import call_command
from alongside.notifications.tasks import send_email
if os.environ["SCRIPT_ARG"] == "migrate":
    call_command("migrate", "django_tasks_database", verbosity=0)
    call_command("migrate", "worker", verbosity=0)
else:
    prefix, n = os.environ["SCRIPT_ARG"].split(":")
    for i in range(int(n)):
        s = f"{prefix}-{i:02d}"
        send_email.enqueue(to=["a@example.org"], subject=s, body="b", key=s)
"""


@tag("slow")
@skipUnless(
    connection.vendor == "postgresql" and postgres_bin() is not None,
    "needs PostgreSQL and its server binaries",
)
class DatabaseOutageTestCase(SimpleTestCase):
    def setUp(self) -> None:
        self.tmp = tempfile.TemporaryDirectory()
        self.workdir = Path(self.tmp.name)
        (self.workdir / "mailbox").mkdir()
        self.cluster = Cluster(self.workdir)
        self.cluster.init()
        self.cluster.start()
        self.addCleanup(self.tmp.cleanup)
        self.addCleanup(self.cluster.destroy)
        self.env = {"DATABASE_URL": self.cluster.url}
        self._shell("migrate")

    def _shell(self, arg: str) -> None:
        done = subprocess.run(
            [sys.executable, "manage.py", "shell", "--no-imports", "-c", SCRIPT],
            cwd=settings.BASE_DIR,
            env={
                **os.environ,
                "DJANGO_SETTINGS_MODULE": "alongside.worker.tests.settings_process",
                "DEBUG": "1",
                "SCRIPT_ARG": arg,
                **self.env,
            },
            check=False,
            capture_output=True,
            timeout=60,
        )
        self.assertEqual(done.returncode, 0, done.stderr.decode()[-3000:])

    def _subjects(self) -> Counter[str]:
        return Counter(s for s, _pid, _ns in accepted(self.workdir / "mailbox"))

    def test_the_worker_survives_a_restart_when_idle_and_when_busy(self) -> None:
        with open(self.workdir / "worker.log", "wb") as log:
            worker = start_worker(self.workdir, self.env, log)
            try:
                self._shell("before:2")
                wait_for(lambda: len(self._subjects()) == 2, 30, "the first emails")

                # Idle: nothing queued while the server is down and back.
                self.cluster.stop()
                time.sleep(2)
                self.assertIsNone(worker.poll(), "the worker exited on an idle outage")
                self.cluster.start()
                self._shell("idle:3")
                wait_for(lambda: len(self._subjects()) == 5, 30, "emails after idle")

                # Busy: the server goes while the worker is sending a batch.
                self._shell("busy:20")
                wait_for(lambda: len(self._subjects()) >= 7, 30, "the batch to start")
                self.cluster.stop()
                time.sleep(3)
                self.assertIsNone(worker.poll(), "the worker exited on a busy outage")
                self.cluster.start()
                wait_for(lambda: len(self._subjects()) == 25, 60, "the whole batch")
                time.sleep(1)  # anything sent twice would show now
                self.assertIsNone(worker.poll())
            finally:
                worker.terminate()
                try:
                    worker.wait(10)
                except subprocess.TimeoutExpired:
                    worker.kill()
                    worker.wait()
        output = (self.workdir / "worker.log").read_text(errors="replace")
        counts = self._subjects()
        self.assertEqual(set(counts.values()), {1}, (counts, output))
        self.assertIn("database unavailable", output)
        self.assertIn("database back after", output)
        # No unhandled error. The one traceback allowed is logged, and handled, by
        # notifications.receivers when the server goes just as it forgets a sent email.
        records = re.split(r"\n(?=\d{4}-\d\d-\d\d )", output)
        unexpected = [
            r
            for r in records
            if "Traceback" in r and "could not delete the sent email" not in r
        ]
        self.assertEqual(unexpected, [])
