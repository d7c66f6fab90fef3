"""What the concerns app holds about a person, for the data download and account erasure.

A download contains only the concerns the person raised while signed in, and only what
they wrote. Concerns ABOUT a person are never part of it: they stay with the program
admins, and so does everything admins wrote (notes, status, assignment).

Erasure detaches the person from what they raised but keeps the text: the organization
has a duty of care toward the people a concern may be about, or may protect.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from alongside.concerns.models import Concern

if TYPE_CHECKING:
    from alongside.accounts.models import User


def export_user_data(user: User) -> dict[str, Any]:
    raised = Concern.objects.filter(reporter=user).select_related("organization")
    return {
        "concerns_raised": [
            {
                "reference": concern.reference,
                "organization": concern.organization.name,
                "raised_at": concern.created_at.isoformat(),
                "about": concern.subject_name,
                "what_happened": concern.description,
                "contact_email": concern.contact_email,
            }
            for concern in raised
        ]
    }


def erase_user_data(user: User) -> None:
    # The reply address goes with the account; the concern's text stays. Concerns the
    # person raised without linking them to the account cannot be told apart, by design.
    Concern.objects.filter(reporter=user).update(reporter=None, contact_email="")
    # Whatever else points at the user (subject_member, assigned_to, note authors) is
    # set to NULL when the User row is deleted; subject_name keeps whom it was about.
