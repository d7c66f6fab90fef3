"""Members' pages of spaces: the list, creating and editing a space, a space's page
with its threads, its guidelines and daily digest, and search across the spaces.

The doors: every object is loaded within the organization, then checked against the
space's rules. Anything the viewer may not see is 404, as if it did not exist."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models.functions import TruncDate
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from alongside.circles.models import Circle, CircleMembership
from alongside.dialogue import listening, moderation, safespace, services
from alongside.dialogue.forms import SpaceCreateForm, SpaceForm
from alongside.dialogue.models import DigestSubscription, Post, Space
from alongside.dialogue.search import MAX_QUERY_LENGTH, search_posts
from alongside.lib.keyset import keyset_page
from alongside.lib.pagination import paginate
from alongside.organizations.access import OrgHttpRequest, member_required

THREADS_PER_PAGE = 20
SEARCH_RESULTS_PER_PAGE = 20


def context(request: OrgHttpRequest, **extra: Any) -> dict[str, Any]:
    return {
        "organization": request.organization,
        "membership": request.membership,
        **extra,
    }


def get_space(request: OrgHttpRequest, space_id: int) -> Space:
    space = get_object_or_404(
        Space.objects.select_related("organization", "circle"),
        organization=request.organization,
        pk=space_id,
    )
    if not space.is_visible_to(request.user):
        raise Http404
    return space


def _circles_facilitated(request: OrgHttpRequest) -> list[Circle]:
    return list(
        Circle.objects.for_organization(request.organization)
        .active()
        .filter(
            pk__in=CircleMembership.objects.facilitators()
            .filter(user=request.user)
            .values("circle_id")
        )
    )


@member_required
def spaces(request: OrgHttpRequest) -> HttpResponse:
    visible = (
        Space.objects.visible_to(request.user, request.organization)
        .select_related("circle")
        .order_by("circle__name", "name", "id")
    )
    can_create = request.membership.is_program_admin or bool(
        _circles_facilitated(request)
    )
    return render(
        request,
        "dialogue/spaces.html",
        context(
            request,
            page=paginate(request, visible),
            can_create=can_create,
            moderates=moderation.moderates_anything(request.membership),
        ),
    )


@member_required
def space_create(request: OrgHttpRequest) -> HttpResponse:
    circles = _circles_facilitated(request)
    whole = request.membership.is_program_admin
    if not whole and not circles:
        raise Http404
    form = SpaceCreateForm(
        request.POST or None, circles=circles, whole_organization=whole
    )
    if request.method == "POST" and form.is_valid():
        space = services.space_create(
            organization=request.organization,
            membership=request.membership,
            name=form.cleaned_data["name"],
            description=form.cleaned_data["description"],
            guidelines=form.cleaned_data["guidelines"],
            circle=form.chosen_circle(),
            is_safe=form.cleaned_data["is_safe"],
        )
        messages.success(request, _("The space is open."))
        return redirect(space.get_absolute_url())
    return render(request, "dialogue/space_form.html", context(request, form=form))


@member_required
def space_edit(request: OrgHttpRequest, space_id: int) -> HttpResponse:
    space = get_space(request, space_id)
    if not space.can_manage(request.membership):
        raise Http404
    form = SpaceForm(request.POST or None, instance=space)
    if request.method == "POST" and form.is_valid():
        services.space_update(
            Space.objects.get(pk=space.pk),
            actor=request.user,
            name=form.cleaned_data["name"],
            description=form.cleaned_data["description"],
            guidelines=form.cleaned_data["guidelines"],
            material_change=form.cleaned_data["material_change"],
        )
        messages.success(request, _("The space is saved."))
        return redirect(space.get_absolute_url())
    return render(
        request, "dialogue/space_form.html", context(request, form=form, space=space)
    )


@member_required
def space_detail(request: OrgHttpRequest, space_id: int) -> HttpResponse:
    space = get_space(request, space_id)
    mine = (
        safespace.pseudonym_for(space, request.user, create=False)
        if space.is_safe
        else None
    )
    page = keyset_page(
        space.threads.listed_for(request.user, mine),
        field="last_posted_at",
        cursor=request.GET.get("after"),
        per_page=THREADS_PER_PAGE,
        descending=True,
    )
    return render(
        request,
        "dialogue/space_detail.html",
        context(
            request,
            space=space,
            page=page,
            can_post=space.can_post(request.user),
            can_manage=space.can_manage(request.membership),
            can_run_rounds=listening.can_run_round(space, request.user),
            my_pseudonym=moderation.pseudonym_of(space, request.user),
            has_digest=DigestSubscription.objects.filter(
                space=space, user=request.user
            ).exists(),
        ),
    )


@member_required
def guidelines(request: OrgHttpRequest, space_id: int) -> HttpResponse:
    space = get_space(request, space_id)
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ) or not next_url.startswith("/"):
        next_url = space.get_absolute_url()
    can_post = space.can_post(request.user)
    if request.method == "POST":
        if not can_post:
            raise Http404
        services.guidelines_accept(space, request.user)
        messages.success(request, _("Thank you. You can post in this space."))
        return redirect(next_url)
    return render(
        request,
        "dialogue/guidelines.html",
        context(
            request,
            space=space,
            next_url=next_url,
            can_post=can_post,
            accepted=space.has_accepted_guidelines(request.user),
        ),
    )


@require_POST
@member_required
def digest(request: OrgHttpRequest, space_id: int) -> HttpResponse:
    space = get_space(request, space_id)
    on = request.POST.get("digest") == "on"
    services.digest_set(space, user=request.user, on=on)
    messages.success(
        request,
        _("You will get a daily email of new posts here.")
        if on
        else _("You will get an email for each new post in threads you follow."),
    )
    return redirect(space.get_absolute_url())


@member_required
def search(request: OrgHttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    page = None
    results: list[tuple[Post, str]] = []
    if query:
        page = keyset_page(
            search_posts(query, viewer=request.user, organization=request.organization)
            .select_related("author", "pseudonym", "thread__space")
            .annotate(day=TruncDate("created_at")),
            # By day, then at random (uid) within a day: pseudonymous posts are
            # never placed in exact time order among timed ones.
            field="day",
            tiebreak="uid",
            cursor=request.GET.get("after"),
            per_page=SEARCH_RESULTS_PER_PAGE,
            descending=True,
        )
        results = [(p, p.display_author_for(request.user)) for p in page.items]
    return render(
        request,
        "dialogue/search.html",
        context(
            request,
            query=query,
            page=page,
            results=results,
            max_length=MAX_QUERY_LENGTH,
        ),
    )
