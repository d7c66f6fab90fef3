from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING

from django.conf import settings
from django.http import HttpRequest

if TYPE_CHECKING:
    from django_htmx.middleware import HtmxDetails

    from alongside.accounts.models import User


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


class AuthenticatedHttpRequest(HtmxHttpRequest):
    user: User


def client_ip(request: HttpRequest) -> str:
    """The client's address, for rate limits.

    Behind reverse proxies (TRUSTED_PROXY_COUNT > 0) REMOTE_ADDR is the proxy's address,
    so the client is read from X-Forwarded-For, counting hops from the right: only the
    entries our own proxies appended can be trusted, anything further left is whatever
    the client sent. allauth reads the same setting (ALLAUTH_TRUSTED_PROXY_COUNT).
    """
    trusted = settings.TRUSTED_PROXY_COUNT
    forwarded = request.headers.get("x-forwarded-for", "")
    if trusted > 0 and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",")]
        if len(hops) >= trusted:
            candidate = hops[-trusted]
            try:
                return str(ipaddress.ip_address(candidate))
            except ValueError:
                pass
    return str(request.META.get("REMOTE_ADDR", ""))
