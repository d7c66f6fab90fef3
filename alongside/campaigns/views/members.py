"""Members: a confirmed signature becomes a pledge."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import (
    HttpResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from alongside.campaigns import services
from alongside.campaigns.models import Campaign
from alongside.campaigns.views.public import invalid_link
from alongside.lib.forms import add_errors
from alongside.organizations.access import (
    OrgHttpRequest,
    member_required,
)


@member_required
def pledge_from_signature(request: OrgHttpRequest, pk: int) -> HttpResponse:
    from alongside.pledges import services as pledge_services
    from alongside.pledges.forms import CommitmentFormSet, PledgeForm
    from alongside.pledges.models import CommitmentTemplate

    obj = get_object_or_404(Campaign, pk=pk, organization=request.organization)
    token = request.GET.get("from_signature", "")
    try:
        signature = services.signature_for_conversion(token, obj)
    except services.LinkInvalid as e:
        return invalid_link(request, e.reason, kind="convert")
    CommitmentTemplate.objects.ensure_default_catalogue(request.organization)
    templates = list(
        CommitmentTemplate.objects.for_organization(request.organization).active()
    )
    form = PledgeForm(
        request.POST or None,
        initial={
            "statement": _("I signed “%(title)s”, and I will back it up with action.")
            % {"title": obj.title}
        },
    )
    formset = CommitmentFormSet(
        request.POST or None, prefix="commitments", form_kwargs={"templates": templates}
    )
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            pledge = pledge_services.pledge_create(
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
            services.signature_mark_converted(signature=signature, pledge=pledge)
            messages.success(
                request,
                _(
                    "Your signature is now a pledge. Log your first action when you have one."
                ),
            )
            return redirect(pledge)
    return render(
        request,
        "campaigns/pledge_from_signature.html",
        {
            "organization": request.organization,
            "membership": request.membership,
            "campaign": obj,
            "form": form,
            "formset": formset,
        },
    )
