"""Break-glass reveal pages (program admins only): request a reveal of a safe-space
pseudonym, the list of requests, and one request's page where a second, different
program admin approves or declines within 72 hours. Approving needs a distinct person
(safespace.reveal_approval_refusal: an admin of long enough standing, not owing the role
to the requester) who passes his second factor again.

Every page is behind `admin_required` (program admins of the organization, with its
two-factor rule; never cached), loads objects within the organization and answers 404
otherwise. The member behind a pseudonym is shown only on an approved request's page,
only to its requester and its approver, and each showing is an audited key use.
"""

from __future__ import annotations

from uuid import UUID

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from alongside.dialogue import safespace
from alongside.dialogue.models import Post, RevealRequest
from alongside.organizations.access import (
    OrgHttpRequest,
    admin_required,
    user_has_mfa,
)

DECIDED_SHOWN = 50


class RevealRequestForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why this reveal is needed"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy(
            "The safety case that needs it. A second administrator reads this "
            "before deciding; it is kept in the audit log."
        ),
        error_messages={"required": gettext_lazy("Say why this reveal is needed.")},
    )

    def clean_reason(self) -> str:
        reason: str = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Say why this reveal is needed."))
        return reason


def _reveals(request: OrgHttpRequest) -> QuerySet[RevealRequest]:
    return RevealRequest.objects.filter(
        pseudonym__space__organization=request.organization
    ).select_related("pseudonym__space", "requested_by", "decided_by")


@admin_required
def reveal_request(request: OrgHttpRequest, post_uid: UUID) -> HttpResponse:
    """Ask for the reveal of the pseudonym that wrote a safe-space post."""
    post = get_object_or_404(
        Post.objects.select_related(
            "pseudonym__space__organization", "thread__space__circle"
        ),
        thread__space__organization=request.organization,
        uid=post_uid,
        pseudonym__isnull=False,
    )
    if not post.thread.space.is_visible_to(request.user):
        raise Http404
    pseudonym = post.pseudonym
    assert pseudonym is not None
    form = RevealRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            reveal = safespace.reveal_request(
                pseudonym=pseudonym,
                requester=request.user,
                reason=form.cleaned_data["reason"],
            )
        except safespace.RevealRefused as e:
            form.add_error(None, e.message)
        else:
            messages.success(
                request,
                _(
                    "Your request is recorded. A second administrator must approve "
                    "it within 72 hours."
                ),
            )
            return redirect(
                "dialogue:reveal", org=request.organization.slug, reveal_id=reveal.pk
            )
    return render(
        request,
        "dialogue/reveal/request.html",
        {
            "organization": request.organization,
            "membership": request.membership,
            "post": post,
            "pseudonym": pseudonym,
            "form": form,
        },
    )


@admin_required
def reveal_list(request: OrgHttpRequest) -> HttpResponse:
    safespace.expire_reveals(request.organization.pk)
    reveals = _reveals(request)
    return render(
        request,
        "dialogue/reveal/list.html",
        {
            "organization": request.organization,
            "membership": request.membership,
            "pending": list(reveals.filter(status=RevealRequest.Status.PENDING)),
            "decided": list(
                reveals.exclude(status=RevealRequest.Status.PENDING)[:DECIDED_SHOWN]
            ),
        },
    )


@admin_required
def reveal_detail(request: OrgHttpRequest, reveal_id: UUID) -> HttpResponse:
    reveal = get_object_or_404(_reveals(request), pk=reveal_id)
    if safespace.reveal_is_expired(reveal):
        safespace.expire_reveals(request.organization.pk)
        reveal.refresh_from_db()
    owner = safespace.revealed_owner(reveal, request.user)
    refusal = None
    if (
        reveal.status == RevealRequest.Status.PENDING
        and reveal.requested_by_id != request.user.pk
    ):
        # Said before the approver tries: the rules that make him the wrong second
        # person (the second factor is asked for when he approves).
        refusal = safespace.reveal_approval_refusal(
            reveal, request.user, mfa_passed=True
        )
    return render(
        request,
        "dialogue/reveal/detail.html",
        {
            "organization": request.organization,
            "membership": request.membership,
            "reveal": reveal,
            "pseudonym": reveal.pseudonym,
            "owner": owner,
            "is_requester": reveal.requested_by_id == request.user.pk,
            "approval_refusal": refusal,
            "tenure_days": settings.REVEAL_APPROVER_TENURE_DAYS,
            "deadline": reveal.requested_at + safespace.REVEAL_WINDOW,
        },
    )


@require_POST
@admin_required
def reveal_decide(request: OrgHttpRequest, reveal_id: UUID) -> HttpResponse:
    reveal = get_object_or_404(_reveals(request), pk=reveal_id)
    decision = request.POST.get("decision")
    if decision not in ("approve", "decline"):
        messages.error(request, _("Choose to approve or to decline the request."))
        return redirect(
            "dialogue:reveal", org=request.organization.slug, reveal_id=reveal.pk
        )
    approve = decision == "approve"
    mfa_passed = safespace.recently_passed_mfa(request)
    if (
        approve
        and not mfa_passed
        and user_has_mfa(request.user)
        and safespace.reveal_approval_refusal(reveal, request.user, mfa_passed=True)
        is None
    ):
        # Everything else allows it: ask for the second factor, then back to the page.
        messages.info(
            request,
            _(
                "Approving a reveal needs your second factor again: enter a code from "
                "your authenticator app, then approve."
            ),
        )
        detail = reverse(
            "dialogue:reveal",
            kwargs={"org": request.organization.slug, "reveal_id": reveal.pk},
        )
        return redirect(
            f"{reverse('mfa_reauthenticate')}?{urlencode({'next': detail})}"
        )
    try:
        safespace.reveal_decide(
            reveal, approver=request.user, approve=approve, mfa_passed=mfa_passed
        )
    except safespace.RevealRefused as e:
        messages.error(request, e.message)
    except PermissionDenied:
        raise Http404 from None
    else:
        messages.success(
            request,
            _("Approved. The member has been told.")
            if decision == "approve"
            else _("Declined. Nobody learns who it is."),
        )
    return redirect(
        "dialogue:reveal", org=request.organization.slug, reveal_id=reveal.pk
    )


__all__ = ["reveal_decide", "reveal_detail", "reveal_list", "reveal_request"]
