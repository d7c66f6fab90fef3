from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from alongside.accounts.models import User
from alongside.audit.models import AuditEvent
from alongside.audit.services import audit_record
from alongside.concerns.forms import AssignForm, ConcernForm, NoteForm
from alongside.concerns.models import Concern
from alongside.concerns.services import (
    ConcernError,
    concern_add_note,
    concern_assign,
    concern_raise,
    concern_record_view,
)
from alongside.lib.http import client_ip
from alongside.lib.pagination import paginate
from alongside.lib.ratelimit import private_key_part, rate_limit_hit
from alongside.organizations.access import OrgHttpRequest, admin_required
from alongside.organizations.models import Membership, Organization

_REFERENCE_SESSION_KEY = "concerns:reference"
AUDIT_TRAIL_LENGTH = 100
_STATUS_FILTERS = {
    "open": Concern.OPEN_STATUSES,
    "all": tuple(Concern.Status.values),
    **{value: (value,) for value in Concern.Status.values},
}


def _public_context(
    request: HttpRequest, organization: Organization
) -> dict[str, object]:
    """Members get the organization's navigation; anyone else sees only its name."""
    context: dict[str, object] = {"concern_organization": organization}
    if request.user.is_authenticated:
        membership = (
            Membership.objects.of(request.user, organization)
            .select_related("organization")
            .first()
        )
        if membership is not None:
            context.update(organization=organization, membership=membership)
    return context


def _allow_concern_from(request: HttpRequest, organization: Organization) -> bool:
    """Counts one concern against the sender's IP address (kept only as a keyed digest)."""
    ip_key = private_key_part(client_ip(request))
    return rate_limit_hit(
        f"concerns:{organization.pk}:{ip_key}",
        limit=settings.CONCERNS_PER_IP_PER_HOUR,
        window=60 * 60,
    )


def _get_concern_for_admin(request: OrgHttpRequest, pk: int) -> Concern:
    """A concern of this organization that the admin may handle; 404 for one about them."""
    return get_object_or_404(
        Concern.objects.visible_to_admin(request.user, request.organization), pk=pk
    )


@login_not_required
@never_cache
def raise_concern(request: HttpRequest, org: str) -> HttpResponse:
    """The public form. By design it reveals only that the organization exists, and its name."""
    organization = get_object_or_404(Organization, slug=org)
    reporter = request.user if isinstance(request.user, User) else None
    form = ConcernForm(
        request.POST or None, organization=organization, reporter=reporter
    )
    if request.method != "POST":
        return _render_raise(request, organization, form)
    if not form.is_valid():
        return _render_raise(request, organization, form, status=400)
    if not _allow_concern_from(request, organization):
        form.add_error(
            None,
            _(
                "Too many concerns were sent from your network in the last hour. "
                "Nothing was saved: please try again later."
            ),
        )
        return _render_raise(request, organization, form, status=429)
    try:
        concern = concern_raise(
            organization=organization,
            reporter=None if form.cleaned_data.get("stay_unlinked") else reporter,
            subject_member=form.cleaned_data.get("subject_member"),
            subject_name=form.cleaned_data["subject_name"],
            description=form.cleaned_data["description"],
            contact_email=form.cleaned_data["contact_email"],
        )
    except (ConcernError, ValidationError) as e:
        form.add_error(None, e.messages if isinstance(e, ValidationError) else str(e))
        return _render_raise(request, organization, form, status=400)
    request.session[_REFERENCE_SESSION_KEY] = concern.reference
    return redirect("concerns:thanks", org=organization.slug)


def _render_raise(
    request: HttpRequest,
    organization: Organization,
    form: ConcernForm,
    *,
    status: int = 200,
) -> HttpResponse:
    context = _public_context(request, organization)
    context["form"] = form
    return render(request, "concerns/raise.html", context, status=status)


@login_not_required
@never_cache
def thanks(request: HttpRequest, org: str) -> HttpResponse:
    """Confirms receipt with the reference, once; nothing the reporter wrote is shown."""
    organization = get_object_or_404(Organization, slug=org)
    context = _public_context(request, organization)
    context["reference"] = request.session.pop(_REFERENCE_SESSION_KEY, None)
    return render(request, "concerns/thanks.html", context)


@admin_required
@never_cache
def queue(request: OrgHttpRequest) -> HttpResponse:
    status = request.GET.get("status", "open")
    if status not in _STATUS_FILTERS:
        status = "open"
    concerns = Concern.objects.visible_to_admin(
        request.user, request.organization
    ).filter(status__in=_STATUS_FILTERS[status])
    reference = request.GET.get("reference", "").strip().upper()
    if reference:
        concerns = concerns.filter(reference=reference)
    page_obj = paginate(request, concerns.select_related("assigned_to"), 25)
    audit_record(
        action="concern.queue_viewed",
        actor=request.user,
        organization=request.organization,
        data={"status": status, "page": page_obj.number},
        request=request,
    )
    return render(
        request,
        "concerns/queue.html",
        {
            "organization": request.organization,
            "membership": request.membership,
            "page_obj": page_obj,
            "status": status,
            "reference": reference,
            "status_choices": [
                ("open", _("Open (new and in review)")),
                *Concern.Status.choices,
                ("all", _("All")),
            ],
        },
    )


@admin_required
@never_cache
def detail(request: OrgHttpRequest, pk: int) -> HttpResponse:
    concern = _get_concern_for_admin(request, pk)
    concern_record_view(concern=concern, viewer=request.user, request=request)
    return _render_detail(request, concern)


def _render_detail(
    request: OrgHttpRequest,
    concern: Concern,
    *,
    note_form: NoteForm | None = None,
    assign_form: AssignForm | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "concerns/detail.html",
        {
            "organization": request.organization,
            "membership": request.membership,
            "concern": concern,
            "notes": concern.notes.select_related("author"),
            "audit_trail": AuditEvent.objects.for_organization(concern.organization)
            .filter(
                target_type=Concern._meta.label_lower,
                target_id=str(concern.pk),
            )
            .select_related("actor")[:AUDIT_TRAIL_LENGTH],
            "note_form": note_form or NoteForm(initial={"status": concern.status}),
            "assign_form": assign_form
            or AssignForm(
                concern=concern, initial={"assigned_to": concern.assigned_to_id}
            ),
        },
        status=status,
    )


@require_POST
@admin_required
def add_note(request: OrgHttpRequest, pk: int) -> HttpResponse:
    concern = _get_concern_for_admin(request, pk)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            concern_add_note(
                concern=concern,
                author=request.user,
                text=form.cleaned_data["text"],
                status=form.cleaned_data["status"],
                request=request,
            )
        except ConcernError as e:
            form.add_error(None, str(e))
        else:
            messages.success(request, _("Your note was added."))
            return redirect(
                "concerns:detail", org=request.organization.slug, pk=concern.pk
            )
    return _render_detail(request, concern, note_form=form, status=400)


@require_POST
@admin_required
def assign(request: OrgHttpRequest, pk: int) -> HttpResponse:
    concern = _get_concern_for_admin(request, pk)
    form = AssignForm(request.POST, concern=concern)
    if form.is_valid():
        try:
            concern_assign(
                concern=concern,
                assignee=form.cleaned_data["assigned_to"],
                actor=request.user,
                request=request,
            )
        except ConcernError as e:
            form.add_error(None, str(e))
        else:
            messages.success(request, _("The assignment was saved."))
            return redirect(
                "concerns:detail", org=request.organization.slug, pk=concern.pk
            )
    return _render_detail(request, concern, assign_form=form, status=400)
