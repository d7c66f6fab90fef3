"""make_* helpers for recognition tests: pledges and actions without the pledges flow."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils import timezone

from alongside.accounts.models import User
from alongside.lib.visibility import Visibility
from alongside.organizations.models import Organization
from alongside.pledges.models import Action, Pledge, PledgeCommitment


def make_pledge(
    member: User,
    organization: Organization,
    *,
    commitments: tuple[str, ...] = ("Amplify colleagues' ideas in meetings",),
    visibility: str = Visibility.ORGANIZATION,
    **extra: Any,
) -> Pledge:
    extra.setdefault("statement", "I will listen first and speak up when it matters.")
    pledge = Pledge.objects.create(
        organization=organization, member=member, visibility=visibility, **extra
    )
    for position, title in enumerate(commitments):
        PledgeCommitment.objects.create(pledge=pledge, title=title, position=position)
    return pledge


def make_action(
    pledge: Pledge,
    *,
    occurred_on: date | None = None,
    confirmed: bool = False,
    visibility: str = Visibility.ORGANIZATION,
    commitment: PledgeCommitment | None = None,
    **extra: Any,
) -> Action:
    commitment = commitment or pledge.commitments.order_by("position", "id").first()
    assert commitment is not None
    extra.setdefault("description", "Credited her idea by name in the team meeting.")
    return Action.objects.create(
        organization=pledge.organization,
        member=pledge.member,
        commitment=commitment,
        occurred_on=occurred_on or timezone.localdate(),
        visibility=visibility,
        confirmed_at=timezone.now() if confirmed else None,
        **extra,
    )
