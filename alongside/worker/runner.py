"""The task worker of `manage.py run_worker`: django-tasks-db's, made to survive.

Three things the library's `db_worker` does not do:

- **heartbeat and lease**: a thread records the worker as alive every
  `TASK_WORKER_LEASE_SECONDS / 3` and puts back in the queue the tasks of workers not
  seen for a lease (`lease.py`), so a SIGKILL loses nothing;
- **database outages**: the loop survives `OperationalError`/`InterfaceError`: it
  closes its connections, waits (0.5 s doubling to 10 s), logs one line when the
  outage starts and one when it ends, then puts back what it was running and goes on.
  A task that fails because the database is gone is not marked FAILED: it runs again.
- **keys for emails**: each task runs inside `delivery.running_task`, so an email sent
  without a key of its own is still sent once per task.

The loop itself is the library's (`Worker.run`, claiming with row locks); only
`run_task` is restated, to tell a lost database apart from a failing task.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from typing import Any

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connections
from django.tasks import TaskContext
from django.tasks.signals import task_finished, task_started
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from alongside.worker.delivery import emails_keyed_by_task
from alongside.worker.lease import requeue_abandoned
from alongside.worker.models import WorkerHeartbeat

logger = logging.getLogger(__name__)

DATABASE_ERRORS = (OperationalError, InterfaceError)
FIRST_RETRY_DELAY = 0.5
MAX_RETRY_DELAY = 10.0


class DatabaseGone(OperationalError):
    """A task stopped because the database went away, not because of the task."""


def close_connections() -> None:
    for conn in connections.all(initialized_only=True):
        with contextlib.suppress(DatabaseError):
            conn.close()


def database_answers(alias: str) -> bool:
    conn = connections[alias]
    if conn.in_atomic_block:  # cannot reconnect under a transaction (tests): assume so
        return True
    with contextlib.suppress(DatabaseError):
        conn.close()
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return False
    return True


class Heartbeat(threading.Thread):
    """Says the worker is alive, and requeues dead workers' tasks, every `interval`."""

    def __init__(self, worker_id: str, interval: float) -> None:
        super().__init__(name="alongside-worker-heartbeat", daemon=True)
        self.worker_id = worker_id
        self.interval = interval
        self.stopped = threading.Event()
        self.failing = False

    def run(self) -> None:
        try:
            while not self.stopped.is_set():
                self.tick()
                self.stopped.wait(self.interval)
        finally:
            close_connections()

    def tick(self) -> None:
        try:
            WorkerHeartbeat.beat(self.worker_id)
            requeue_abandoned()
        except DatabaseError as e:
            if not self.failing:
                logger.warning("heartbeat: database unavailable (%s)", type(e).__name__)
            self.failing = True
            close_connections()
        except Exception:  # never let the heartbeat die: the worker would look dead
            logger.exception("heartbeat failed")
        else:
            self.failing = False

    def stop(self) -> None:
        self.stopped.set()


class ResilientWorker(Worker):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.heartbeat: Heartbeat | None = None

    def run(self) -> None:
        # In batch mode (tests, one-off runs) everything happens in this thread: one
        # sweep at the start, no background thread next to a test's transaction.
        if not self.batch:
            self.heartbeat = Heartbeat(
                self.worker_id, max(settings.TASK_WORKER_LEASE_SECONDS / 3, 0.2)
            )
            self.heartbeat.start()
        outage_since: float | None = None
        delay = FIRST_RETRY_DELAY
        try:
            while self.running:
                try:
                    WorkerHeartbeat.beat(self.worker_id)
                    requeue_abandoned(own_worker_id=self.worker_id)
                    if outage_since is not None:
                        logger.warning(
                            "database back after %.0f s: worker %s goes on",
                            time.monotonic() - outage_since,
                            self.worker_id,
                        )
                        outage_since, delay = None, FIRST_RETRY_DELAY
                    super().run()
                    return
                except DATABASE_ERRORS as e:
                    if outage_since is None:
                        outage_since = time.monotonic()
                        logger.warning(
                            "database unavailable (%s): worker %s waits and retries",
                            type(e).__name__,
                            self.worker_id,
                        )
                    self.startup_delay = False
                    close_connections()
                    time.sleep(delay)
                    delay = min(delay * 2, MAX_RETRY_DELAY)
        finally:
            if self.heartbeat is not None:
                self.heartbeat.stop()

    def run_task(self, db_task_result: DBTaskResult) -> None:  # type: ignore[type-arg]
        """The library's `run_task`, but a lost database is re-raised, not recorded."""
        alias = db_task_result._state.db or "default"
        with emails_keyed_by_task(str(db_task_result.id)):
            try:
                self.running_task = True
                task = db_task_result.task
                task_result = db_task_result.task_result
                backend_type = task.get_backend()
                task_started.send(sender=backend_type, task_result=task_result)
                if task.takes_context:
                    return_value = task.call(
                        TaskContext(task_result=task_result),
                        *task_result.args,
                        **task_result.kwargs,
                    )
                else:
                    return_value = task.call(*task_result.args, **task_result.kwargs)
                db_task_result.set_successful(return_value)
                task_finished.send(
                    sender=backend_type, task_result=db_task_result.task_result
                )
            except BaseException as e:
                if isinstance(e, DATABASE_ERRORS) and not database_answers(alias):
                    # Left RUNNING under this worker's id: requeued once it reconnects.
                    raise DatabaseGone(*e.args) from e
                db_task_result.set_failed(e)
                try:
                    sender = type(db_task_result.task.get_backend())
                    finished = db_task_result.task_result
                except Exception:
                    logger.exception("task %s failed unexpectedly", db_task_result.id)
                else:
                    task_finished.send(sender=sender, task_result=finished)
            finally:
                self.running_task = False
                self._run_tasks += 1
