from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from alongside.learning.services import curriculum_load


class Command(BaseCommand):
    help = (
        "Load the shipped starter curriculum into the course library. Idempotent: a "
        "library course is created once and updated only when its spec's version rises."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        from alongside.learning.curriculum.parser import load_curriculum

        try:
            specs = load_curriculum()
        except ValueError as e:  # CurriculumError lists every problem
            raise CommandError(f"The curriculum is invalid:\n{e}") from e
        report = curriculum_load(specs)
        self.stdout.write(
            f"Library courses: {len(report.created)} created, "
            f"{len(report.updated)} updated, {len(report.unchanged)} unchanged."
        )
