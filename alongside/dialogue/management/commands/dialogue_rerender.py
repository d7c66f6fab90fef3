from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from alongside.dialogue.models import Post


class Command(BaseCommand):
    help = (
        "Render every post's Markdown again into the stored HTML the thread pages "
        "show. Run it after upgrading the Markdown renderer or changing what its "
        "sanitizer allows; it is safe to run at any time and to interrupt."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--batch", type=int, default=500)

    def handle(self, *args: Any, **options: Any) -> None:
        changed = Post.objects.rerender(batch=options["batch"])
        self.stdout.write(f"{changed} post(s) rendered again.")
