from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from alongside.organizations.access import OrgHttpRequest, member_required


@member_required
def wall(request: OrgHttpRequest) -> HttpResponse:
    return render(
        request,
        "recognition/wall.html",
        {"organization": request.organization, "membership": request.membership},
    )
