from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from alongside.pledges.services import pledge_send_checkin_reminders


class Command(BaseCommand):
    help = (
        "Remind allies whose active pledge has no action yet in the current cadence "
        "period (week, month or quarter), at most once per period and pledge. Run it "
        "daily (cron or a systemd timer); running it more often is harmless."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        sent = pledge_send_checkin_reminders()
        self.stdout.write(f"Sent {sent} check-in reminder(s).")
