from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from alongside.pledges.services import confirmation_send_reminders


class Command(BaseCommand):
    help = (
        "Remind, once, the people who haven't answered a confirmation request after "
        f"CONFIRMATION_REMINDER_DAYS (now {settings.CONFIRMATION_REMINDER_DAYS}) days. "
        "Skips answered, expired and opted-out requests. Run it daily (cron or a "
        "systemd timer); running it more often is harmless."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        sent = confirmation_send_reminders()
        self.stdout.write(f"Sent {sent} confirmation reminder(s).")
