from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_not_required
from django.core import signing
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseNotAllowed,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from alongside.lib.forms import add_errors
from alongside.lib.pagination import paginate
from alongside.organizations.access import (
    OrgHttpRequest,
    admin_required,
    member_required,
)
from alongside.pledges import services
from alongside.pledges.forms import (
    ActionForm,
    CommitmentEndForm,
    CommitmentFormSet,
    CommitmentTemplateForm,
    ConfirmationRequestForm,
    ConfirmForm,
    PledgeForm,
    PledgeRenewForm,
)
from alongside.pledges.models import (
    Action,
    Category,
    CommitmentTemplate,
    ConfirmationRequest,
    Consistency,
    Pledge,
    PledgeCommitment,
    RecipientOptOut,
)

# Helpers: the permission doors of this app ---------------------------------------------


def _context(request: OrgHttpRequest, **extra: Any) -> dict[str, Any]:
    return {
        "organization": request.organization,
        "membership": request.membership,
        **extra,
    }


def _get_own_pledge(request: OrgHttpRequest, pk: int) -> Pledge:
    """The viewer's own pledge in this organization; anyone else's is 404."""
    return get_object_or_404(
        Pledge.objects.select_related("member", "organization"),
        pk=pk,
        organization=request.organization,
        member=request.user,
    )


def _get_own_commitment(request: OrgHttpRequest, pk: int) -> PledgeCommitment:
    return get_object_or_404(
        PledgeCommitment.objects.select_related("pledge__organization"),
        pk=pk,
        pledge__organization=request.organization,
        pledge__member=request.user,
    )


def _get_own_action(request: OrgHttpRequest, pk: int) -> Action:
    return get_object_or_404(
        Action.objects.select_related("commitment__pledge", "organization", "member"),
        pk=pk,
        organization=request.organization,
        member=request.user,
    )


def _get_template(request: OrgHttpRequest, pk: int) -> CommitmentTemplate:
    return get_object_or_404(
        CommitmentTemplate.objects.for_organization(request.organization), pk=pk
    )


def _with_consistency(
    request: OrgHttpRequest, pledges: list[Pledge]
) -> list[tuple[Pledge, Consistency]]:
    """Pair each pledge with its consistency, counting only actions the viewer may see
    (for their own pledges, that is all of them). One query for the whole page."""
    dates: dict[int, list[date]] = defaultdict(list)
    visible = Action.objects.visible_to(request.user, request.organization).filter(
        commitment__pledge__in=pledges
    )
    for pledge_id, occurred_on in visible.values_list(
        "commitment__pledge_id", "occurred_on"
    ):
        dates[pledge_id].append(occurred_on)
    return [(p, p.consistency(action_dates=dates[p.pk])) for p in pledges]


# Catalogue -------------------------------------------------------------------------------


def _grouped(templates: list[CommitmentTemplate]) -> list[tuple[str, list[Any]]]:
    groups: list[tuple[str, list[Any]]] = []
    for category in Category:
        entries = [t for t in templates if t.category == category.value]
        if entries:
            groups.append((str(category.label), entries))
    return groups


@member_required
def catalogue(request: OrgHttpRequest) -> HttpResponse:
    CommitmentTemplate.objects.ensure_default_catalogue(request.organization)
    templates = list(
        CommitmentTemplate.objects.for_organization(request.organization).active()
    )
    return render(
        request,
        "pledges/catalogue.html",
        _context(request, groups=_grouped(templates)),
    )


@admin_required
def catalogue_admin(request: OrgHttpRequest) -> HttpResponse:
    CommitmentTemplate.objects.ensure_default_catalogue(request.organization)
    uses = dict(
        PledgeCommitment.objects.filter(template__organization=request.organization)
        .values("template")
        .annotate(n=Count("id"))
        .values_list("template", "n")
    )
    templates = list(CommitmentTemplate.objects.for_organization(request.organization))
    for template in templates:
        template.uses = uses.get(template.pk, 0)  # type: ignore[attr-defined]
    return render(
        request,
        "pledges/catalogue_admin.html",
        _context(request, groups=_grouped(templates)),
    )


@admin_required
def confirmation_review(request: OrgHttpRequest) -> HttpResponse:
    """Allies one confirmer stands behind unusually much of: for program admins.

    Never says who that confirmer is (who an action was meant to help is the ally's
    and that person's business): only that one person confirmed so many.
    """
    flagged = [
        row
        for row in ConfirmationRequest.objects.confirmer_concentration(
            request.organization
        )
        if row.is_unusual
    ]
    names = {
        user.pk: user.name
        for user in get_user_model().objects.filter(
            pk__in=[row.member_id for row in flagged]
        )
    }
    rows = sorted(
        ((names.get(row.member_id, ""), row) for row in flagged),
        key=lambda pair: (-pair[1].from_one, pair[0]),
    )
    return render(
        request,
        "pledges/confirmation_review.html",
        _context(
            request,
            rows=rows,
            limit=settings.CONFIRMATION_FLAG_FROM_ONE,
            percent=settings.CONFIRMATION_FLAG_PERCENT,
        ),
    )


@admin_required
def catalogue_add(request: OrgHttpRequest) -> HttpResponse:
    return _catalogue_form(
        request, CommitmentTemplate(organization=request.organization)
    )


@admin_required
def catalogue_edit(request: OrgHttpRequest, pk: int) -> HttpResponse:
    return _catalogue_form(request, _get_template(request, pk))


def _catalogue_form(
    request: OrgHttpRequest, template: CommitmentTemplate
) -> HttpResponse:
    form = CommitmentTemplateForm(request.POST or None, instance=template)
    if request.method == "POST" and form.is_valid():
        try:
            services.commitment_template_save(
                template=form.instance, actor=request.user, request=request
            )
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, _("The catalogue is updated."))
            return redirect("pledges:catalogue_admin", org=request.organization.slug)
    return render(
        request,
        "pledges/catalogue_form.html",
        _context(request, form=form, template=template),
    )


@admin_required
def catalogue_set_active(request: OrgHttpRequest, pk: int) -> HttpResponse:
    template = _get_template(request, pk)  # 404 before 405: nothing to learn here
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    active = request.POST.get("active") == "1"
    services.commitment_template_set_active(
        template=template, active=active, actor=request.user, request=request
    )
    if active:
        messages.success(
            request, _("“%(title)s” is offered to members again.") % {"title": template}
        )
    else:
        messages.success(
            request,
            _("“%(title)s” is no longer offered. Pledges that chose it keep it.")
            % {"title": template},
        )
    return redirect("pledges:catalogue_admin", org=request.organization.slug)


@admin_required
def catalogue_delete(request: OrgHttpRequest, pk: int) -> HttpResponse:
    template = _get_template(request, pk)
    if template.is_used():
        messages.error(
            request,
            _(
                "Pledges already use this commitment, so it can't be deleted. Deactivate it instead."
            ),
        )
        return redirect("pledges:catalogue_admin", org=request.organization.slug)
    if request.method == "POST":
        services.commitment_template_delete(
            template=template, actor=request.user, request=request
        )
        messages.success(request, _("The commitment was deleted from the catalogue."))
        return redirect("pledges:catalogue_admin", org=request.organization.slug)
    return render(
        request, "pledges/catalogue_delete.html", _context(request, template=template)
    )


# Pledges -----------------------------------------------------------------------------------


@member_required
def my_pledges(request: OrgHttpRequest) -> HttpResponse:
    pledges = list(
        Pledge.objects.for_organization(request.organization)
        .of_member(request.user)
        .select_related("member", "organization")
        .prefetch_related("commitments", "pauses")
    )
    return render(
        request,
        "pledges/my_pledges.html",
        _context(request, rows=_with_consistency(request, pledges)),
    )


@member_required
def pledge_list(request: OrgHttpRequest) -> HttpResponse:
    qs = (
        Pledge.objects.visible_to(request.user, request.organization)
        .select_related("member", "organization")
        .prefetch_related("commitments", "pauses")
    )
    page_obj = paginate(request, qs, 20)
    rows = _with_consistency(request, list(page_obj.object_list))
    return render(
        request,
        "pledges/pledge_list.html",
        _context(request, page_obj=page_obj, rows=rows),
    )


@member_required
def pledge_create(request: OrgHttpRequest) -> HttpResponse:
    CommitmentTemplate.objects.ensure_default_catalogue(request.organization)
    templates = list(
        CommitmentTemplate.objects.for_organization(request.organization).active()
    )
    form = PledgeForm(request.POST or None)
    initial = []
    if (chosen := request.GET.get("template", "")).isdigit():
        initial = [{"template": chosen}]
    formset = CommitmentFormSet(
        request.POST or None,
        prefix="commitments",
        initial=initial,
        form_kwargs={"templates": templates},
    )
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            pledge = services.pledge_create(
                organization=request.organization,
                member=request.user,
                statement=form.cleaned_data["statement"],
                commitments=formset.commitments(),
                cadence=form.cleaned_data["cadence"],
                visibility=form.cleaned_data["visibility"],
                target_date=form.cleaned_data["target_date"],
                submission_key=form.cleaned_data["submission_key"],
            )
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(
                request,
                _("Your pledge is made. Log your first action when you have one."),
            )
            return redirect(pledge)
    return render(
        request,
        "pledges/pledge_form.html",
        _context(request, form=form, formset=formset),
    )


@member_required
def pledge_detail(request: OrgHttpRequest, pk: int) -> HttpResponse:
    pledge = get_object_or_404(
        Pledge.objects.visible_to(request.user, request.organization).select_related(
            "member", "organization"
        ),
        pk=pk,
    )
    is_owner = pledge.is_owned_by(request.user)
    actions = list(
        Action.objects.visible_to(request.user, request.organization)
        .filter(commitment__pledge=pledge)
        .select_related("commitment", "confirmation_request")
    )
    consistency = pledge.consistency(
        action_dates=None if is_owner else [a.occurred_on for a in actions]
    )
    commitments = list(pledge.commitments.all())
    for commitment in commitments:
        commitment.visible_actions = [  # type: ignore[attr-defined]
            a for a in actions if a.commitment_id == commitment.pk
        ]
    confirmed = sum(1 for a in actions if a.is_confirmed)
    return render(
        request,
        "pledges/pledge_detail.html",
        _context(
            request,
            pledge=pledge,
            is_owner=is_owner,
            commitments=commitments,
            actions=actions,
            consistency=consistency,
            confirmed_count=confirmed,
            self_reported_count=len(actions) - confirmed,
            current_streak=pledge.current_streak() if is_owner else None,
        ),
    )


def _pledge_step(
    request: OrgHttpRequest,
    pk: int,
    *,
    step: str,
) -> HttpResponse:
    """Pause or resume: a confirmation page on GET, the change on POST."""
    pledge = _get_own_pledge(request, pk)
    if request.method == "POST":
        try:
            pledge.pause() if step == "pause" else pledge.resume()
        except ValidationError as e:
            messages.error(request, " ".join(e.messages))
        else:
            messages.success(
                request,
                _("Your pledge is paused. Resume it whenever you are ready.")
                if step == "pause"
                else _("Welcome back: your pledge is active again."),
            )
        return redirect(pledge)
    return render(
        request,
        "pledges/pledge_step.html",
        _context(request, pledge=pledge, step=step),
    )


@member_required
def pledge_pause(request: OrgHttpRequest, pk: int) -> HttpResponse:
    return _pledge_step(request, pk, step="pause")


@member_required
def pledge_resume(request: OrgHttpRequest, pk: int) -> HttpResponse:
    return _pledge_step(request, pk, step="resume")


@member_required
def pledge_renew(request: OrgHttpRequest, pk: int) -> HttpResponse:
    pledge = _get_own_pledge(request, pk)
    if pledge.is_completed:
        messages.error(request, _("A completed pledge can't be renewed."))
        return redirect(pledge)
    form = PledgeRenewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            pledge.renew(form.cleaned_data["target_date"])
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, _("Your pledge is renewed."))
            return redirect(pledge)
    return render(
        request,
        "pledges/pledge_renew.html",
        _context(request, pledge=pledge, form=form),
    )


@member_required
def pledge_complete(request: OrgHttpRequest, pk: int) -> HttpResponse:
    pledge = _get_own_pledge(request, pk)
    if pledge.is_completed:
        messages.error(request, _("This pledge is already completed."))
        return redirect(pledge)
    data = request.POST if request.method == "POST" else None
    rows = [
        (c, CommitmentEndForm(data, prefix=f"c{c.pk}"))
        for c in pledge.open_commitments()
    ]
    if request.method == "POST" and all(form.is_valid() for _c, form in rows):
        try:
            services.pledge_complete(
                pledge=pledge,
                outcomes={
                    c.pk: (
                        form.cleaned_data["outcome"],
                        form.cleaned_data["reflection"],
                    )
                    for c, form in rows
                },
            )
        except ValidationError as e:
            messages.error(request, " ".join(e.messages))
        else:
            messages.success(
                request, _("Your pledge is completed. Thank you for your honesty.")
            )
            return redirect(pledge)
    return render(
        request,
        "pledges/pledge_complete.html",
        _context(
            request,
            pledge=pledge,
            rows=rows,
            ended=pledge.commitments.exclude(outcome=PledgeCommitment.Outcome.OPEN),
        ),
    )


@member_required
def commitment_end(request: OrgHttpRequest, pk: int) -> HttpResponse:
    commitment = _get_own_commitment(request, pk)
    pledge = commitment.pledge
    if not commitment.is_open or pledge.is_completed:
        messages.error(request, _("This commitment has already ended."))
        return redirect(pledge)
    form = CommitmentEndForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.commitment_end(
                commitment=commitment,
                outcome=form.cleaned_data["outcome"],
                reflection=form.cleaned_data["reflection"],
            )
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, _("The commitment is ended and on the record."))
            return redirect(pledge)
    return render(
        request,
        "pledges/commitment_end.html",
        _context(request, commitment=commitment, pledge=pledge, form=form),
    )


# Actions -----------------------------------------------------------------------------------


@member_required
def action_create(request: OrgHttpRequest, pk: int) -> HttpResponse:
    pledge = _get_own_pledge(request, pk)
    if not pledge.is_active:
        messages.error(
            request,
            _("This pledge is paused: resume it to log actions.")
            if pledge.is_paused
            else _("This pledge is completed: actions can no longer be logged."),
        )
        return redirect(pledge)
    if not pledge.open_commitments().exists():
        messages.error(
            request,
            _("Every commitment of this pledge has ended: complete the pledge."),
        )
        return redirect(pledge)
    initial = {}
    if (chosen := request.GET.get("commitment", "")).isdigit():
        initial["commitment"] = chosen
    form = ActionForm(request.POST or None, pledge=pledge, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            action = services.action_log(
                commitment=form.cleaned_data["commitment"],
                member=request.user,
                occurred_on=form.cleaned_data["occurred_on"],
                description=form.cleaned_data["description"],
                visibility=form.cleaned_data["visibility"],
                submission_key=form.cleaned_data["submission_key"],
            )
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(
                request,
                _(
                    "Your action is logged. You can ask the person it helped to confirm it."
                ),
            )
            return redirect(action)
    return render(
        request, "pledges/action_form.html", _context(request, pledge=pledge, form=form)
    )


@member_required
def action_detail(request: OrgHttpRequest, pk: int) -> HttpResponse:
    action = get_object_or_404(
        Action.objects.visible_to(request.user, request.organization).select_related(
            "commitment__pledge", "member", "organization"
        ),
        pk=pk,
    )
    is_owner = action.is_owned_by(request.user)
    return render(
        request,
        "pledges/action_detail.html",
        _context(
            request,
            action=action,
            pledge=action.commitment.pledge,
            is_owner=is_owner,
            # Who was asked is the ally's business only.
            confirmation_request=action.confirmation_request_or_none()
            if is_owner
            else None,
        ),
    )


@member_required
def confirmation_request_create(request: OrgHttpRequest, pk: int) -> HttpResponse:
    action = _get_own_action(request, pk)
    if not action.can_request_confirmation():
        messages.error(
            request, _("You have already asked someone to confirm this action.")
        )
        return redirect(action)
    form = ConfirmationRequestForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.confirmation_request_create(
                action=action,
                requester=request.user,
                recipient_email=form.cleaned_data["recipient_email"],
                recipient_name=form.cleaned_data["recipient_name"],
            )
        except services.ConfirmationRefused as e:
            form.add_error(None, e.messages)
            status = 429 if e.too_many else 200
        else:
            messages.success(
                request,
                _("Your request is on its way. You will be told if it is confirmed."),
            )
            return redirect(action)
    return render(
        request,
        "pledges/confirmation_request_form.html",
        _context(request, action=action, form=form),
        status=status,
    )


# Public pages for the person asked to confirm (no account needed) -----------------------------


def _public(response: HttpResponse) -> HttpResponse:
    """Links carry secrets: keep them out of referrers, caches and search engines.

    "same-origin", not "no-referrer": the latter makes browsers send `Origin: null`
    with the form, which CSRF protection rightly refuses. Links in the description
    carry rel="noreferrer" (alongside.lib.markdown) in any case.
    """
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _invalid_link(request: HttpRequest, reason: str) -> HttpResponse:
    status = 404 if reason == "unknown" else 410
    return _public(
        render(
            request,
            "pledges/public/confirm_invalid.html",
            {"reason": reason},
            status=status,
        )
    )


@login_not_required
@never_cache
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    try:
        confirmation = services.confirmation_request_for_token(token)
    except services.LinkInvalid as e:
        return _invalid_link(request, e.reason)
    form = ConfirmForm(request.POST or None)
    if request.method == "POST":
        if "confirm" in request.POST:
            decision = services.CONFIRM
        elif "decline" in request.POST:
            decision = services.DECLINE
        else:
            return HttpResponseBadRequest(_("Choose to confirm or decline."))
        if decision == services.DECLINE or form.is_valid():
            note = form.cleaned_data.get("note", "") if form.is_valid() else ""
            try:
                services.confirmation_respond(
                    token=token, decision=decision, note=note, responder=request.user
                )
            except services.LinkInvalid as e:
                return _invalid_link(request, e.reason)
            except ValidationError as e:
                add_errors(form, e)
            else:
                return _public(
                    render(
                        request,
                        "pledges/public/confirm_done.html",
                        {
                            "decision": decision,
                            "opt_out_url": services.opt_out_link(
                                confirmation.recipient_email
                            ),
                        },
                    )
                )
    action = confirmation.action
    return _public(
        render(
            request,
            "pledges/public/confirm.html",
            {
                "action": action,
                "ally_name": action.member.name,
                "form": form,
                "opt_out_url": services.opt_out_link(confirmation.recipient_email),
            },
        )
    )


@login_not_required
@never_cache
def opt_out(request: HttpRequest, signed: str) -> HttpResponse:
    try:
        digest = services.opt_out_digest(signed)
    except signing.BadSignature:
        return _public(
            render(
                request,
                "pledges/public/confirm_invalid.html",
                {"reason": "unknown"},
                status=404,
            )
        )
    already = RecipientOptOut.objects.filter(email_digest=digest).exists()
    if request.method == "POST" and not already:
        services.recipient_opt_out(signed=signed)
        return _public(render(request, "pledges/public/opt_out_done.html"))
    return _public(render(request, "pledges/public/opt_out.html", {"already": already}))
