"""The baseline: a bare view that inserts one row under a unique constraint.

It runs behind the same middleware as every page (sessions, CSRF, login-required opt-out,
security headers...), on the same server and database, so the campaign signing endpoint's
throughput divided by this view's is the cost of the endpoint's own work: validation,
normalization, the rate limit, the signature and its email, the template.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed

from bench.baseline.models import BaselineRow


@login_not_required
def insert_one(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    email = request.POST.get("email", "")[:254]
    if not email:
        return HttpResponse("email missing\n", status=400, content_type="text/plain")
    try:
        with transaction.atomic():
            BaselineRow.objects.create(email=email)
    except IntegrityError:
        return HttpResponse("already stored\n", content_type="text/plain")
    return HttpResponse("stored\n", content_type="text/plain")
