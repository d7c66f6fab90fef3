"""Pay-gap and representation pages, HR analysts and settings.

Every salary page goes through `equity_required` (program admins and HR analysts; others
404) and is marked never-cache. Views are thin: writes are in services.py, figures for
display (rounding, suppression, charts) in display.py.
"""

from __future__ import annotations

import logging
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import formats, timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from alongside.equity import display, paygap, pdf, services
from alongside.equity.access import equity_required
from alongside.equity.forms.paygap import (
    ComputeForm,
    DeleteReportForm,
    EquitySettingsForm,
    GrantAnalystForm,
    MappingForm,
    UploadForm,
    gender_field_name,
)
from alongside.equity.models import (
    AnalystGrant,
    EngineFailure,
    EquitySettings,
    PayGapReport,
    PayrollUpload,
    ReportKind,
    UploadGone,
    UploadKind,
    UploadStatus,
    same_period_days,
)
from alongside.lib.pagination import paginate
from alongside.organizations.access import OrgHttpRequest, admin_required
from alongside.organizations.models import Membership

logger = logging.getLogger("alongside.equity")


def _context(request: OrgHttpRequest, **extra: Any) -> dict[str, Any]:
    return {
        "organization": request.organization,
        "membership": request.membership,
        "is_equity_admin": getattr(request, "is_equity_admin", False),
        **extra,
    }


def _k(request: OrgHttpRequest) -> int:
    return EquitySettings.for_organization(request.organization).effective_k


def _engine_error(request: OrgHttpRequest, err: EngineFailure) -> HttpResponse:
    # The message names the step and an exception class, never a value from the file.
    logger.error("equity: %s (organization %s)", err, request.organization.pk)
    return render(request, "equity/engine_error.html", _context(request), status=500)


def _upload_error(
    request: OrgHttpRequest, upload: PayrollUpload, err: EngineFailure
) -> HttpResponse:
    if isinstance(err, UploadGone):
        logger.warning(
            "equity: upload %s has no file (organization %s)",
            upload.pk,
            request.organization.pk,
        )
        return render(
            request,
            "equity/upload_gone.html",
            _context(request, upload=upload),
            status=410,
        )
    return _engine_error(request, err)


def _get_upload(request: OrgHttpRequest, upload_id: int) -> PayrollUpload:
    return get_object_or_404(
        PayrollUpload,
        pk=upload_id,
        organization=request.organization,
        status__in=(UploadStatus.UPLOADED, UploadStatus.MAPPED),
    )


def _get_report(request: OrgHttpRequest, report_id: int) -> PayGapReport:
    return get_object_or_404(
        PayGapReport.objects.select_related("upload", "created_by"),
        pk=report_id,
        organization=request.organization,
    )


# Reports and history -------------------------------------------------------------------


@never_cache
@equity_required
def reports(request: OrgHttpRequest) -> HttpResponse:
    k = _k(request)
    queryset = PayGapReport.objects.for_organization(request.organization).pay_gap()
    page = paginate(request, queryset, per_page=10)
    try:
        trend = display.median_gap_trend(list(queryset[:12]), k)
    except EngineFailure as err:
        return _engine_error(request, err)
    pending = PayrollUpload.objects.for_organization(request.organization).pending()
    return render(
        request,
        "equity/reports.html",
        _context(request, page_obj=page, trend=trend, k=k, pending=pending[:5]),
    )


@never_cache
@equity_required
def report_detail(request: OrgHttpRequest, report_id: int) -> HttpResponse:
    report = _get_report(request, report_id)
    if report.kind == ReportKind.REPRESENTATION:
        return redirect(
            "equity:representation_detail",
            org=request.organization.slug,
            report_id=report.pk,
        )
    k = _k(request)
    try:
        view = display.pay_gap_view(report, k)
    except EngineFailure as err:
        return _engine_error(request, err)
    return render(
        request,
        "equity/report_detail.html",
        _context(request, report=report, k=view.k, view=view),
    )


@never_cache
@equity_required
def report_pdf(request: OrgHttpRequest, report_id: int) -> HttpResponse:
    report = _get_report(request, report_id)
    k = _k(request)
    try:
        content = pdf.render_report(report, k, request.organization.name)
    except EngineFailure as err:
        return _engine_error(request, err)
    services.report_export_record(report, actor=request.user, request=request)
    response = HttpResponse(content, content_type="application/pdf")
    filename = slugify(f"{report.title}-{report.snapshot_date}") or "pay-gap-report"
    response["Content-Disposition"] = f'attachment; filename="{filename}.pdf"'
    return response


@never_cache
@equity_required
def report_delete(request: OrgHttpRequest, report_id: int) -> HttpResponse:
    report = _get_report(request, report_id)
    form = DeleteReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        kind = report.kind
        services.report_delete(report, actor=request.user, request=request)
        messages.success(request, _("The report was deleted."))
        target = (
            "equity:representation"
            if kind == ReportKind.REPRESENTATION
            else "equity:reports"
        )
        return redirect(target, org=request.organization.slug)
    return render(
        request,
        "equity/report_delete.html",
        _context(request, report=report, form=form),
    )


# Upload → map → check → report -------------------------------------------------------------


@never_cache
@equity_required
def upload(request: OrgHttpRequest) -> HttpResponse:
    initial = {"kind": request.GET.get("kind", UploadKind.PAYROLL)}
    form = UploadForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        stored = services.upload_store(
            request.organization,
            form.cleaned_data["file"],
            kind=form.cleaned_data["kind"],
            actor=request.user,
            request=request,
        )
        return redirect(
            "equity:upload_map", org=request.organization.slug, upload_id=stored.pk
        )
    settings_ = EquitySettings.for_organization(request.organization)
    return render(
        request,
        "equity/upload.html",
        _context(request, form=form, equity_settings=settings_),
    )


def _field_spec(upload: PayrollUpload) -> list[tuple[str, str, str, bool]]:
    if upload.kind == UploadKind.REPRESENTATION:
        names = [f for f in paygap.FIELDS if f.name in paygap.REPRESENTATION_REQUIRED]
        return [(f.name, _(f.label), _(f.help), True) for f in names]
    # The engine's labels are English; gettext lets a catalogue translate them.
    return [
        (f.name, _(f.label), _(f.help), f.name in paygap.PAYGAP_REQUIRED)
        for f in paygap.FIELDS
    ]


@never_cache
@sensitive_post_parameters()
@equity_required
def upload_map(request: OrgHttpRequest, upload_id: int) -> HttpResponse:
    upload_obj = _get_upload(request, upload_id)
    try:
        headers = upload_obj.headers()
    except EngineFailure as err:
        return _upload_error(request, upload_obj, err)
    if not headers:
        return render(
            request,
            "equity/upload_unreadable.html",
            _context(request, upload=upload_obj),
            status=400,
        )
    spec = _field_spec(upload_obj)
    stored = upload_obj.column_mapping() if upload_obj.mapping else None
    suggested = stored or paygap.suggest_mapping(headers)
    columns = {n: c for n, c in suggested.columns.items() if c in headers}
    gender_column = request.POST.get("col_gender") or columns.get("gender", "")
    if gender_column not in headers:
        gender_column = ""
    shown_column = request.POST.get("gender_column_shown", "")
    try:
        values = upload_obj.gender_values(gender_column) if gender_column else []
    except EngineFailure as err:
        return _upload_error(request, upload_obj, err)
    gender_suggestion = (stored.gender_values if stored else {}) or (
        paygap.suggest_gender_values(values)
    )
    initial: dict[str, Any] = {f"col_{n}": c for n, c in columns.items()}
    for value in values:
        if value in gender_suggestion:
            initial[gender_field_name(value)] = gender_suggestion[value]
    bound = request.method == "POST" and shown_column == gender_column
    form = MappingForm(
        request.POST if bound else None,
        initial=initial,
        fields_spec=spec,
        headers=headers,
        gender_values=values,
    )
    if request.method == "POST" and not bound:
        messages.info(
            request,
            _(
                "The gender column changed: say what each of its values means, then continue."
            ),
        )
    if bound and form.is_valid():
        services.upload_map(upload_obj, form.columns(), form.gender_mapping())
        return redirect(
            "equity:upload_check",
            org=request.organization.slug,
            upload_id=upload_obj.pk,
        )
    return render(
        request,
        "equity/upload_map.html",
        _context(
            request,
            upload=upload_obj,
            form=form,
            headers=headers,
            gender_column=gender_column,
        ),
    )


@never_cache
@equity_required
def upload_check(request: OrgHttpRequest, upload_id: int) -> HttpResponse:
    upload_obj = _get_upload(request, upload_id)
    if not upload_obj.mapping:
        return redirect(
            "equity:upload_map", org=request.organization.slug, upload_id=upload_obj.pk
        )
    try:
        validation = upload_obj.validate()
        levels = upload_obj.level_values() if validation.ok else None
    except EngineFailure as err:
        return _upload_error(request, upload_obj, err)
    has_warnings = bool(validation.warnings)
    initial = {"level_order": "\n".join(levels or [])}
    replace_id = request.POST.get("replace_report", "")
    replaceable = (
        PayGapReport.objects.for_organization(request.organization)
        .filter(pk=int(replace_id))
        .first()
        if replace_id.isdigit()
        else None
    )
    form = ComputeForm(
        request.POST or None,
        initial=initial,
        has_warnings=has_warnings,
        levels=levels,
        replaceable=replaceable,
    )
    status = 200 if validation.ok else 422
    clash: services.NearDuplicateReport | None = None
    if request.method == "POST" and validation.ok and form.is_valid():
        try:
            report = services.report_compute(
                upload_obj,
                title=form.cleaned_data["title"],
                snapshot_date=form.cleaned_data["snapshot_date"],
                level_order=form.cleaned_data.get("level_order") or None,
                actor=request.user,
                request=request,
                replace=replaceable if form.cleaned_data.get("replace") else None,
            )
        except services.UploadRejected as rejected:
            validation = rejected.validation
            status = 422
        except services.NearDuplicateReport as refused:
            clash = refused
            status = 409
            form = ComputeForm(
                request.POST,
                initial=initial,
                has_warnings=has_warnings,
                levels=levels,
                replaceable=refused.earlier,
            )
            form.is_valid()
        except EngineFailure as err:
            return _upload_error(request, upload_obj, err)
        else:
            messages.success(request, _("The report is ready."))
            name = (
                "equity:representation_detail"
                if report.kind == ReportKind.REPRESENTATION
                else "equity:report_detail"
            )
            return redirect(name, org=request.organization.slug, report_id=report.pk)
    return render(
        request,
        "equity/upload_check.html",
        _context(
            request,
            upload=upload_obj,
            validation=validation,
            problems=display.problems_view(validation),
            form=form,
            clash=clash,
            k=_k(request),
            period_days=same_period_days(),
            keep_files=EquitySettings.for_organization(
                request.organization
            ).keep_payroll_rows,
        ),
        status=status,
    )


@never_cache
@equity_required
def upload_discard(request: OrgHttpRequest, upload_id: int) -> HttpResponse:
    upload_obj = _get_upload(request, upload_id)
    if request.method == "POST":
        services.upload_discard(upload_obj)
        messages.success(request, _("The upload and its file were deleted."))
        return redirect("equity:reports", org=request.organization.slug)
    return render(
        request, "equity/upload_discard.html", _context(request, upload=upload_obj)
    )


# Representation ---------------------------------------------------------------------------


@never_cache
@equity_required
def representation(request: OrgHttpRequest) -> HttpResponse:
    k = _k(request)
    queryset = PayGapReport.objects.for_organization(
        request.organization
    ).with_representation()
    page = paginate(request, queryset, per_page=10)
    latest = queryset.first()
    try:
        view = display.representation_view(latest, k) if latest else None
        trend = display.leadership_trend(list(queryset[:12]), k)
    except EngineFailure as err:
        return _engine_error(request, err)
    return render(
        request,
        "equity/representation.html",
        _context(request, page_obj=page, k=k, latest=latest, view=view, trend=trend),
    )


@never_cache
@equity_required
def representation_detail(request: OrgHttpRequest, report_id: int) -> HttpResponse:
    report = _get_report(request, report_id)
    if report.representation is None:
        raise Http404
    k = _k(request)
    try:
        view = display.representation_view(report, k)
    except EngineFailure as err:
        return _engine_error(request, err)
    return render(
        request,
        "equity/representation_detail.html",
        _context(request, report=report, k=view["k"] if view else k, view=view),
    )


# HR analysts and settings (program admins only) -----------------------------------------


@admin_required
def analysts(request: OrgHttpRequest) -> HttpResponse:
    grants = AnalystGrant.objects.for_organization(request.organization).select_related(
        "user", "granted_by"
    )
    granted_ids = {g.user_id for g in grants}
    candidates = [
        (m.user_id, m.user.name)
        for m in Membership.objects.for_organization(request.organization)
        .active()
        .select_related("user")
        .order_by("user__display_name", "user_id")
        if m.user_id not in granted_ids and not m.is_program_admin
    ]
    form = GrantAnalystForm(request.POST or None, candidates=candidates)
    if request.method == "POST" and form.is_valid():
        membership = get_object_or_404(
            Membership.objects.of(
                form.cleaned_data["user"], request.organization
            ).select_related("user")
        )
        services.analyst_grant(
            request.organization, membership.user, actor=request.user, request=request
        )
        messages.success(
            request,
            _("%(name)s is now an HR analyst.") % {"name": membership.user.name},
        )
        return redirect("equity:analysts", org=request.organization.slug)
    return render(
        request,
        "equity/analysts.html",
        _context(request, grants=grants, form=form, is_equity_admin=True),
    )


@admin_required
def analyst_revoke(request: OrgHttpRequest, grant_id: int) -> HttpResponse:
    grant = get_object_or_404(
        AnalystGrant.objects.select_related("user"),
        pk=grant_id,
        organization=request.organization,
    )
    if request.method == "POST":
        name = grant.user.name
        services.analyst_revoke(grant, actor=request.user, request=request)
        messages.success(
            request, _("%(name)s is no longer an HR analyst.") % {"name": name}
        )
        return redirect("equity:analysts", org=request.organization.slug)
    return render(
        request,
        "equity/analyst_revoke.html",
        _context(request, grant=grant, is_equity_admin=True),
    )


@admin_required
def equity_settings(request: OrgHttpRequest) -> HttpResponse:
    current = EquitySettings.for_organization(request.organization)
    form = EquitySettingsForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        deleted = services.settings_update(
            EquitySettings.objects.get(pk=current.pk),
            min_group_size=form.cleaned_data["min_group_size"],
            keep_payroll_rows=form.cleaned_data["keep_payroll_rows"],
            actor=request.user,
            request=request,
        )
        messages.success(request, _("The settings were saved."))
        saved = EquitySettings.objects.get(pk=current.pk)
        if (
            saved.has_pending_lowering
            and saved.pending_min_group_size == form.cleaned_data["min_group_size"]
        ):
            messages.info(
                request,
                _(
                    "Lowering k takes effect after a delay: %(k)s stays in force until "
                    "%(date)s. Every program admin has been told."
                )
                % {
                    "k": saved.min_group_size,
                    "date": formats.date_format(
                        timezone.localtime(saved.pending_from), "j F Y, H:i"
                    ),
                },
            )
        if deleted:
            messages.info(
                request,
                _("%(n)s kept payroll file(s) were deleted.") % {"n": deleted},
            )
        return redirect("equity:settings", org=request.organization.slug)
    return render(
        request,
        "equity/settings.html",
        _context(
            request,
            form=form,
            is_equity_admin=True,
            organization_k=request.organization.effective_min_group_size(),
            effective_k=current.effective_k,
            equity_settings=current,
        ),
    )
