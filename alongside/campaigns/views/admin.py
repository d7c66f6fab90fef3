"""Program admins' pages: the campaign list, the form, the dashboard, the preview,
publishing and closing, and the signatures' CSV export."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import (
    HttpResponse,
    HttpResponseNotAllowed,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from alongside.audit.services import audit_record
from alongside.campaigns import services, stats
from alongside.campaigns.forms import CampaignForm, SignatureForm
from alongside.campaigns.models import Campaign, Signature
from alongside.campaigns.views.public import public_context
from alongside.lib.pagination import paginate
from alongside.organizations.access import (
    OrgHttpRequest,
    admin_required,
)


def _admin_context(request: OrgHttpRequest, **extra: Any) -> dict[str, Any]:
    return {
        "organization": request.organization,
        "membership": request.membership,
        **extra,
    }


def _get_campaign(request: OrgHttpRequest, pk: int) -> Campaign:
    return get_object_or_404(
        Campaign.objects.for_organization(request.organization).select_related(
            "organization"
        ),
        pk=pk,
    )


@admin_required
def admin_list(request: OrgHttpRequest) -> HttpResponse:
    campaigns = Campaign.objects.for_organization(request.organization)
    return render(
        request,
        "campaigns/admin_list.html",
        _admin_context(request, page_obj=paginate(request, campaigns)),
    )


@admin_required
def campaign_create(request: OrgHttpRequest) -> HttpResponse:
    return _campaign_form(request, Campaign(organization=request.organization))


@admin_required
def campaign_edit(request: OrgHttpRequest, pk: int) -> HttpResponse:
    return _campaign_form(request, _get_campaign(request, pk))


def _campaign_form(request: OrgHttpRequest, campaign: Campaign) -> HttpResponse:
    form = CampaignForm(request.POST or None, request.FILES or None, instance=campaign)
    if request.method == "POST" and form.is_valid():
        services.campaign_save(
            campaign=form.instance, actor=request.user, request=request
        )
        messages.success(request, _("The campaign is saved."))
        return redirect(form.instance.get_admin_url())
    return render(
        request,
        "campaigns/campaign_form.html",
        _admin_context(request, form=form, campaign=campaign),
        status=400 if form.is_bound else 200,
    )


@admin_required
def dashboard(request: OrgHttpRequest, pk: int) -> HttpResponse:
    campaign = _get_campaign(request, pk)
    return render(
        request,
        "campaigns/dashboard.html",
        _admin_context(
            request,
            campaign=campaign,
            timeline=stats.timeline(campaign),
            genders=stats.gender_breakdown(campaign),
            countries=stats.by_country(campaign),
            conversion=stats.conversion(campaign),
            pending=stats.pending_count(campaign),
            public_url=request.build_absolute_uri(campaign.get_absolute_url()),
            widget_url=request.build_absolute_uri(
                reverse("campaigns:widget", kwargs={"campaign": campaign.slug})
            ),
        ),
    )


@admin_required
def preview(request: OrgHttpRequest, pk: int) -> HttpResponse:
    campaign = _get_campaign(request, pk)
    context = public_context(
        request, campaign, form=SignatureForm(campaign=campaign), preview=True
    )
    context.update(_admin_context(request))
    return render(request, "campaigns/public/campaign.html", context)


def _lifecycle(request: OrgHttpRequest, pk: int, *, step: str) -> HttpResponse:
    campaign = _get_campaign(request, pk)
    if request.method not in {"GET", "HEAD", "POST"}:
        return HttpResponseNotAllowed(["GET", "POST"])
    error = ""
    if request.method == "POST":
        act = (
            services.campaign_publish if step == "publish" else services.campaign_close
        )
        try:
            act(campaign=campaign, actor=request.user, request=request)
        except ValidationError as e:
            error = " ".join(e.messages)
        else:
            messages.success(
                request,
                _("The campaign is published.")
                if step == "publish"
                else _("The campaign is closed."),
            )
            return redirect(campaign.get_admin_url())
    return render(
        request,
        "campaigns/campaign_step.html",
        _admin_context(request, campaign=campaign, step=step, error=error),
        status=409 if error else 200,
    )


@admin_required
def publish(request: OrgHttpRequest, pk: int) -> HttpResponse:
    return _lifecycle(request, pk, step="publish")


@admin_required
def close(request: OrgHttpRequest, pk: int) -> HttpResponse:
    return _lifecycle(request, pk, step="close")


class _Echo:
    def write(self, value: str) -> str:
        return value


FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")


def csv_safe(value: object) -> str:
    """A cell a spreadsheet shows as text, never runs as a formula (CSV injection)."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


# No gender: how a signer signs is self-described, asked only to be counted, and the
# dashboard has the aggregate (docs/campaigns.md). A per-person export would hand every
# signer's gender, "another gender" included, to whoever downloads it.
EXPORT_COLUMNS = (
    "email",
    "first_name",
    "show_name",
    "country",
    "signed_at",
    "confirmed_at",
    "converted_at",
)


def export_rows(campaign: Campaign, *, chunk_size: int = 2000) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(EXPORT_COLUMNS)
    rows = (
        Signature.objects.for_campaign(campaign)
        .order_by("pk")
        .values_list(
            "normalized_email",
            "first_name",
            "show_name",
            "country",
            "created_at",
            "confirmed_at",
            "converted_at",
        )
        .iterator(chunk_size=chunk_size)
    )
    for email, name, show, country, signed, confirmed, converted in rows:
        yield writer.writerow(
            [
                csv_safe(email),
                csv_safe(name),
                "yes" if show else "no",
                csv_safe(country),
                signed.isoformat(),
                confirmed.isoformat() if confirmed else "",
                converted.isoformat() if converted else "",
            ]
        )


@admin_required
def export(request: OrgHttpRequest, pk: int) -> HttpResponse:
    campaign = _get_campaign(request, pk)
    audit_record(
        action="campaign.exported",
        actor=request.user,
        organization=request.organization,
        target=campaign,
        request=request,
    )
    response: Any = StreamingHttpResponse(
        export_rows(campaign), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="signatures-{campaign.slug}.csv"'
    )
    response["Cache-Control"] = "private, no-store"
    return cast(HttpResponse, response)
