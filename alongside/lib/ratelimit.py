"""A small, atomic rate limiter on Django's cache.

`cache.incr` is not atomic on every backend: the database cache (our default outside
Redis) implements it as a read followed by a write, so two requests at once could both
pass. `cache.add` is atomic everywhere (Redis SET NX, memcached add, a primary-key
INSERT in the database cache), so each allowed hit claims one of `limit` slots with
`add`. A slot frees itself `window` seconds after it was taken, which makes this a
sliding window: never more than `limit` hits in any `window` seconds.
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.core.cache import cache


def rate_limit_hit(key: str, *, limit: int, window: int) -> bool:
    """Record one hit for `key`; return False (and record nothing) when over the limit."""
    return any(
        cache.add(f"rl:{key}:{slot}", 1, timeout=window) for slot in range(limit)
    )


def private_key_part(value: str) -> str:
    """A keyed digest of a personal value (an IP address) for use in a cache key.

    The cache then holds no IP address, and the digest cannot be reversed by trying
    every address without the SECRET_KEY.
    """
    return hmac.new(
        settings.SECRET_KEY.encode(), value.encode(), hashlib.sha256
    ).hexdigest()[:32]
