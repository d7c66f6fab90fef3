from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from alongside.events.services import send_due_reminders


class Command(BaseCommand):
    help = (
        "Remind members with a seat 24 hours and 1 hour before each event (in-app and "
        "by email). Each reminder is sent once, however often this runs, so run it "
        "every 5 to 10 minutes (cron or a systemd timer) for the hour-before reminder "
        "to arrive on time."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        sent = send_due_reminders()
        self.stdout.write(f"Sent {sent} event reminder(s).")
