"""Send an email once per key, however often the task that sends it runs.

A task is run again when the worker running it died (SIGKILL, power loss) or lost the
database before it could record the result (`lease.py`). `deliver_once` keeps a ledger
of the keys it has sent (`EmailDelivery`): a key already there is not sent again.

The one window left: the ledger row is written right after the mail server accepted
the message. A worker killed in those few milliseconds (or losing the database exactly
then) leaves no row, and the rerun sends the email a second time. No ordering closes
it without a mail server that takes part in our transaction: recording first would lose
the email instead when the send fails or the worker dies before sending.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.utils import timezone

from alongside.worker.models import EmailDelivery

logger = logging.getLogger(__name__)


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
    EmailDelivery.objects.get_or_create(
        digest=digest, defaults={"sent_on": timezone.now().date()}
    )
    return True
