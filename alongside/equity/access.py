"""Who may open workplace-equity pages: program admins and HR analysts of the organization.

`equity_required` reuses `admin_required` for program admins (same MFA rule, same 404 for
everyone else) and lets HR analysts in on the same terms. Every equity page is marked
never-cache: they show salary figures or job-ad drafts.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.cache import add_never_cache_headers

from alongside.organizations.access import (
    OrgHttpRequest,
    OrgView,
    admin_required,
    get_membership,
    user_has_mfa,
)


class EquityHttpRequest(OrgHttpRequest):
    is_equity_admin: bool


def is_hr_analyst(request_or_membership: Any) -> bool:
    from alongside.equity.models import AnalystGrant

    membership = getattr(request_or_membership, "membership", request_or_membership)
    return AnalystGrant.holds(membership.organization, membership.user)


def equity_required(view: OrgView) -> Callable[..., HttpResponse]:
    """Program admins (through `admin_required`) and HR analysts; others get 404.

    Sets `request.organization`, `request.membership` and `request.is_equity_admin`.
    HR analysts follow the organization's admin MFA rule too: they see salary figures.
    """

    def with_flag(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        request.is_equity_admin = True  # type: ignore[attr-defined]
        return view(request, *args, **kwargs)  # type: ignore[arg-type]

    as_admin = admin_required(with_flag)

    @wraps(view)
    def wrapper(
        request: HttpRequest, org: str, *args: Any, **kwargs: Any
    ) -> HttpResponse:
        membership = get_membership(request.user, org)  # type: ignore[arg-type]
        if membership.is_program_admin:
            return as_admin(request, org, *args, **kwargs)
        from alongside.equity.models import AnalystGrant

        organization = membership.organization
        if not AnalystGrant.holds(organization, membership.user):
            raise Http404
        if organization.require_admin_mfa and not user_has_mfa(membership.user):
            return redirect("organizations:mfa_required", org=organization.slug)
        request.organization = organization  # type: ignore[attr-defined]
        request.membership = membership  # type: ignore[attr-defined]
        request.is_equity_admin = False  # type: ignore[attr-defined]
        response = view(request, *args, **kwargs)  # type: ignore[arg-type]
        add_never_cache_headers(response)
        return response

    wrapper.org_access = "equity"  # type: ignore[attr-defined]
    return wrapper
