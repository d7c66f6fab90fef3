from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from alongside.demo.loader import demo_load
from alongside.demo.people import DEMO_PASSWORD, PEOPLE


class Command(BaseCommand):
    help = "Load the fictional demo organization on first run (idempotent), then print the demo logins."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--quiet", action="store_true", help="Load without printing the logins."
        )

    def handle(self, *args: Any, quiet: bool = False, **options: Any) -> None:
        created = demo_load()
        if quiet:
            return
        if created:
            self.stdout.write(
                self.style.SUCCESS(
                    "Loaded the demo organization, Riverside Health Trust."
                )
            )
        self.stdout.write("")
        self.stdout.write(
            self.style.MIGRATE_HEADING(f"Alongside is starting on {settings.SITE_URL}")
        )
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for person in PEOPLE:
            if person.login_hint:
                self.stdout.write(f"  {person.email:<28} {person.login_hint}")
        self.stdout.write(
            "Emails (confirmation links, invitations) are printed by the worker below."
        )
        self.stdout.write("")
