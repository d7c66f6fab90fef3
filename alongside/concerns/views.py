from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from alongside.organizations.models import Organization


@login_not_required
def raise_concern(request: HttpRequest, org: str) -> HttpResponse:
    organization = get_object_or_404(Organization, slug=org)
    return render(
        request, "concerns/raise.html", {"concern_organization": organization}
    )
