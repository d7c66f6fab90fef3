from __future__ import annotations

from django.conf import settings as django_settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from alongside.accounts.adapter import INVITATION_SESSION_KEY
from alongside.audit.models import AuditEvent
from alongside.lib.http import AuthenticatedHttpRequest
from alongside.lib.pagination import paginate
from alongside.organizations import invitation_csv, services
from alongside.organizations.access import (
    OrgHttpRequest,
    admin_required,
    get_membership,
    member_required,
    user_has_mfa,
)
from alongside.organizations.forms import (
    InvitationCsvForm,
    InvitationForm,
    OrganizationCreateForm,
    OrganizationSettingsForm,
    RoleForm,
)
from alongside.organizations.models import Invitation, Membership, Organization


def _context(request: OrgHttpRequest, **extra: object) -> dict[str, object]:
    return {
        "organization": request.organization,
        "membership": request.membership,
        **extra,
    }


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


def _get_membership(request: OrgHttpRequest, pk: int) -> Membership:
    """A membership of the current organization only: other organizations' ids give 404."""
    return get_object_or_404(
        Membership.objects.for_organization(request.organization).select_related(
            "user", "organization"
        ),
        pk=pk,
    )


def _get_invitation(request: OrgHttpRequest, pk: int) -> Invitation:
    return get_object_or_404(
        Invitation.objects.for_organization(request.organization).select_related(
            "organization", "invited_by"
        ),
        pk=pk,
    )


def create(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = OrganizationCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        organization = services.organization_create(
            creator=request.user,
            name=form.cleaned_data["name"],
            slug=form.cleaned_data["slug"],
            description=form.cleaned_data["description"],
            request=request,
        )
        messages.success(
            request,
            _("%(name)s is ready. You are its program admin.")
            % {"name": organization.name},
        )
        return redirect("organizations:home", org=organization.slug)
    return render(request, "organizations/create.html", {"form": form})


@member_required
def home(request: OrgHttpRequest) -> HttpResponse:
    member_count = (
        Membership.objects.for_organization(request.organization).active().count()
    )
    return render(
        request, "organizations/home.html", _context(request, member_count=member_count)
    )


@member_required
def members(request: OrgHttpRequest) -> HttpResponse:
    qs = (
        Membership.objects.for_organization(request.organization)
        .active()
        .select_related("user")
        .order_by("user__display_name", "user__id")
    )
    return render(
        request,
        "organizations/members.html",
        _context(request, page_obj=paginate(request, qs, 30)),
    )


@admin_required
def admin(request: OrgHttpRequest) -> HttpResponse:
    organization = request.organization
    return render(
        request,
        "organizations/admin.html",
        _context(
            request,
            member_count=Membership.objects.for_organization(organization).count(),
            pending_count=Invitation.objects.for_organization(organization)
            .pending()
            .count(),
        ),
    )


@admin_required
def settings_edit(request: OrgHttpRequest) -> HttpResponse:
    form = OrganizationSettingsForm(request.POST or None, instance=request.organization)
    if request.method == "POST":
        if form.is_valid():
            services.organization_settings_save(
                organization=form.instance,
                actor=request.user,
                changed=form.changed_data,
                request=request,
            )
            messages.success(request, _("Settings saved."))
            pending = form.instance.pending_min_group_size()
            if pending and "min_group_size" in form.changed_data:
                messages.info(
                    request,
                    _(
                        "The smaller group size applies on %(when)s. Every program "
                        "admin has been told; until then, %(k)d applies."
                    )
                    % {
                        "when": date_format(
                            timezone.localtime(pending[1]), "DATETIME_FORMAT"
                        ),
                        "k": form.instance.effective_min_group_size(),
                    },
                )
            if form.instance.require_admin_mfa and not user_has_mfa(request.user):
                messages.warning(
                    request,
                    _(
                        "Program admins now need two-factor authentication: set up an "
                        "authenticator app to open the admin pages again."
                    ),
                )
            return redirect("organizations:settings", org=form.instance.slug)
        # The form changed the instance in place; the page chrome keeps the saved name.
        request.organization.refresh_from_db()
        messages.error(
            request, _("Nothing was saved. Please correct the errors below.")
        )
    return render(request, "organizations/settings.html", _context(request, form=form))


@admin_required
def manage_members(request: OrgHttpRequest) -> HttpResponse:
    qs = (
        Membership.objects.for_organization(request.organization)
        .select_related("user", "role_granted_by")
        .order_by("user__display_name", "user__id")
    )
    return render(
        request,
        "organizations/manage_members.html",
        _context(request, page_obj=paginate(request, qs, 50)),
    )


@admin_required
def member_role(request: OrgHttpRequest, pk: int) -> HttpResponse:
    target = _get_membership(request, pk)
    form = RoleForm(request.POST or None, initial={"role": target.role})
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_change_role(
                membership=target,
                role=form.cleaned_data["role"],
                actor=request.user,
                request=request,
            )
        except ValidationError as e:
            messages.error(request, _error_text(e))
        else:
            messages.success(
                request,
                _("%(name)s is now %(role)s.")
                % {"name": target.user.name, "role": target.get_role_display()},
            )
            if target.pk == request.membership.pk and not target.is_program_admin:
                return redirect("organizations:home", org=request.organization.slug)
        return redirect("organizations:manage_members", org=request.organization.slug)
    return render(
        request,
        "organizations/member_role.html",
        _context(request, target=target, form=form),
    )


@admin_required
def member_remove(request: OrgHttpRequest, pk: int) -> HttpResponse:
    target = _get_membership(request, pk)
    if request.method == "POST":
        try:
            services.membership_remove(
                membership=target, actor=request.user, request=request
            )
        except ValidationError as e:
            messages.error(request, _error_text(e))
            return redirect(
                "organizations:manage_members", org=request.organization.slug
            )
        messages.success(
            request,
            _("%(name)s is no longer a member.") % {"name": target.user.name},
        )
        if target.user_id == request.user.pk:
            return redirect("home")
        return redirect("organizations:manage_members", org=request.organization.slug)
    return render(
        request, "organizations/member_remove.html", _context(request, target=target)
    )


@admin_required
def invitations(request: OrgHttpRequest) -> HttpResponse:
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.invitation_create(
                organization=request.organization,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                name=form.cleaned_data["name"],
                invited_by=request.user,
                request=request,
            )
        except ValidationError as e:
            form.add_error("email", e)
        else:
            messages.success(
                request,
                _("Invitation sent to %(email)s.")
                % {"email": form.cleaned_data["email"]},
            )
            return redirect("organizations:invitations", org=request.organization.slug)
    pending = (
        Invitation.objects.for_organization(request.organization)
        .open()
        .select_related("invited_by")
        .order_by("email")
    )
    return render(
        request,
        "organizations/invitations.html",
        _context(
            request,
            form=form,
            page_obj=paginate(request, pending, 50),
            INVITATION_DAYS=django_settings.INVITATION_DAYS,
        ),
    )


@admin_required
def invitation_upload(request: OrgHttpRequest) -> HttpResponse:
    form = InvitationCsvForm(request.POST or None, request.FILES or None)
    problems: list[invitation_csv.Problem] = []
    if request.method == "POST" and form.is_valid():
        try:
            invitees, problems = invitation_csv.parse(
                form.cleaned_data["file"], organization=request.organization
            )
        except invitation_csv.CsvFileError as e:
            form.add_error("file", e.message)
        else:
            if not problems:
                try:
                    created = services.invitations_import(
                        organization=request.organization,
                        invitees=invitees,
                        invited_by=request.user,
                        request=request,
                    )
                except ValidationError as e:
                    form.add_error("file", e)
                else:
                    messages.success(
                        request,
                        _("%(count)d invitations sent.") % {"count": len(created)},
                    )
                    return redirect(
                        "organizations:invitations", org=request.organization.slug
                    )
    return render(
        request,
        "organizations/invitation_upload.html",
        _context(request, form=form, problems=problems),
    )


@admin_required
@require_POST
def invitation_resend(request: OrgHttpRequest, pk: int) -> HttpResponse:
    invitation = _get_invitation(request, pk)
    try:
        services.invitation_resend(
            invitation=invitation, actor=request.user, request=request
        )
    except ValidationError as e:
        messages.error(request, _error_text(e))
    else:
        messages.success(
            request,
            _("A new link was sent to %(email)s; the old one no longer works.")
            % {"email": invitation.email},
        )
    return redirect("organizations:invitations", org=request.organization.slug)


@admin_required
def invitation_revoke(request: OrgHttpRequest, pk: int) -> HttpResponse:
    invitation = _get_invitation(request, pk)
    if request.method == "POST":
        try:
            services.invitation_revoke(
                invitation=invitation, actor=request.user, request=request
            )
        except ValidationError as e:
            messages.error(request, _error_text(e))
        else:
            messages.success(
                request,
                _("The invitation to %(email)s was withdrawn.")
                % {"email": invitation.email},
            )
        return redirect("organizations:invitations", org=request.organization.slug)
    return render(
        request,
        "organizations/invitation_revoke.html",
        _context(request, invitation=invitation),
    )


@admin_required
def audit_log(request: OrgHttpRequest) -> HttpResponse:
    # Concern handling is left out: each concern keeps its own trail, and an admin a
    # concern is about must not learn from this page that one is being handled.
    qs = (
        AuditEvent.objects.for_organization(request.organization)
        .exclude(target_type="concerns.concern")
        .exclude(action__startswith="concern.")
        .select_related("actor")
    )
    return render(
        request,
        "organizations/audit_log.html",
        _context(request, page_obj=paginate(request, qs, 50)),
    )


def mfa_required(request: AuthenticatedHttpRequest, org: str) -> HttpResponse:
    """Where the organization's two-factor rule sends program admins, and HR analysts of
    the equity pages, who have no authenticator yet. Any member may read it: it only
    explains the rule."""
    membership = get_membership(request.user, org)
    return render(
        request,
        "organizations/mfa_required.html",
        {
            "organization": membership.organization,
            "membership": membership,
            "has_mfa": user_has_mfa(request.user),
        },
    )


@login_not_required
@never_cache
def invitation_open(request: HttpRequest, token: str) -> HttpResponse:
    """Keep the token in the session and continue at a URL without it.

    This way the token does not linger in the address bar, history or Referer headers,
    and it survives signing up or logging in on the way.
    """
    request.session[INVITATION_SESSION_KEY] = token
    return redirect("organizations:invitation_accept")


@login_not_required
@never_cache
def invitation_accept(request: HttpRequest) -> HttpResponse:
    token = request.session.get(INVITATION_SESSION_KEY, "")
    try:
        invitation = services.invitation_for_token(token)
    except services.InvitationUnavailable as e:
        request.session.pop(INVITATION_SESSION_KEY, None)
        return render(
            request,
            "organizations/invitation_unavailable.html",
            {"reason": e.message},
            status=404,
        )
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"{reverse('account_login')}?next={request.path}")
        try:
            membership = services.invitation_accept(
                token=token,
                user=request.user,
                request=request,
            )
        except services.InvitationUnavailable as e:
            request.session.pop(INVITATION_SESSION_KEY, None)
            return render(
                request,
                "organizations/invitation_unavailable.html",
                {"reason": e.message},
                status=404,
            )
        request.session.pop(INVITATION_SESSION_KEY, None)
        messages.success(
            request,
            _("Welcome to %(org)s!") % {"org": membership.organization.name},
        )
        return redirect("organizations:home", org=membership.organization.slug)
    already_member = (
        request.user.is_authenticated
        and invitation.organization.has_member(request.user)
    )
    return render(
        request,
        "organizations/invitation_accept.html",
        {"invitation": invitation, "already_member": already_member},
    )


def join_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    candidates = Organization.objects.joinable_by(request.user)
    return render(request, "organizations/join_list.html", {"candidates": candidates})


@require_POST
def join(request: AuthenticatedHttpRequest, org: str) -> HttpResponse:
    organization = get_object_or_404(Organization, slug=org)
    if organization.has_member(request.user):
        return redirect("organizations:home", org=organization.slug)
    try:
        services.organization_join(
            organization=organization, user=request.user, request=request
        )
    except ValidationError:
        # Organizations the user may not join do not exist as far as they can tell.
        raise Http404 from None
    messages.success(request, _("Welcome to %(org)s!") % {"org": organization.name})
    return redirect("organizations:home", org=organization.slug)
