from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from alongside.dialogue.services import send_digests


class Command(BaseCommand):
    help = (
        "Email each member who chose a space's daily digest the posts since his last "
        "one. Safe to run more than once: nothing is sent twice."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        sent = send_digests()
        self.stdout.write(f"{sent} digest email(s) queued.")
