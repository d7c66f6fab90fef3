"""Objects of the equity pay-gap routes for the cross-organization sweep."""

from __future__ import annotations

from datetime import date
from typing import Any

KWARG_OBJECTS = {
    "report_id": "equity_report",
    "upload_id": "equity_upload",
    "grant_id": "equity_analyst_grant",
}


def create_objects(case: Any) -> dict[str, int]:
    from alongside.equity.models import AnalystGrant, PayGapReport, PayrollUpload

    report = PayGapReport.objects.create(
        organization=case.org,
        created_by=case.paula,
        title="CANARY-N pay gap",
        snapshot_date=date(2026, 4, 5),
        figures={},
        representation={},
    )
    upload = PayrollUpload.objects.create(
        organization=case.org, uploaded_by=case.paula, original_name="CANARY-N.csv"
    )
    grant = AnalystGrant.objects.create(
        organization=case.org, user=case.alice, granted_by=case.paula
    )
    return {
        "equity_report": report.pk,
        "equity_upload": upload.pk,
        "equity_analyst_grant": grant.pk,
    }
