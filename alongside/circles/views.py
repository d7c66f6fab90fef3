from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, OuterRef
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from alongside.accounts.models import User
from alongside.circles import services
from alongside.circles.forms import (
    CircleForm,
    GoalForm,
    InviteForm,
    JoinRequestForm,
    ProgressUpdateForm,
)
from alongside.circles.models import (
    Circle,
    CircleInvitation,
    CircleMembership,
    Goal,
    JoinRequest,
    ProgressUpdate,
)
from alongside.lib.forms import add_errors
from alongside.lib.pagination import paginate
from alongside.organizations.access import OrgHttpRequest, member_required

DIRECTORY_PAGE_SIZE = 12
UPDATES_ON_CIRCLE_PAGE = 5

# Helpers: the permission doors of this app ---------------------------------------------


def _context(request: OrgHttpRequest, **extra: Any) -> dict[str, Any]:
    return {
        "organization": request.organization,
        "membership": request.membership,
        **extra,
    }


def _get_circle(request: OrgHttpRequest, slug: str) -> Circle:
    """A circle of this organization the viewer may see; unlisted ones are 404 to
    everyone but their members."""
    circle = get_object_or_404(
        Circle.objects.select_related("organization"),
        organization=request.organization,
        slug=slug,
    )
    if not circle.is_visible_to(request.user):
        raise Http404
    return circle


def _get_managed_circle(request: OrgHttpRequest, slug: str) -> Circle:
    """A circle the viewer facilitates; any other is 404, as if it did not exist."""
    circle = _get_circle(request, slug)
    if not circle.is_facilitator(request.user):
        raise Http404
    return circle


def _get_project_circle_for_member(request: OrgHttpRequest, slug: str) -> Circle:
    circle = _get_circle(request, slug)
    if not circle.is_project or not circle.can_post(request.user):
        raise Http404
    return circle


def _get_goal(circle: Circle, goal_id: int) -> Goal:
    return get_object_or_404(Goal, circle=circle, pk=goal_id)


def _refusal(request: OrgHttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


@dataclass(frozen=True)
class MemberRow:
    membership: CircleMembership
    pronouns: str


def _member_rows(circle: Circle, viewer: User) -> list[MemberRow]:
    """Members as `viewer` may see them: display names (always visible inside the
    organization) and pronouns only where their owner shares them. Nothing else of a
    profile, and never gender."""
    memberships = (
        circle.memberships.filter(
            user__is_active=True, user__memberships__organization=circle.organization
        )
        .select_related("user")
        .order_by("role", "user__display_name", "id")
    )
    return [
        MemberRow(
            membership=m,
            pronouns=m.user.profile_visible_to(viewer, same_organization=True).get(
                "pronouns", ""
            ),
        )
        for m in memberships
    ]


# Directory and circle pages -----------------------------------------------------------


@member_required
def directory(request: OrgHttpRequest) -> HttpResponse:
    kind = request.GET.get("kind", "")
    if kind not in Circle.Kind.values:
        kind = ""
    mine = request.GET.get("mine") == "1"
    circles = Circle.objects.visible_to(
        request.user, request.organization
    ).select_related("organization")
    # "My circles" includes the archived ones; the directory shows the active ones.
    circles = circles.of_member(request.user) if mine else circles.active()
    if kind:
        circles = circles.filter(kind=kind)
    circles = circles.annotate(
        num_members=Count("memberships", distinct=True),
        is_mine=Exists(
            CircleMembership.objects.filter(circle=OuterRef("pk"), user=request.user)
        ),
    ).order_by("is_archived", "name", "id")
    page = paginate(request, circles, per_page=DIRECTORY_PAGE_SIZE)
    invitations = CircleInvitation.objects.pending().filter(
        invitee=request.user,
        circle__organization=request.organization,
        circle__is_archived=False,
    )
    return render(
        request,
        "circles/directory.html",
        _context(
            request,
            page_obj=page,
            kind=kind,
            mine=mine,
            kinds=Circle.Kind.choices,
            can_create=request.membership.is_facilitator,
            private_kinds=[k.value for k in Circle.PRIVATE_MEMBER_LISTS],
            pending_invitations=invitations.count(),
        ),
    )


@member_required
def circle_detail(request: OrgHttpRequest, circle: str) -> HttpResponse:
    obj = _get_circle(request, circle)
    viewer = request.user
    circle_membership = obj.membership_of(viewer)
    is_facilitator = circle_membership is not None and circle_membership.is_facilitator
    show_members = obj.member_list_visible_to(viewer)
    context = _context(
        request,
        circle=obj,
        circle_membership=circle_membership,
        is_facilitator=is_facilitator,
        facilitators=list(obj.facilitators().order_by("user__display_name", "id")),
        show_members=show_members,
        members=_member_rows(obj, viewer) if show_members else [],
        pending_request=obj.join_requests.pending().filter(user=viewer).first(),
        pending_invitation=obj.invitations.pending().filter(invitee=viewer).first(),
        pending_requests_count=(
            obj.join_requests.pending().count() if is_facilitator else 0
        ),
    )
    if obj.is_project:
        updates = obj.updates.select_related("author")
        context |= {
            "goals": list(obj.goals.all()),
            "progress": obj.progress(),
            "recent_updates": list(updates[:UPDATES_ON_CIRCLE_PAGE]),
            "more_updates": updates.count() > UPDATES_ON_CIRCLE_PAGE,
            "can_post": circle_membership is not None and not obj.is_archived,
            "update_form": ProgressUpdateForm(),
        }
    return render(request, "circles/circle_detail.html", context)


@member_required
def circle_create(request: OrgHttpRequest) -> HttpResponse:
    if not request.membership.is_facilitator:
        raise Http404
    form = CircleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            circle = services.circle_create(
                organization=request.organization,
                creator=request.user,
                request=request,
                **form.cleaned_data,
            )
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(
                request, _("Your circle is ready. You are its facilitator.")
            )
            return redirect(circle)
    return render(
        request, "circles/circle_form.html", _context(request, form=form, circle=None)
    )


@member_required
def circle_edit(request: OrgHttpRequest, circle: str) -> HttpResponse:
    obj = _get_managed_circle(request, circle)
    form = CircleForm(request.POST or None, instance=obj)
    if request.method == "POST" and form.is_valid():
        try:
            services.circle_update(
                circle=form.instance, actor=request.user, request=request
            )
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, _("Circle saved."))
            return redirect(obj)
    # An invalid form has already changed the instance's fields in memory: show the
    # page's heading and links from the stored circle.
    stored = Circle.objects.get(pk=obj.pk)
    return render(
        request, "circles/circle_form.html", _context(request, form=form, circle=stored)
    )


# Joining and leaving ----------------------------------------------------------------


@require_POST
@member_required
def circle_join(request: OrgHttpRequest, circle: str) -> HttpResponse:
    obj = _get_circle(request, circle)
    try:
        services.circle_join(circle=obj, user=request.user)
    except ValidationError as e:
        _refusal(request, e)
    except services.NotAllowed:
        raise Http404 from None
    else:
        messages.success(request, _("You joined %(circle)s.") % {"circle": obj.name})
    return redirect(obj)


@member_required
def join_request(request: OrgHttpRequest, circle: str) -> HttpResponse:
    obj = _get_circle(request, circle)
    if obj.join_policy != Circle.JoinPolicy.REQUEST or obj.is_archived:
        raise Http404
    if obj.is_member(request.user):
        return redirect(obj)
    pending = obj.join_requests.pending().filter(user=request.user).first()
    form = JoinRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.join_request_create(
                circle=obj, user=request.user, message=form.cleaned_data["message"]
            )
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(
                request,
                _("Your request was sent. A facilitator of the circle will answer it."),
            )
            return redirect(obj)
    return render(
        request,
        "circles/join_request.html",
        _context(request, circle=obj, form=form, pending=pending),
    )


@require_POST
@member_required
def join_request_withdraw(request: OrgHttpRequest, circle: str) -> HttpResponse:
    obj = _get_circle(request, circle)
    pending = get_object_or_404(
        JoinRequest.objects.pending(), circle=obj, user=request.user
    )
    services.join_request_withdraw(join_request=pending, user=request.user)
    messages.success(request, _("Your request was withdrawn."))
    return redirect(obj)


@member_required
def circle_leave(request: OrgHttpRequest, circle: str) -> HttpResponse:
    obj = _get_circle(request, circle)
    circle_membership = obj.membership_of(request.user)
    if circle_membership is None:
        raise Http404
    if request.method == "POST":
        try:
            services.circle_leave(circle=obj, user=request.user)
        except ValidationError as e:
            _refusal(request, e)
            return redirect(obj)
        messages.success(request, _("You left %(circle)s.") % {"circle": obj.name})
        return redirect("circles:directory", org=request.organization.slug)
    others = obj.memberships.exclude(pk=circle_membership.pk).exists()
    return render(
        request,
        "circles/circle_leave.html",
        _context(
            request,
            circle=obj,
            last_member=not others,
            will_be_hidden=not obj.is_listed,
        ),
    )


@member_required
def invitations(request: OrgHttpRequest) -> HttpResponse:
    pending = (
        CircleInvitation.objects.pending()
        .filter(
            invitee=request.user,
            circle__organization=request.organization,
            circle__is_archived=False,
        )
        .select_related("circle", "invited_by")
    )
    return render(
        request,
        "circles/invitations.html",
        _context(request, page_obj=paginate(request, pending)),
    )


@require_POST
@member_required
def invitation_answer(
    request: OrgHttpRequest, circle_invitation_id: int
) -> HttpResponse:
    invitation = get_object_or_404(
        CircleInvitation.objects.select_related("circle__organization"),
        pk=circle_invitation_id,
        invitee=request.user,
        circle__organization=request.organization,
    )
    accept = request.POST.get("answer") == "accept"
    try:
        services.circle_invitation_answer(
            invitation=invitation, accept=accept, user=request.user
        )
    except ValidationError as e:
        _refusal(request, e)
        return redirect("circles:invitations", org=request.organization.slug)
    if accept:
        messages.success(
            request, _("You joined %(circle)s.") % {"circle": invitation.circle.name}
        )
        return redirect(invitation.circle)
    messages.success(request, _("Invitation declined."))
    return redirect("circles:invitations", org=request.organization.slug)


# Facilitators -------------------------------------------------------------------------


@member_required
def members_manage(request: OrgHttpRequest, circle: str) -> HttpResponse:
    obj = _get_managed_circle(request, circle)
    return _render_members(request, obj, InviteForm(circle=obj))


def _render_members(
    request: OrgHttpRequest, circle: Circle, form: InviteForm
) -> HttpResponse:
    memberships = list(
        circle.memberships.select_related("user").order_by(
            "role", "user__display_name", "id"
        )
    )
    pending = circle.invitations.pending().select_related("invitee")
    return render(
        request,
        "circles/members_manage.html",
        _context(
            request,
            circle=circle,
            memberships=memberships,
            facilitator_count=sum(m.is_facilitator for m in memberships),
            pending_invitations=list(pending),
            form=form,
        ),
    )


@require_POST
@member_required
def member_invite(request: OrgHttpRequest, circle: str) -> HttpResponse:
    obj = _get_managed_circle(request, circle)
    form = InviteForm(request.POST, circle=obj)
    if form.is_valid():
        invitee = form.cleaned_data["invitee"]
        try:
            services.circle_invitation_create(
                circle=obj, invitee=invitee, actor=request.user, request=request
            )
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(
                request, _("%(name)s was invited.") % {"name": invitee.name}
            )
            return redirect(
                "circles:members", org=request.organization.slug, circle=obj.slug
            )
    return _render_members(request, obj, form)


def _get_circle_membership(circle: Circle, circle_member_id: int) -> CircleMembership:
    return get_object_or_404(
        CircleMembership.objects.select_related("user", "circle__organization"),
        circle=circle,
        pk=circle_member_id,
    )


@member_required
def member_remove(
    request: OrgHttpRequest, circle: str, circle_member_id: int
) -> HttpResponse:
    obj = _get_managed_circle(request, circle)
    target = _get_circle_membership(obj, circle_member_id)
    if request.method == "POST":
        try:
            services.circle_member_remove(
                membership=target, actor=request.user, request=request
            )
        except ValidationError as e:
            _refusal(request, e)
        else:
            messages.success(
                request,
                _("%(name)s is no longer in the circle.") % {"name": target.user.name},
            )
        return redirect(
            "circles:members", org=request.organization.slug, circle=obj.slug
        )
    return render(
        request,
        "circles/member_remove.html",
        _context(request, circle=obj, target=target),
    )


@require_POST
@member_required
def member_role(
    request: OrgHttpRequest, circle: str, circle_member_id: int
) -> HttpResponse:
    obj = _get_managed_circle(request, circle)
    target = _get_circle_membership(obj, circle_member_id)
    try:
        services.circle_member_set_role(
            membership=target,
            role=request.POST.get("role", ""),
            actor=request.user,
            request=request,
        )
    except ValidationError as e:
        _refusal(request, e)
    else:
        messages.success(
            request,
            _("%(name)s is now %(role)s.")
            % {"name": target.user.name, "role": target.get_role_display().lower()},
        )
    if not obj.is_facilitator(request.user):  # he stepped down himself
        return redirect(obj)
    return redirect("circles:members", org=request.organization.slug, circle=obj.slug)


@require_POST
@member_required
def invitation_withdraw(
    request: OrgHttpRequest, circle: str, circle_invitation_id: int
) -> HttpResponse:
    obj = _get_managed_circle(request, circle)
    invitation = get_object_or_404(
        CircleInvitation, circle=obj, pk=circle_invitation_id
    )
    services.circle_invitation_withdraw(
        invitation=invitation, actor=request.user, request=request
    )
    messages.success(request, _("Invitation withdrawn."))
    return redirect("circles:members", org=request.organization.slug, circle=obj.slug)


@member_required
def requests_queue(request: OrgHttpRequest, circle: str) -> HttpResponse:
    obj = _get_managed_circle(request, circle)
    pending = obj.join_requests.pending().select_related("user")
    return render(
        request,
        "circles/requests.html",
        _context(request, circle=obj, page_obj=paginate(request, pending)),
    )


@require_POST
@member_required
def request_decide(
    request: OrgHttpRequest, circle: str, join_request_id: int
) -> HttpResponse:
    obj = _get_managed_circle(request, circle)
    join_request = get_object_or_404(
        JoinRequest.objects.select_related("user", "circle__organization"),
        circle=obj,
        pk=join_request_id,
    )
    approve = request.POST.get("decision") == "approve"
    try:
        services.join_request_decide(
            join_request=join_request,
            approve=approve,
            actor=request.user,
            request=request,
        )
    except ValidationError as e:
        _refusal(request, e)
    else:
        name = join_request.user.name
        messages.success(
            request,
            _("%(name)s joined the circle.") % {"name": name}
            if approve
            else _("You declined the request of %(name)s.") % {"name": name},
        )
    return redirect("circles:requests", org=request.organization.slug, circle=obj.slug)


@member_required
def circle_archive(request: OrgHttpRequest, circle: str) -> HttpResponse:
    obj = _get_managed_circle(request, circle)
    if request.method == "POST":
        services.circle_set_archived(
            circle=obj, archived=True, actor=request.user, request=request
        )
        messages.success(request, _("The circle is archived."))
        return redirect(obj)
    return render(request, "circles/circle_archive.html", _context(request, circle=obj))


@require_POST
@member_required
def circle_reopen(request: OrgHttpRequest, circle: str) -> HttpResponse:
    obj = _get_managed_circle(request, circle)
    services.circle_set_archived(
        circle=obj, archived=False, actor=request.user, request=request
    )
    messages.success(request, _("The circle is open again."))
    return redirect(obj)


# Project circles: goals and updates -----------------------------------------------------


@member_required
def goal_create(request: OrgHttpRequest, circle: str) -> HttpResponse:
    obj = _get_project_circle_for_member(request, circle)
    form = GoalForm(request.POST or None, instance=Goal(circle=obj))
    if request.method == "POST" and form.is_valid():
        services.goal_save(goal=form.instance, actor=request.user)
        messages.success(request, _("Goal added."))
        return redirect(obj)
    return render(
        request,
        "circles/goal_form.html",
        _context(request, circle=obj, form=form, goal=None),
    )


@member_required
def goal_edit(request: OrgHttpRequest, circle: str, goal_id: int) -> HttpResponse:
    obj = _get_project_circle_for_member(request, circle)
    goal = _get_goal(obj, goal_id)
    form = GoalForm(request.POST or None, instance=goal)
    if request.method == "POST" and form.is_valid():
        services.goal_save(goal=form.instance, actor=request.user)
        messages.success(request, _("Goal saved."))
        return redirect(obj)
    return render(
        request,
        "circles/goal_form.html",
        _context(request, circle=obj, form=form, goal=goal),
    )


@require_POST
@member_required
def goal_status(request: OrgHttpRequest, circle: str, goal_id: int) -> HttpResponse:
    obj = _get_project_circle_for_member(request, circle)
    goal = _get_goal(obj, goal_id)
    services.goal_set_status(
        goal=goal, done=request.POST.get("done") == "1", actor=request.user
    )
    return redirect(obj)


@member_required
def goal_delete(request: OrgHttpRequest, circle: str, goal_id: int) -> HttpResponse:
    obj = _get_managed_circle(request, circle)
    if not obj.is_project:
        raise Http404
    goal = _get_goal(obj, goal_id)
    if request.method == "POST":
        services.goal_delete(goal=goal, actor=request.user)
        messages.success(request, _("Goal deleted."))
        return redirect(obj)
    return render(
        request, "circles/goal_delete.html", _context(request, circle=obj, goal=goal)
    )


@member_required
def updates(request: OrgHttpRequest, circle: str) -> HttpResponse:
    """The project's timeline; members post updates here too."""
    obj = _get_circle(request, circle)
    if not obj.is_project:
        raise Http404
    can_post = obj.can_post(request.user)
    form = ProgressUpdateForm(request.POST or None)
    if request.method == "POST":
        if not can_post:
            raise Http404
        if form.is_valid():
            services.progress_update_create(
                circle=obj, author=request.user, body=form.cleaned_data["body"]
            )
            messages.success(request, _("Update posted."))
            return redirect(
                "circles:updates", org=request.organization.slug, circle=obj.slug
            )
    page = paginate(request, obj.updates.select_related("author"))
    return render(
        request,
        "circles/updates.html",
        _context(
            request,
            circle=obj,
            page_obj=page,
            form=form,
            can_post=can_post,
            is_facilitator=obj.is_facilitator(request.user),
        ),
    )


@member_required
def update_delete(
    request: OrgHttpRequest, circle: str, progress_update_id: int
) -> HttpResponse:
    obj = _get_circle(request, circle)
    update = get_object_or_404(ProgressUpdate, circle=obj, pk=progress_update_id)
    if update.author_id != request.user.pk and not obj.is_facilitator(request.user):
        raise Http404
    if request.method == "POST":
        services.progress_update_delete(update=update, actor=request.user)
        messages.success(request, _("Update deleted."))
        return redirect(
            "circles:updates", org=request.organization.slug, circle=obj.slug
        )
    return render(
        request,
        "circles/update_delete.html",
        _context(request, circle=obj, update=update),
    )
