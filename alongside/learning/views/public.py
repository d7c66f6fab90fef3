"""Public: anyone holding a certificate's link can check it; no account needed."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from alongside.learning.models import (
    Certificate,
)
from alongside.lib.http import client_ip
from alongside.lib.ratelimit import private_key_part, rate_limit_hit

# Certificate checks per client address in VERIFY_WINDOW seconds.
VERIFY_LIMIT = 30
VERIFY_WINDOW = 600


@login_not_required
def certificate_verify(request: HttpRequest, code: str) -> HttpResponse:
    """Public: says whether a certificate is valid. An unknown code and a revoked one
    get the same "not valid" page (404), so nothing can be learned by trying codes.
    Codes carry 256 random bits; a per-address rate limit is a second fence."""
    key = f"learning:verify:{private_key_part(client_ip(request))}"
    if not rate_limit_hit(key, limit=VERIFY_LIMIT, window=VERIFY_WINDOW):
        return render(
            request, "learning/certificate_invalid.html", {"too_many": True}, status=429
        )
    certificate = (
        Certificate.objects.valid().filter(code=code).first()
        if len(code) <= 64
        else None
    )
    if certificate is None:
        response = render(request, "learning/certificate_invalid.html", status=404)
    else:
        response = render(
            request, "learning/certificate_verify.html", {"certificate": certificate}
        )
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"
    return response
