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
        organizations = Organization.objects.order_by("pk")
        if slug := options["organization"]:
            organizations = organizations.filter(slug=slug)
            if not organizations.exists():
                raise CommandError(f"No organization with the short name {slug!r}.")
        evaluated = awarded = 0
        for organization in organizations.iterator():
            memberships = (
                Membership.objects.for_organization(organization)
                .active()
                .select_related("user")
                .order_by("user_id")
            )
            for membership in memberships.iterator():
                evaluated += 1
                awarded += len(
                    badges_evaluate(organization=organization, member=membership.user)
                )
        self.stdout.write(
            f"Evaluated {evaluated} memberships and awarded {awarded} new badges."
        )
