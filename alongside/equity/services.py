"""Writes of the equity app: analyst grants, settings, payroll uploads and reports.

Salary rules kept here (see README.md):
- the raw file lives only in `upload_root()` under a random name, never under MEDIA_ROOT;
- nothing is computed or stored from a file with blocking errors;
- the file is deleted once its report is computed, unless the organization keeps files;
- engine failures are re-raised as `EngineFailure` with no value and no chained cause,
  so neither logs nor Django's error report can show a cell of the payroll.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
from datetime import date, datetime
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext
from django.views.decorators.debug import sensitive_variables

from alongside.audit.services import audit_record
from alongside.equity import differencing, paygap
from alongside.equity.models import (
    AnalystGrant,
    EquitySettings,
    PayGapReport,
    PayrollUpload,
    ReportKind,
    UploadGone,
    UploadKind,
    UploadStatus,
    engine_call,
    k_lowering_delay,
    upload_root,
)
from alongside.organizations.services import program_admins_notify

if TYPE_CHECKING:
    from alongside.accounts.models import User
    from alongside.organizations.models import Organization

logger = logging.getLogger("alongside.equity")


class UploadRejected(Exception):
    """The file has blocking problems; `validation` lists them all."""

    def __init__(self, validation: paygap.ValidationResult) -> None:
        super().__init__("The payroll file has blocking problems.")
        self.validation = validation


class NearDuplicateReport(Exception):
    """Another report of the organization of the same period differs from this
    one by fewer than k people in some published cell: publishing both would let anyone
    with the two work those people out (differencing.py). Nothing is stored."""

    def __init__(self, earlier: PayGapReport, clash: differencing.Clash) -> None:
        super().__init__("A report of the same period differs by a few people.")
        self.earlier = earlier
        self.clash = clash


# Access and settings --------------------------------------------------------------------


def analyst_grant(
    organization: Organization,
    user: User,
    *,
    actor: User,
    request: HttpRequest | None = None,
) -> AnalystGrant:
    with transaction.atomic():
        grant, created = AnalystGrant.objects.get_or_create(
            organization=organization, user=user, defaults={"granted_by": actor}
        )
        if created:
            audit_record(
                action="equity.analyst_granted",
                actor=actor,
                organization=organization,
                target=user,
                request=request,
            )
    return grant


def analyst_revoke(
    grant: AnalystGrant, *, actor: User, request: HttpRequest | None = None
) -> None:
    with transaction.atomic():
        audit_record(
            action="equity.analyst_revoked",
            actor=actor,
            organization=grant.organization,
            target=grant.user,
            request=request,
        )
        grant.delete()


def settings_update(
    equity_settings: EquitySettings,
    *,
    min_group_size: int,
    keep_payroll_rows: bool,
    actor: User,
    request: HttpRequest | None = None,
) -> int:
    """Save the settings; turning file keeping off deletes every kept file.

    k: raising it (or keeping it) takes effect at once and cancels a pending lowering;
    lowering it is only scheduled, `k_lowering_delay()` from now, and announced to every
    program admin (in the app and by email). Reports already generated keep the k they
    were made with either way (display.report_k).

    Return the number of kept files deleted.
    """
    deleted = 0
    with transaction.atomic():
        equity_settings = EquitySettings.objects.select_for_update().get(
            pk=equity_settings.pk
        )
        equity_settings.settle()
        before = (
            equity_settings.min_group_size,
            equity_settings.pending_min_group_size,
            equity_settings.keep_payroll_rows,
        )
        in_force = equity_settings.min_group_size
        announce = False
        if min_group_size < in_force:
            if equity_settings.pending_min_group_size != min_group_size:
                # A new lowering (or another value): the clock starts again.
                equity_settings.pending_min_group_size = min_group_size
                equity_settings.pending_from = timezone.now() + k_lowering_delay()
                equity_settings.pending_requested_by = actor
                announce = True
        else:
            if equity_settings.has_pending_lowering:
                audit_record(
                    action="equity.k_lowering_cancelled",
                    actor=actor,
                    organization=equity_settings.organization,
                    data={"min_group_size": equity_settings.pending_min_group_size},
                    request=request,
                )
            equity_settings.min_group_size = min_group_size
            equity_settings.pending_min_group_size = None
            equity_settings.pending_from = None
            equity_settings.pending_requested_by = None
        equity_settings.keep_payroll_rows = keep_payroll_rows
        equity_settings.save()
        if not keep_payroll_rows:
            for upload in PayrollUpload.objects.for_organization(
                equity_settings.organization
            ).filter(status=UploadStatus.COMPUTED):
                if upload.stored_name:
                    upload.delete_file()
                    deleted += 1
        after = (
            equity_settings.min_group_size,
            equity_settings.pending_min_group_size,
            equity_settings.keep_payroll_rows,
        )
        if before != after:
            audit_record(
                action="equity.settings_changed",
                actor=actor,
                organization=equity_settings.organization,
                data={
                    "min_group_size": equity_settings.min_group_size,
                    "pending_min_group_size": equity_settings.pending_min_group_size,
                    "keep_payroll_rows": keep_payroll_rows,
                    "kept_files_deleted": deleted,
                },
                request=request,
            )
        if announce:
            _k_lowering_announce(equity_settings, in_force=in_force, actor=actor)
            audit_record(
                action="equity.k_lowering_scheduled",
                actor=actor,
                organization=equity_settings.organization,
                data={
                    "from": in_force,
                    "to": min_group_size,
                    "takes_effect": (
                        equity_settings.pending_from.isoformat()
                        if equity_settings.pending_from
                        else ""
                    ),
                },
                request=request,
            )
    return deleted


def _k_lowering_announce(
    equity_settings: EquitySettings, *, in_force: int, actor: User
) -> int:
    """Tell every program admin of the organization, in the app and by email."""
    organization = equity_settings.organization
    when = equity_settings.pending_from
    assert when is not None
    message = gettext(
        "%(name)s asked to lower the smallest group shown in pay-gap reports "
        "(k) from %(before)s to %(after)s. It takes effect on %(date)s unless a "
        "program admin raises it again first. Reports already made keep their k."
    ) % {
        "name": actor.name,
        "before": in_force,
        "after": equity_settings.pending_min_group_size,
        "date": formats.date_format(timezone.localtime(when), "j F Y, H:i"),
    }
    return program_admins_notify(
        organization=organization,
        message=message,
        url=reverse("equity:settings", kwargs={"org": organization.slug}),
        email_template="equity/email/k_lowering",
        email_context={
            "requested_by": actor.name,
            "before": in_force,
            "after": equity_settings.pending_min_group_size,
            "takes_effect": when,
        },
    )


# Uploads --------------------------------------------------------------------------------


def upload_store(
    organization: Organization,
    uploaded_file: UploadedFile[Any],
    *,
    kind: str,
    actor: User,
    request: HttpRequest | None = None,
) -> PayrollUpload:
    """Write the file privately (mode 0600, random name) and record the upload."""
    suffix = PurePath(uploaded_file.name or "").suffix.lower()
    root = upload_root()
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    stored_name = f"{secrets.token_hex(16)}{suffix}"
    path = root / stored_name
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in uploaded_file.chunks():
                out.write(chunk)
        with transaction.atomic():
            upload = PayrollUpload.objects.create(
                organization=organization,
                uploaded_by=actor,
                kind=kind if kind in UploadKind.values else UploadKind.PAYROLL,
                original_name=PurePath(uploaded_file.name or "payroll").name[:200],
                stored_name=stored_name,
                size=uploaded_file.size or 0,
            )
            audit_record(
                action="equity.payroll_uploaded",
                actor=actor,
                organization=organization,
                target=upload,
                data={"kind": upload.kind, "size": upload.size},
                request=request,
            )
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return upload


def upload_discard(upload: PayrollUpload) -> None:
    """Delete an unfinished upload and its file."""
    upload.delete_file()
    upload.delete()


def upload_map(
    upload: PayrollUpload, columns: dict[str, str], gender_values: dict[str, str]
) -> None:
    mapping = paygap.ColumnMapping(columns=columns, gender_values=gender_values)
    upload.mapping = json.loads(mapping.to_json())
    upload.status = UploadStatus.MAPPED
    upload.save(update_fields=["mapping", "status"])


@sensitive_variables()
def report_compute(
    upload: PayrollUpload,
    *,
    title: str,
    snapshot_date: date,
    level_order: list[str] | None,
    actor: User,
    request: HttpRequest | None = None,
    replace: PayGapReport | None = None,
) -> PayGapReport:
    """Validate again, compute, store the figures; delete the raw file unless kept.

    Raises UploadRejected when the file has blocking errors, and NearDuplicateReport
    when a report of the organization of the same period (snapshot dates fewer than
    `same_period_days()` apart) differs from this one by fewer than k people in a
    published cell: nothing is stored then. `replace` (a report of the same
    organization and period) is deleted in the same transaction, so the two are never
    readable side by side.
    """
    path = upload.path
    if path is None or not path.exists():
        raise UploadGone
    mapping = upload.column_mapping()
    organization = upload.organization
    equity_settings = EquitySettings.for_organization(organization)
    figures: dict[str, Any] = {}
    counts: dict[str, Any] = {}
    kind = ReportKind.PAYGAP
    if upload.kind == UploadKind.REPRESENTATION:
        validation = upload.validate()
        if not validation.ok:
            raise UploadRejected(validation)
        kind = ReportKind.REPRESENTATION
    else:
        try:
            validation, result = engine_call("computing", paygap.analyse, path, mapping)
        except paygap.PayrollInvalid as invalid:
            raise UploadRejected(invalid.validation) from None
        if not validation.ok or result is None:
            raise UploadRejected(validation)
        data = result.as_dict()
        counts = data.get("counts", {})
        figures = {key: value for key, value in data.items() if key != "counts"}
    representation = None
    if mapping.columns.get("level"):
        try:
            rep = engine_call(
                "computing representation",
                paygap.compute_representation,
                path,
                mapping,
                level_order=level_order or None,
                leadership_levels=1,
            )
        except paygap.PayrollInvalid as invalid:
            raise UploadRejected(invalid.validation) from None
        representation = rep.as_dict()
    with transaction.atomic():
        # One check at a time per organization: two uploads computed at once must not
        # both pass the check against each other's absence.
        equity_settings = EquitySettings.objects.select_for_update().get(
            pk=equity_settings.pk
        )
        k = equity_settings.effective_k
        if (
            replace is not None
            and not PayGapReport.objects.for_organization(organization)
            .same_period(snapshot_date)
            .filter(pk=replace.pk)
            .exists()
        ):
            replace = None
        _near_duplicates_refuse(
            organization,
            snapshot_date,
            differencing.published_cells(figures, counts, representation),
            k,
            replace,
        )
        if replace is not None:
            _report_replaced_delete(replace, actor=actor, request=request)
        report = PayGapReport.objects.create(
            organization=organization,
            created_by=actor,
            kind=kind,
            title=title,
            snapshot_date=snapshot_date,
            figures=figures,
            counts=counts,
            representation=representation,
            k_used=k,
            upload=upload,
        )
        upload.status = UploadStatus.COMPUTED
        upload.save(update_fields=["status"])
        audit_record(
            action="equity.report_created",
            actor=actor,
            organization=organization,
            target=report,
            data={"kind": kind, "kept_file": equity_settings.keep_payroll_rows},
            request=request,
        )
    if not equity_settings.keep_payroll_rows:
        upload.delete_file()
    return report


def _near_duplicates_refuse(
    organization: Organization,
    snapshot_date: date,
    cells: differencing.Cells,
    k: int,
    replace: PayGapReport | None,
) -> None:
    earlier_reports = PayGapReport.objects.for_organization(organization).same_period(
        snapshot_date
    )
    if replace is not None:
        earlier_reports = earlier_reports.exclude(pk=replace.pk)
    for earlier in earlier_reports.order_by("created_at", "pk"):
        found = differencing.isolating_cells(
            differencing.published_cells(
                earlier.figures, earlier.counts, earlier.representation
            ),
            cells,
            max(k, earlier.k_used),
        )
        if found:
            raise NearDuplicateReport(
                earlier, differencing.Clash(earlier.pk, tuple(found))
            )


def _report_replaced_delete(
    report: PayGapReport, *, actor: User, request: HttpRequest | None
) -> None:
    _report_remove(
        report, action="equity.report_replaced", actor=actor, request=request
    )


def report_delete(
    report: PayGapReport, *, actor: User, request: HttpRequest | None = None
) -> None:
    with transaction.atomic():
        _report_remove(
            report, action="equity.report_deleted", actor=actor, request=request
        )


def _report_remove(
    report: PayGapReport, *, action: str, actor: User, request: HttpRequest | None
) -> None:
    """Audit, then delete the report with its upload and the upload's file."""
    audit_record(
        action=action,
        actor=actor,
        organization=report.organization,
        data={"title": report.title, "snapshot_date": str(report.snapshot_date)},
        request=request,
    )
    upload = report.upload
    report.delete()
    if upload is not None:
        upload.delete_file()
        upload.delete()


def report_export_record(
    report: PayGapReport, *, actor: User, request: HttpRequest | None = None
) -> None:
    audit_record(
        action="equity.report_exported",
        actor=actor,
        organization=report.organization,
        target=report,
        request=request,
    )


def upload_clean_abandoned(now: datetime | None = None) -> int:
    """Delete uploads (and their files) that never became a report within 24 hours."""
    count = 0
    for upload in PayrollUpload.objects.abandoned(now or timezone.now()):
        upload_discard(upload)
        count += 1
    # Files whose row is gone (a crash between writing and recording) go too.
    root = upload_root()
    if root.exists():
        known = set(
            PayrollUpload.objects.exclude(stored_name="").values_list(
                "stored_name", flat=True
            )
        )
        cutoff = (now or timezone.now()).timestamp() - 24 * 3600
        for path in root.iterdir():
            if (
                path.is_file()
                and path.name not in known
                and path.stat().st_mtime < cutoff
            ):
                path.unlink(missing_ok=True)
                count += 1
    if count:
        logger.info("equity: deleted %s abandoned payroll upload(s)", count)
    return count
