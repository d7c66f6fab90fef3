"""Anonymous visitors' campaign page and live counter, answered without the middleware
stack when the answer is known.

A campaign going viral is read by thousands of anonymous visitors a second, and its
page polls the counter every 3 s. Both are already kept per process (public_cache), so
what each such request still cost was the rest of Django's middleware stack (sessions,
language, CSRF, authentication, messages, the security headers, a database health
check): under load, about 40 % of the page's cost (docs/performance.md, "Campaign page
without the middleware stack").

`PublicPageFastPath` sits right after `DatabaseUnavailableMiddleware`. A request goes
through the full stack, as usual, unless all of these hold:

- it is a GET with no session cookie and no messages cookie, so its visitor is
  anonymous and has no message waiting (any other visitor gets their own page);
- the full stack has already answered a request with the same path, language (as
  LocaleMiddleware chooses it, from the language cookie and Accept-Language), scheme and
  host, with a 200 that set no cookie, from a view that marked its answer as
  repeatable (`public_cache.mark_answer`: the anonymous campaign page, the counter);
- the page that answer came from is still fresh in public_cache (at most
  `CAMPAIGN_PUBLIC_CACHE_SECONDS` old; a change made in this process drops it at once);
- for the campaign page, the visitor has a well-formed CSRF cookie (a visitor without
  one gets it from the full stack).

Then the answer is that page, with the visitor's own CSRF token (freshly masked, as
`get_token` would) where the page has one, and exactly the headers the full stack sent
with it: they are copied from its answer, never worked out here, so Content-Security-
Policy, X-Frame-Options, Vary, Content-Language and Cache-Control are the stack's own.
The middleware before this one (security headers, WhiteNoise, database errors) still
applies. Every fresh render of a page goes through the full stack, so each process
relearns each answer at least once per `CAMPAIGN_PUBLIC_CACHE_SECONDS`. Tests compare the
two answers header by header (tests/test_fast_path.py).
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse
from django.utils import translation

from alongside.campaigns import public_cache
from alongside.campaigns.visitor_csrf import answer_with_csrf_token


class PublicPageFastPath:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = request_key(request)
        if key is not None:
            known = public_cache.known_answer(key)
            if known is not None:
                response = answer_with_csrf_token(request, *known)
                if response is not None:
                    return response
        response = self.get_response(request)
        if key is not None:
            public_cache.learn_answer(key, response)
        return response


def request_key(request: HttpRequest) -> tuple[object, ...] | None:
    """What an anonymous visitor's answer may depend on, or None if it may depend on
    more (a signed-in visitor, a message to show, another method)."""
    if request.method != "GET" or settings.CSRF_USE_SESSIONS:
        return None
    cookies = request.COOKIES
    if settings.SESSION_COOKIE_NAME in cookies or CookieStorage.cookie_name in cookies:
        return None
    try:
        host = request.get_host()
    except DisallowedHost:
        return None  # the full stack answers 400
    return (
        request.path_info,
        translation.get_language_from_request(request),
        request.is_secure(),
        host,
    )
