from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from alongside.dialogue.moderation import send_alerts


class Command(BaseCommand):
    help = (
        "Tell the moderators of each space about queue items (held posts, flagged "
        "posts, appeals) that have waited 48 hours. Run hourly; each item is alerted "
        "once (an audit row records it)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        sent = send_alerts()
        self.stdout.write(f"{sent} waiting item(s) alerted.")
