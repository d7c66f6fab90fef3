from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from alongside.dialogue.safespace import rekey_pseudonyms


class Command(BaseCommand):
    help = (
        "Move every safe-space pseudonym to the current PSEUDONYM_KEY, after a key "
        "rotation (the former key in OLD_PSEUDONYM_KEYS). Safe to interrupt and to run "
        "again. See docs/deploy.md, 'The pseudonym key'."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--batch", type=int, default=500)

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.PSEUDONYM_KEY_FALLBACKS:
            self.stdout.write(
                "No former key in OLD_PSEUDONYM_KEYS: pseudonyms sealed under another "
                "key cannot be opened, and are counted as such."
            )
        result = rekey_pseudonyms(batch=options["batch"])
        self.stdout.write(
            f"{result.rekeyed} pseudonym(s) moved to the current key, "
            f"{result.current} already under it, "
            f"{result.unopenable} under no configured key, "
            f"{result.conflicts} left under a former key (the member has a newer "
            "pseudonym in the same space)."
        )
        if result.unopenable or result.conflicts:
            self.stdout.write(
                "Keep OLD_PSEUDONYM_KEYS until the counts above are what you expect: "
                "removing the former key makes those pseudonyms unlinkable for good."
            )
        else:
            self.stdout.write(
                "Every linked pseudonym is under the current key: OLD_PSEUDONYM_KEYS "
                "can be removed."
            )
