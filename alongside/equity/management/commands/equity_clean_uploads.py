"""Delete payroll uploads that never became a report within 24 hours (run hourly)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from alongside.equity.services import upload_clean_abandoned


class Command(BaseCommand):
    help = "Delete abandoned payroll uploads (older than 24 hours) and their files."

    def handle(self, *args: Any, **options: Any) -> None:
        count = upload_clean_abandoned()
        self.stdout.write(f"Deleted {count} abandoned payroll upload(s).")
