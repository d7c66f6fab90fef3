from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from alongside.lib.http import AuthenticatedHttpRequest
from alongside.lib.pagination import paginate
from alongside.organizations.access import (
    OrgHttpRequest,
    admin_required,
    get_membership,
    member_required,
)
from alongside.organizations.models import Membership, Organization


def _context(request: OrgHttpRequest, **extra: object) -> dict[str, object]:
    return {
        "organization": request.organization,
        "membership": request.membership,
        **extra,
    }


@member_required
def home(request: OrgHttpRequest) -> HttpResponse:
    return render(request, "organizations/home.html", _context(request))


@member_required
def members(request: OrgHttpRequest) -> HttpResponse:
    qs = (
        Membership.objects.for_organization(request.organization)
        .active()
        .select_related("user")
        .order_by("user__display_name", "user__email")
    )
    return render(
        request,
        "organizations/members.html",
        _context(request, page_obj=paginate(request, qs, 30)),
    )


@admin_required
def admin(request: OrgHttpRequest) -> HttpResponse:
    return render(request, "organizations/admin.html", _context(request))


def mfa_required(request: AuthenticatedHttpRequest, org: str) -> HttpResponse:
    membership = get_membership(request.user, org)
    return render(
        request,
        "organizations/mfa_required.html",
        {"organization": membership.organization, "membership": membership},
    )


def join_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    joined = Membership.objects.filter(user=request.user).values("organization_id")
    domain = request.user.email.rsplit("@", 1)[-1].lower()
    candidates = [
        o
        for o in Organization.objects.exclude(id__in=joined).exclude(join_domains="")
        if domain in o.join_domain_list()
    ]
    return render(request, "organizations/join_list.html", {"candidates": candidates})
