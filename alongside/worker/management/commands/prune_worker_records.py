"""`manage.py prune_worker_records`: forget old email keys and dead workers."""

from __future__ import annotations

from argparse import ArgumentParser
from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from alongside.worker.models import EmailDelivery, WorkerHeartbeat


class Command(BaseCommand):
    help = (
        "Delete email delivery keys older than --days (default 30) and heartbeats of "
        "workers not seen for a day."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--days", type=int, default=30)

    def handle(self, *, days: int, **options: Any) -> None:
        today = timezone.now().date()
        keys, _ = EmailDelivery.objects.filter(
            sent_on__lt=today - timedelta(days=max(days, 1))
        ).delete()
        workers, _ = WorkerHeartbeat.objects.exclude(
            last_seen__gte=timezone.now() - timedelta(days=1)
        ).delete()
        if options["verbosity"]:
            self.stdout.write(
                f"{keys} email delivery keys and {workers} dead workers deleted"
            )
