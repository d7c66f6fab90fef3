from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from alongside.accounts.models import User
from alongside.lib.pagination import paginate
from alongside.organizations.access import (
    OrgHttpRequest,
    admin_required,
    member_required,
)
from alongside.organizations.models import Membership, Organization
from alongside.pledges.models import Action, Pledge
from alongside.recognition import services
from alongside.recognition.badges import BADGE_RULES
from alongside.recognition.forms import BadgeRevokeForm, KudosForm
from alongside.recognition.models import BadgeAward, Kudos, target_title
from alongside.recognition.profiles import ally_profile_load, has_public_record
from alongside.recognition.visibility import visible_actions
from alongside.recognition.wall import wall_page


def _context(request: OrgHttpRequest, **extra: Any) -> dict[str, Any]:
    return {
        "organization": request.organization,
        "membership": request.membership,
        **extra,
    }


def _next_url(request: HttpRequest, default: str) -> str:
    """Where to go back to after a form: a same-site path from the form, or `default`."""
    candidate = request.POST.get("next", "")
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


@member_required
def wall(request: OrgHttpRequest) -> HttpResponse:
    page = wall_page(request, organization=request.organization, viewer=request.user)
    return render(request, "recognition/wall.html", _context(request, page_obj=page))


@login_not_required
def profile(request: HttpRequest, org: str, user_id: int) -> HttpResponse:
    """An ally's record: members of the organization see what they may see; anonymous
    visitors see the public part, if there is one; anyone else gets 404."""
    organization = get_object_or_404(Organization, slug=org)
    membership = get_object_or_404(
        Membership.objects.of(user_id, organization).select_related("user"),
        user__is_active=True,
    )
    member = membership.user
    viewer: User | None = None
    viewer_membership: Membership | None = None
    if request.user.is_authenticated:
        viewer = request.user
        viewer_membership = (
            Membership.objects.of(viewer, organization)
            .select_related("organization")
            .first()
        )
        if viewer_membership is None:
            raise Http404  # signed-in outsiders: cross-organization is always 404
    elif not has_public_record(member=member, organization=organization):
        raise Http404
    ally = ally_profile_load(
        member=member,
        organization=organization,
        viewer=viewer,
        viewer_is_member=viewer_membership is not None,
    )
    context: dict[str, Any] = {"ally": ally, "profile_organization": organization}
    if viewer_membership is not None:
        context |= {"organization": organization, "membership": viewer_membership}
    return render(request, "recognition/profile.html", context)


def _kudos(
    request: OrgHttpRequest,
    *,
    action: Action | None = None,
    pledge: Pledge | None = None,
) -> HttpResponse:
    target: Action | Pledge = action if action is not None else pledge  # type: ignore[assignment]
    kind = "action" if action is not None else "pledge"
    kudos_url = request.path
    given = Kudos.objects.filter(
        giver=request.user, action=action, pledge=pledge
    ).exists()
    form = KudosForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST" and not given:
        if form.is_valid():
            try:
                services.kudos_give(
                    giver=request.user,
                    organization=request.organization,
                    action=action,
                    pledge=pledge,
                    message=form.cleaned_data["message"],
                )
            except ValidationError as e:
                form.add_error(None, e)
            else:
                given = True
                if not request.htmx:
                    messages.success(
                        request,
                        _("You gave kudos to %(name)s.") % {"name": target.member.name},
                    )
        if not form.is_valid():
            status = 400
    if request.method == "POST" and given and not request.htmx:
        default = reverse("recognition:wall", kwargs={"org": request.organization.slug})
        return redirect(_next_url(request, default))
    context = _context(
        request,
        form=form,
        target=target,
        target_kind=kind,
        target_title=target_title(target),
        is_own=target.member_id == request.user.pk,
        kudos_url=kudos_url,
        kudos_kind=kind,
        kudos_pk=target.pk,
        kudos_given=given,
        kudos_errors=[e for errors in form.errors.values() for e in errors],
        kudos_message=form.data.get("message", "") if form.is_bound else "",
        kudos_next=request.POST.get("next", ""),
    )
    if request.htmx:
        # htmx swaps only 2xx answers: errors come back as 200 with the form and message.
        return render(request, "recognition/_kudos.html#kudos_inner", context)
    return render(request, "recognition/kudos.html", context, status=status)


@member_required
@require_http_methods(["GET", "POST"])
def kudos_action(request: OrgHttpRequest, action_id: int) -> HttpResponse:
    action = get_object_or_404(
        visible_actions(request.user, request.organization).select_related(
            "member", "commitment"
        ),
        pk=action_id,
    )
    return _kudos(request, action=action)


@member_required
@require_http_methods(["GET", "POST"])
def kudos_pledge(request: OrgHttpRequest, pledge_id: int) -> HttpResponse:
    pledge = get_object_or_404(
        Pledge.objects.visible_to(request.user, request.organization).select_related(
            "member"
        ),
        pk=pledge_id,
    )
    return _kudos(request, pledge=pledge)


@admin_required
def badge_awards(request: OrgHttpRequest) -> HttpResponse:
    awards = (
        BadgeAward.objects.for_organization(request.organization)
        .select_related("member", "revoked_by")
        .order_by("-awarded_at", "-id")
    )
    return render(
        request,
        "recognition/badge_awards.html",
        _context(request, page_obj=paginate(request, awards, 30), rules=BADGE_RULES),
    )


@admin_required
@require_http_methods(["GET", "POST"])
def badge_revoke(request: OrgHttpRequest, award_id: int) -> HttpResponse:
    award = get_object_or_404(
        BadgeAward.objects.for_organization(request.organization).select_related(
            "member", "organization", "revoked_by"
        ),
        pk=award_id,
    )
    form = BadgeRevokeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and not award.is_revoked and form.is_valid():
        try:
            services.badge_revoke(
                award=award,
                actor=request.user,
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except ValidationError as e:
            form.add_error("reason", e)
        else:
            messages.success(
                request,
                _("The badge “%(badge)s” of %(name)s was revoked.")
                % {"badge": award.name, "name": award.member.name},
            )
            return redirect("recognition:badge_awards", org=request.organization.slug)
    return render(
        request,
        "recognition/badge_revoke.html",
        _context(request, award=award, form=form),
        status=400 if form.errors else 200,
    )
