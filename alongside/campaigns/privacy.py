"""Campaign signatures in a member's data export and account erasure.

Signatures are made by email address, not by account: a member's export includes the
signatures made with any of their *verified* addresses (an unverified address proves
nothing about who signed). Erasing the account deletes those signatures outright, as a
withdrawal would, and the campaigns' counters go down accordingly: a count is a count
of people who still stand behind it. Nothing is anonymized and kept.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError

from alongside.campaigns.models import Signature
from alongside.campaigns.services import export_row, signatures_delete_for_emails
from alongside.lib.emailaddr import normalize_email

if TYPE_CHECKING:
    from alongside.accounts.models import User


def _verified_addresses(user: User) -> list[str]:
    from allauth.account.models import EmailAddress

    addresses = []
    for email in EmailAddress.objects.filter(user=user, verified=True).values_list(
        "email", flat=True
    ):
        try:
            addresses.append(normalize_email(email))
        except ValidationError:
            continue  # an address nobody could have signed with
    return addresses


def export_user_data(user: User) -> dict[str, Any]:
    signatures = (
        Signature.objects.filter(normalized_email__in=_verified_addresses(user))
        .select_related("campaign")
        .order_by("created_at", "id")
    )
    return {
        "campaign_signatures": [
            {**export_row(s), "campaign_title": s.campaign.title} for s in signatures
        ]
    }


def erase_user_data(user: User) -> None:
    signatures_delete_for_emails(_verified_addresses(user))
