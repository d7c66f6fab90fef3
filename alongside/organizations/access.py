"""The one door to an organization's pages: a member gets in, everyone else gets 404."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any, Concatenate

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.cache import add_never_cache_headers

from alongside.lib.http import AuthenticatedHttpRequest
from alongside.organizations.models import Membership, Organization

if TYPE_CHECKING:
    from alongside.accounts.models import User


class OrgHttpRequest(AuthenticatedHttpRequest):
    organization: Organization
    membership: Membership


def get_membership(user: User, slug: str) -> Membership:
    """Return the user's membership of the organization, or raise 404 (never 403)."""
    if not user.is_authenticated:
        raise Http404
    try:
        return Membership.objects.select_related("organization", "user").get(
            organization__slug=slug, user=user
        )
    except Membership.DoesNotExist:
        raise Http404 from None


def user_has_mfa(user: User) -> bool:
    from allauth.mfa.models import Authenticator

    has_totp: bool = Authenticator.objects.filter(
        user=user, type=Authenticator.Type.TOTP
    ).exists()
    return has_totp


type OrgView = Callable[Concatenate[OrgHttpRequest, ...], HttpResponse]


def member_required(view: OrgView) -> Callable[..., HttpResponse]:
    """Load `request.organization` and `request.membership` from the `org` URL slug."""

    @wraps(view)
    def wrapper(
        request: HttpRequest, org: str, *args: Any, **kwargs: Any
    ) -> HttpResponse:
        membership = get_membership(request.user, org)  # type: ignore[arg-type]
        request.organization = membership.organization  # type: ignore[attr-defined]
        request.membership = membership  # type: ignore[attr-defined]
        return view(request, *args, **kwargs)  # type: ignore[arg-type]

    wrapper.org_access = "member"  # type: ignore[attr-defined]
    return wrapper


def admin_required(view: OrgView) -> Callable[..., HttpResponse]:
    """Like member_required, for program admins only; enforces the organization's MFA rule.

    Members who are not admins get 404, as if the page did not exist.
    """

    @wraps(view)
    def wrapper(
        request: HttpRequest, org: str, *args: Any, **kwargs: Any
    ) -> HttpResponse:
        membership = get_membership(request.user, org)  # type: ignore[arg-type]
        if not membership.is_program_admin:
            raise Http404
        organization = membership.organization
        if organization.require_admin_mfa and not user_has_mfa(membership.user):
            return redirect("organizations:mfa_required", org=organization.slug)
        request.organization = organization  # type: ignore[attr-defined]
        request.membership = membership  # type: ignore[attr-defined]
        response = view(request, *args, **kwargs)  # type: ignore[arg-type]
        # Admin pages show members, invitations and the audit log: never cache them.
        add_never_cache_headers(response)
        return response

    # Tests find every admin page by this mark to check the MFA rule on each.
    wrapper.org_access = "admin"  # type: ignore[attr-defined]
    return wrapper
