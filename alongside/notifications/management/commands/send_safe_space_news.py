from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from alongside.notifications.services import safe_space_news_send


class Command(BaseCommand):
    help = (
        "Email each member with safe-space news from before today one mail saying only "
        "that there is news for him in a safe space. Safe to run more than once: at "
        "most one such mail per member a day."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        sent = safe_space_news_send()
        self.stdout.write(f"{sent} safe-space news email(s) queued.")
