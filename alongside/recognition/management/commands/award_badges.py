from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from alongside.organizations.models import Membership, Organization
from alongside.recognition.services import badges_evaluate


class Command(BaseCommand):
    help = (
        "Evaluate the badge rules for every member (or one organization's members) and "
        "award what they have earned. Safe to run again: nothing is awarded twice, and "
        "revoked badges stay revoked."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--organization", metavar="SLUG", help="only this organization's members"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        memberships = Membership.objects.active().select_related("organization", "user")
        if slug := options["organization"]:
            if not Organization.objects.filter(slug=slug).exists():
                raise CommandError(f"No organization with the short name {slug!r}.")
            memberships = memberships.filter(organization__slug=slug)
        evaluated = awarded = 0
        for membership in memberships.order_by("organization_id", "user_id").iterator():
            evaluated += 1
            awarded += len(
                badges_evaluate(
                    organization=membership.organization, member=membership.user
                )
            )
        self.stdout.write(
            f"Evaluated {evaluated} memberships and awarded {awarded} new badges."
        )
