"""The visitor's own CSRF token in a page rendered once for everyone.

The public campaign page and the "Check your inbox" answer are rendered once per process
with `CSRF_PLACEHOLDER` where the token goes (page_html.py); each answer puts in the
visitor's own token, freshly masked (`with_csrf_token`, and `answer_with_csrf_token` for
`PublicPageFastPath` in middleware.py).
"""

from __future__ import annotations

import re
import secrets

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import (
    CSRF_ALLOWED_CHARS,
    CSRF_SECRET_LENGTH,
    get_token,
)
from django.utils.cache import patch_vary_headers

from alongside.campaigns import public_cache

# The placeholder for the token in pages rendered once per process (random per
# process, so no campaign text can contain it).
CSRF_PLACEHOLDER = f"csrf{secrets.token_hex(16)}"


def with_csrf_token(request: HttpRequest, html: str) -> HttpResponse:
    """A page rendered once with a placeholder, answered with the visitor's own token.

    The token is the visitor's CSRF secret (from their cookie) under a fresh random
    mask, as `get_token` makes it (`masked_csrf_token`). `get_token` would also mark
    the CSRF cookie to be sent again, only to renew its one-year expiry; a campaign
    page or a "Check your inbox" answer skips that Set-Cookie (and its date formatting)
    when the request came with a valid cookie. A visitor without one (or with a
    malformed one) gets a new cookie through `get_token` as usual, and a cookie the
    middleware has marked for an update (e.g. rotated) is still sent. Vary: Cookie is
    set either way: the page holds a per-visitor token, so no shared cache may serve it
    to anyone else.
    """
    secret = request.META.get("CSRF_COOKIE")
    if isinstance(secret, str) and _CSRF_SECRET.fullmatch(secret):
        token = masked_csrf_token(secret)
    else:
        token = get_token(request)
    response = HttpResponse(html.replace(CSRF_PLACEHOLDER, token))
    patch_vary_headers(response, ("Cookie",))
    return response


def answer_with_csrf_token(
    request: HttpRequest, answer: public_cache.Answer, html: str
) -> HttpResponse | None:
    """A known answer, given again without the middleware stack (middleware.py).

    `html` is the cached page the answer came from, with the visitor's own CSRF token
    put in, as `with_csrf_token` does, if the answer had one; None if it had one and
    the visitor has no well-formed CSRF cookie (the full stack then sets one). The
    headers are the full stack's, as learned; only Content-Length is worked out.
    """
    if answer.csrf_token:
        secret = request.COOKIES.get(settings.CSRF_COOKIE_NAME)
        if secret is None or not _CSRF_SECRET.fullmatch(secret):
            return None
        html = html.replace(CSRF_PLACEHOLDER, masked_csrf_token(secret))
    response = HttpResponse(html, headers=answer.headers)
    response.headers["Content-Length"] = str(len(response.content))
    return response


_CSRF_CHARS = CSRF_ALLOWED_CHARS
_CSRF_INDEX = {c: i for i, c in enumerate(_CSRF_CHARS)}
_CSRF_BASE = len(_CSRF_CHARS)
_CSRF_ACCEPT = 256 - 256 % _CSRF_BASE  # bytes below this are uniform modulo the base
_CSRF_SECRET = re.compile(f"[{re.escape(_CSRF_CHARS)}]{{{CSRF_SECRET_LENGTH}}}")


def masked_csrf_token(secret: str) -> str:
    """`django.middleware.csrf.get_token`'s masked token for `secret`, made faster.

    The same format (a random mask of CSRF_SECRET_LENGTH characters, then each secret
    character shifted by the mask's, modulo CSRF_ALLOWED_CHARS) and the same
    randomness (each mask character uniform over the allowed characters, from the
    operating system's CSPRNG), so the CSRF middleware accepts it and no two answers
    share a token (BREACH). Django draws each mask character with
    `secrets.choice`; here 32 characters come from one `secrets.token_bytes` call by
    rejection sampling (bytes at or above a multiple of the alphabet's size are
    dropped, so none is likelier than another): 8x less CPU, on a path every signing
    answer and every campaign page takes.
    """
    mask = [b % _CSRF_BASE for b in secrets.token_bytes(48) if b < _CSRF_ACCEPT]
    while len(mask) < CSRF_SECRET_LENGTH:
        mask.extend(b % _CSRF_BASE for b in secrets.token_bytes(16) if b < _CSRF_ACCEPT)
    del mask[CSRF_SECRET_LENGTH:]
    chars, index, base = _CSRF_CHARS, _CSRF_INDEX, _CSRF_BASE
    return "".join([chars[m] for m in mask]) + "".join(
        [chars[(index[c] + m) % base] for c, m in zip(secret, mask, strict=True)]
    )
