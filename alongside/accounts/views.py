from __future__ import annotations

import json

from allauth.account.decorators import reauthentication_required
from allauth.core import ratelimit
from django.contrib import messages
from django.contrib.auth import logout
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from alongside.accounts import services
from alongside.accounts.forms import EraseAccountForm, ProfileForm
from alongside.audit.services import audit_record
from alongside.lib.http import AuthenticatedHttpRequest


@never_cache
def profile_edit(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST":
        if form.is_valid():
            form.save()
            messages.success(request, _("Your profile is saved."))
            return redirect("accounts:profile_edit")
        # A ModelForm sets the instance's fields while validating; reload the saved ones
        # so the page header keeps showing the stored name.
        request.user.refresh_from_db()
        messages.error(
            request, _("Nothing was saved. Please correct the errors below.")
        )
    return render(request, "accounts/profile_edit.html", {"form": form})


@never_cache
def data(request: AuthenticatedHttpRequest) -> HttpResponse:
    memberships = request.user.memberships.select_related("organization")
    return render(
        request,
        "accounts/data.html",
        {
            "memberships": memberships,
            "blockers": services.user_erase_blockers(request.user),
        },
    )


@require_GET
@never_cache
# The file holds everything about him, his pseudonyms' posts and sanctions included:
# only right after he confirms his password (allauth asks, then resumes the GET),
# so an open session on a shared screen cannot take it.
@reauthentication_required  # type: ignore[untyped-decorator]
def data_export(request: AuthenticatedHttpRequest) -> HttpResponse:
    payload = services.user_data_export(request.user)
    audit_record(action="account.data_exported", actor=request.user, request=request)
    response = HttpResponse(
        json.dumps(payload, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False),
        content_type="application/json; charset=utf-8",
    )
    filename = f"alongside-data-{timezone.localdate():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@never_cache
def erase(request: AuthenticatedHttpRequest) -> HttpResponse:
    blockers = services.user_erase_blockers(request.user)
    form = EraseAccountForm(request.POST or None, user=request.user)
    if request.method == "POST" and not blockers:
        # Password guesses from a hijacked session are limited like reauthentication.
        if not ratelimit.consume(request, action="reauthenticate", user=request.user):
            response: HttpResponse = ratelimit.respond_429(request)
            return response
        if form.is_valid():
            try:
                services.user_erase(user=request.user)
            except services.ErasureBlocked as e:
                blockers = e.organizations
            else:
                logout(request)
                return render(request, "accounts/erased.html")
    return render(
        request,
        "accounts/erase.html",
        {
            "form": form,
            "blockers": blockers,
            "deleted_organizations": services.user_erase_casualties(request.user),
        },
    )
