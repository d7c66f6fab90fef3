"""Put tasks abandoned by a dead worker back in the queue.

django-tasks-db marks a task RUNNING when a worker claims it and never looks at it again:
a worker killed mid-task leaves it RUNNING for ever. Each `run_worker` process writes a
heartbeat (`WorkerHeartbeat`) every `TASK_WORKER_LEASE_SECONDS / 3`; a RUNNING task whose
last claimant has not been seen for a lease is READY again, and the next worker runs it.
Emails stay exactly-once through `delivery.deliver_once`.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from alongside.worker.models import WorkerHeartbeat

logger = logging.getLogger(__name__)

# A task whose claimants died this many times is taken to be what kills them: it is
# marked FAILED (kept for diagnosis) instead of being put back once more.
MAX_ATTEMPTS = 10


def lease() -> timedelta:
    return timedelta(seconds=settings.TASK_WORKER_LEASE_SECONDS)


def requeue_abandoned(*, own_worker_id: str = "") -> int:
    """Make READY every RUNNING task whose worker is gone; return how many.

    `own_worker_id` is the calling worker, between tasks: whatever it left RUNNING
    (having lost the database mid-task) is abandoned whatever its heartbeat says.
    A task claimed less than a lease ago is left alone unless it is the caller's, so a
    worker that has only just claimed it is never overtaken.
    """
    now = timezone.now()
    cutoff = now - lease()
    alive = set(
        WorkerHeartbeat.objects.seen_within(lease()).values_list("worker_id", flat=True)
    )
    alive.discard(own_worker_id)
    requeued = 0
    for task_id, worker_ids, started_at in DBTaskResult.objects.running().values_list(
        "id", "worker_ids", "started_at"
    ):
        claimant = worker_ids[-1] if worker_ids else ""
        if claimant in alive:
            continue
        if claimant != own_worker_id and started_at is not None and started_at > cutoff:
            continue
        # Unchanged since read: nobody else requeued or claimed it in between.
        same = DBTaskResult.objects.filter(
            id=task_id, status=TaskResultStatus.RUNNING, started_at=started_at
        )
        if len(worker_ids) >= MAX_ATTEMPTS:
            if same.update(
                status=TaskResultStatus.FAILED,
                finished_at=now,
                exception_class_path="alongside.worker.lease.AbandonedTooOften",
                traceback=f"The worker running it stopped {len(worker_ids)} times.",
            ):
                logger.error(
                    "task %s abandoned %d times: marked failed",
                    task_id,
                    len(worker_ids),
                )
            continue
        if same.update(status=TaskResultStatus.READY):
            requeued += 1
            logger.warning(
                "task %s was left running by worker %s, which is gone: queued again",
                task_id,
                claimant or "(none)",
            )
    return requeued
