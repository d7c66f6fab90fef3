"""Send an email once per key, however often the task that sends it runs.

A task is run again when the worker running it died (SIGKILL, power loss) or lost the
database before it could record the result (`lease.py`). `deliver_once` keeps a ledger
of the keys it has sent (`EmailDelivery`): a key already there is not sent again.

The ledger row is written right after the mail server accepted the message. Should the
database be gone at that moment, the worker holds on and retries the row for up to
`RECORD_PATIENCE` seconds instead of failing the task (which would send it again).

The one window left: a worker killed (SIGKILL, power loss) in the few milliseconds
between the mail server's acceptance and the ledger's commit leaves no row, and the
rerun sends that email a second time. No ordering closes it without a mail server that
takes part in our transaction: recording first would lose the email instead whenever the
send fails or the worker dies before sending, and a lost email is the worse failure.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.db import InterfaceError, OperationalError, connections, router
from django.utils import timezone

from alongside.worker.models import EmailDelivery

logger = logging.getLogger(__name__)

# How long a worker keeps retrying the ledger row of an email already sent.
RECORD_PATIENCE = 300.0


@dataclass
class _RunningTask:
    task_id: str
    deliveries: int = 0


_running_task: ContextVar[_RunningTask | None] = ContextVar(
    "alongside_worker_running_task", default=None
)


@contextmanager
def emails_keyed_by_task(task_id: str) -> Iterator[None]:
    """Mark the task the worker is running: emails it sends without a key of their own
    are keyed by the task's id and their order within it, the same on every rerun."""
    token = _running_task.set(_RunningTask(task_id))
    try:
        yield
    finally:
        _running_task.reset(token)


def delivery_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def deliver_once(key: str, send: Callable[[], object]) -> bool:
    """Call `send` unless `key` was sent already; return whether it was called.

    With an empty key inside a task run by `run_worker`, the key is the task's id and
    the number of the email within the task. With an empty key elsewhere (the immediate
    backend, a shell) there is nothing to deduplicate against: it just sends.
    """
    if not key:
        task = _running_task.get()
        if task is None:
            send()
            return True
        task.deliveries += 1
        key = f"task:{task.task_id}:{task.deliveries}"
    digest = delivery_digest(key)
    if EmailDelivery.objects.filter(digest=digest).exists():
        logger.info("email %s already sent, not sending it again", digest[:12])
        return False
    send()
    _record(digest)
    return True


def _record(digest: str) -> None:
    alias = router.db_for_write(EmailDelivery)
    give_up = time.monotonic() + RECORD_PATIENCE
    delay = 0.5
    while True:
        try:
            EmailDelivery.objects.get_or_create(
                digest=digest, defaults={"sent_on": timezone.now().date()}
            )
        except (OperationalError, InterfaceError) as e:
            conn = connections[alias]
            if conn.in_atomic_block or time.monotonic() > give_up:
                raise
            if delay == 0.5:
                logger.warning(
                    "email %s sent but the database is unavailable (%s): "
                    "retrying its record",
                    digest[:12],
                    type(e).__name__,
                )
            conn.close()
            time.sleep(delay)
            delay = min(delay * 2, 10.0)
        else:
            return
