from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from alongside.lib.http import AuthenticatedHttpRequest


def profile_edit(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(request, "accounts/profile_edit.html")


def data(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(request, "accounts/data.html")
