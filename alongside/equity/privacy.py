"""A member's equity data: the HR analyst roles they hold and the reports they created.

No payroll row is ever linked to a member account (uploaded files hold employee numbers,
not accounts), so nothing about anyone's pay is part of an export. Erasure removes the
roles; reports and uploads the person created stay with the organization, with the
creator set to nobody (the foreign keys are SET_NULL).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from alongside.equity.models import AnalystGrant, PayGapReport

if TYPE_CHECKING:
    from alongside.accounts.models import User


def export_user_data(user: User) -> dict[str, Any]:
    grants = AnalystGrant.objects.filter(user=user).select_related("organization")
    reports = PayGapReport.objects.filter(created_by=user).select_related(
        "organization"
    )
    return {
        "hr_analyst_roles": [
            {
                "organization": g.organization.name,
                "granted_at": g.created_at.isoformat(),
            }
            for g in grants
        ],
        "reports_created": [
            {
                "organization": r.organization.name,
                "title": r.title,
                "snapshot_date": r.snapshot_date.isoformat(),
                "created_at": r.created_at.isoformat(),
            }
            for r in reports
        ],
    }


def erase_user_data(user: User) -> None:
    AnalystGrant.objects.filter(user=user).delete()
