"""What the task worker needs to keep its promises across crashes and outages.

`WorkerHeartbeat`: each running worker says it is alive every few seconds; a task left
RUNNING by a worker that has stopped saying so is put back in the queue (`lease.py`).
`EmailDelivery`: the keys of emails already handed to the mail server, so a task run
again after a crash does not send its email a second time (`delivery.py`).
"""

from __future__ import annotations

from datetime import timedelta

from django.db import models
from django.utils import timezone


class WorkerHeartbeatQuerySet(models.QuerySet["WorkerHeartbeat"]):
    def seen_within(self, within: timedelta) -> WorkerHeartbeatQuerySet:
        return self.filter(last_seen__gte=timezone.now() - within)


class WorkerHeartbeat(models.Model):
    """One row per worker process, refreshed while it runs."""

    worker_id = models.CharField(max_length=64, primary_key=True)
    last_seen = models.DateTimeField(db_index=True)

    objects = WorkerHeartbeatQuerySet.as_manager()

    def __str__(self) -> str:
        return self.worker_id

    @classmethod
    def beat(cls, worker_id: str) -> None:
        cls.objects.update_or_create(
            worker_id=worker_id, defaults={"last_seen": timezone.now()}
        )


class EmailDelivery(models.Model):
    """An email handed to the mail server, by the SHA-256 digest of its key.

    Holds no address, subject or text, and only the day it was sent (enough to prune).
    """

    digest = models.CharField(max_length=64, primary_key=True)
    sent_on = models.DateField(db_index=True)

    def __str__(self) -> str:
        return self.digest
