"""Memberships and invitations: what the user belongs to and whom they invited."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q

from alongside.accounts.services import erased_user_reference
from alongside.audit.services import audit_record
from alongside.organizations.models import Invitation, Membership, Organization, Role

if TYPE_CHECKING:
    from alongside.accounts.models import User


def export_user_data(user: User) -> dict[str, Any]:
    return {
        "memberships": [
            {
                "organization": m.organization.name,
                "organization_slug": m.organization.slug,
                "role": m.role,
                "joined_at": m.joined_at.isoformat(),
            }
            for m in Membership.objects.filter(user=user).select_related("organization")
        ],
        # The addresses the user invited are data the user entered himself.
        "invitations_sent": [
            {
                "organization": i.organization.name,
                "email": i.email,
                "name": i.name,
                "role": i.role,
                "sent_at": i.sent_at.isoformat(),
                "accepted": i.accepted_at is not None,
                "revoked": i.revoked_at is not None,
            }
            for i in Invitation.objects.filter(invited_by=user).select_related(
                "organization"
            )
        ],
    }


def sole_member_organizations(user: User) -> list[Organization]:
    """Organizations in which the user is the only member: erasing the user deletes them."""
    mine = Membership.objects.filter(user=user).values("organization_id")
    return list(
        Organization.objects.filter(pk__in=mine)
        .annotate(num_members=Count("memberships"))
        .filter(num_members=1)
    )


def sole_admin_organizations(user: User) -> list[Organization]:
    """Organizations with other members in which the user is the only program admin."""
    administered = Membership.objects.filter(user=user, role=Role.PROGRAM_ADMIN).values(
        "organization_id"
    )
    return list(
        Organization.objects.filter(pk__in=administered)
        .annotate(
            num_admins=Count(
                "memberships", filter=Q(memberships__role=Role.PROGRAM_ADMIN)
            ),
            num_members=Count("memberships"),
        )
        .filter(num_admins=1, num_members__gt=1)
    )


def erase_blockers(user: User) -> list[Organization]:
    """The erasure hook of accounts: hand over the program admin role first."""
    return sole_admin_organizations(user)


def erased_with_user(user: User) -> list[Organization]:
    """The erasure hook of accounts: these organizations go with the account."""
    return sole_member_organizations(user)


def erase_user_data(user: User) -> None:
    from allauth.account.models import EmailAddress

    emails = {user.email.lower()} | {
        e.lower()
        for e in EmailAddress.objects.filter(user=user).values_list("email", flat=True)
    }
    # Invitations addressed to the user hold his email address; the ones he sent keep
    # working for their recipients (invited_by becomes empty with the User row).
    Invitation.objects.filter(Q(email__in=emails) | Q(accepted_by=user)).delete()
    # An organization nobody else belongs to would be unreachable: it goes too.
    for organization in sole_member_organizations(user):
        organization.delete()
    # The organizations he stays a member of until his User row goes learn that an
    # account was erased, under a pseudonymous reference (no email, not the id).
    reference = erased_user_reference(user)
    for organization in Organization.objects.filter(
        pk__in=Membership.objects.of_user(user).values("organization_id")
    ):
        audit_record(
            action="membership.account_erased",
            organization=organization,
            data={"user": reference},
        )
