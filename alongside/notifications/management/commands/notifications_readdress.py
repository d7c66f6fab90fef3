from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from alongside.notifications.services import notifications_readdress


class Command(BaseCommand):
    help = (
        "Once, after upgrading: move notifications about pseudonymous content, stored "
        "for the member, to notices addressed to his pseudonym (the day only). Safe to "
        "run again."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        moved, dropped = notifications_readdress()
        self.stdout.write(
            f"{moved} notification(s) moved to their pseudonym, {dropped} dropped."
        )
