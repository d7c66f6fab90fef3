"""make_* helpers for the pledges tests: plain ORM rows, so each test drives the
service or view it is about."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from alongside.accounts.models import User
from alongside.lib.tokens import new_token
from alongside.lib.visibility import Visibility
from alongside.organizations.models import Organization
from alongside.pledges.models import (
    Action,
    ConfirmationRequest,
    Pledge,
    PledgeCommitment,
)

PASSWORD = "correct horse battery staple"


def make_pledge(
    member: User,
    organization: Organization,
    *,
    commitments: int = 1,
    cadence: str = "monthly",
    started_on: date | None = None,
    visibility: str = Visibility.ORGANIZATION,
    statement: str = "I will make room for others and act on it.",
    **extra: Any,
) -> Pledge:
    pledge = Pledge.objects.create(
        organization=organization,
        member=member,
        statement=statement,
        cadence=cadence,
        visibility=visibility,
        started_on=started_on or timezone.localdate(),
        **extra,
    )
    for n in range(commitments):
        PledgeCommitment.objects.create(
            pledge=pledge, title=f"Commitment {n + 1}", position=n
        )
    return pledge


def make_action(
    pledge: Pledge,
    *,
    occurred_on: date | None = None,
    commitment: PledgeCommitment | None = None,
    description: str = "Credited Dana's idea in the planning meeting.",
    visibility: str = Visibility.ORGANIZATION,
    **extra: Any,
) -> Action:
    if commitment is None:
        commitment = pledge.commitments.first()
        assert commitment is not None
    return Action.objects.create(
        organization=pledge.organization,
        member=pledge.member,
        commitment=commitment,
        occurred_on=occurred_on or pledge.started_on,
        description=description,
        visibility=visibility,
        **extra,
    )


def make_request(
    action: Action,
    *,
    email: str = "dana@example.net",
    name: str = "Dana",
    created_at: Any = None,
    **extra: Any,
) -> tuple[ConfirmationRequest, str]:
    """A confirmation request and the token of its link."""
    token, digest = new_token()
    created_at = created_at or timezone.now()
    request = ConfirmationRequest.objects.create(
        action=action,
        requester=action.member,
        recipient_email=email,
        recipient_name=name,
        token_digest=digest,
        created_at=created_at,
        expires_at=created_at + timedelta(days=settings.CONFIRMATION_LINK_DAYS),
        **extra,
    )
    return request, token


_CSRF = re.compile(
    r'(name="csrfmiddlewaretoken" value=")[^"]+(")|("X-CSRFToken": ")[^"]+(")'
)


def without_csrf(html: str) -> str:
    """The page with its per-request CSRF tokens blanked, for byte comparisons."""
    return _CSRF.sub(lambda m: "".join(g or "" for g in m.groups()), html)


def link_from(body: object, prefix: str = "/confirm/") -> str:
    """The path of the first link in an email body that starts with `prefix`."""
    match = re.search(re.escape(settings.SITE_URL + prefix) + r"[^\s]+", str(body))
    assert match, f"no {prefix} link in:\n{body}"
    return match.group(0).removeprefix(settings.SITE_URL)
