"""A small, atomic rate limiter on Django's cache, with O(1) cache round trips per hit.

`cache.incr` is not atomic on every backend: the database cache (our default outside
Redis) implements it as a read followed by a write (and the write resets the key's
timeout), so two requests at once could both pass. `cache.add` is atomic everywhere
(Redis SET NX, memcached add, a primary-key INSERT in the database cache), so each
allowed hit claims one of `limit` slot keys with `add`, and a slot frees itself
`window` seconds after it was taken. With only `limit` slots, never more than `limit`
hits pass in any `window` seconds (a sliding window), whatever the races.

The slots are used as a ring: a small counter key (`...:n`, a plain get/set, not atomic)
says which slot the next hit should claim (`n % limit`). The slot the counter points at
is the one taken `limit` hits ago, i.e. the oldest of the last `limit` hits: if it has
expired, fewer than `limit` hits happened in the last `window` seconds and the hit is
allowed; if it is still held, the window is full. So a hit costs one `get`, one or two
`add`s and at most one `set`, and a refused hit two `get`s and `PROBES` `add`s,
whatever the limit (the counter is written only when the first probe missed, so a key
hit once, like most signers' addresses, costs a `get` and an `add`). The counter only
steers: if simultaneous hits make it lag, an `add` finds its slot freshly taken, the next
slots are tried, and after `PROBES` misses the counter is read again and followed if it
has moved (if it has not, the window is full). A counter that is wrong can only refuse
a hit early or cost a few more round trips, never let one too many through.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import pickle
import secrets
from datetime import UTC, datetime

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.db import DatabaseCache
from django.db import connections, router
from django.utils import timezone

# Consecutive ring slots tried per hit (simultaneous hits on one key, e.g. a double
# click, take neighbouring slots).
PROBES = 3
# On the database cache, one slot claim in this many goes through `cache.add`, which
# counts the table and culls it past MAX_ENTRIES (see `_add`).
CULL_EVERY = 200


def rate_limit_hit(key: str, *, limit: int, window: int) -> bool:
    """Record one hit for `key`; return False (and record nothing) when over the limit."""
    if limit <= 0:
        return False
    counter_key = f"rl:{key}:n"
    start = _counter(counter_key)
    position, tried = start, 0
    while tried < limit:
        round_start = position
        for _ in range(min(PROBES, limit - tried)):
            tried += 1
            if _add(f"rl:{key}:{position % limit}", window):
                if position != start:
                    # Written only when the first probe missed: the counter then lags
                    # by at most one hit, and a key hit once (most signers) costs a
                    # get and an add. It outlives the slots, so it never restarts a
                    # live ring.
                    cache.set(counter_key, position + 1, timeout=2 * window)
                return True
            position += 1
        # Every probe found its slot held: either the window is full (the counter has
        # not moved: refuse) or simultaneous hits took them (it has: follow it).
        fresh = _counter(counter_key)
        if fresh <= round_start:
            return False
        position = max(position, fresh)
    return False


def _add(key: str, timeout: int) -> bool:
    """`cache.add(key, 1, timeout)`, in one statement on the database cache.

    The database cache's `add` first runs `SELECT COUNT(*)` over the whole cache table
    (to decide whether to cull), then a SELECT and an INSERT or UPDATE in a savepoint:
    the COUNT grows with the table (every signer's address is a row). On SQLite and
    PostgreSQL one `INSERT ... ON CONFLICT DO UPDATE ... WHERE expires < now` does the
    same atomically: it inserts, or takes over an expired row, or changes nothing when a
    live row holds the key (a row count of 0). Rows are written in the cache's own
    format, so `cache.get` and the cull see them; one claim in CULL_EVERY still goes
    through `cache.add` so the table is culled as before.
    """
    backend = caches["default"]
    if not isinstance(backend, DatabaseCache) or secrets.randbelow(CULL_EVERY) == 0:
        return bool(cache.add(key, 1, timeout=timeout))
    connection = connections[router.db_for_write(backend.cache_model_class)]
    if connection.vendor not in {"sqlite", "postgresql"}:
        return bool(backend.add(key, 1, timeout=timeout))
    tz = UTC if settings.USE_TZ else None
    now = timezone.now().replace(microsecond=0)
    if not settings.USE_TZ:
        now = now.replace(tzinfo=None)
    expires_at = backend.get_backend_timeout(timeout)
    assert expires_at is not None  # a number of seconds was given
    expires = datetime.fromtimestamp(expires_at, tz=tz).replace(microsecond=0)
    value = base64.b64encode(pickle.dumps(1, backend.pickle_protocol)).decode("latin1")
    table = connection.ops.quote_name(backend._table)  # type: ignore[attr-defined]
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (cache_key, value, expires) VALUES (%s, %s, %s) "
            "ON CONFLICT (cache_key) DO UPDATE SET value = excluded.value, "
            f"expires = excluded.expires WHERE {table}.expires < %s",
            [backend.make_and_validate_key(key), value, adapt(expires), adapt(now)],
        )
        return bool(cursor.rowcount == 1)


def _counter(counter_key: str) -> int:
    value = cache.get(counter_key, 0)
    return value if isinstance(value, int) and value >= 0 else 0


def private_key_part(value: str) -> str:
    """A keyed digest of a personal value (an IP address) for use in a cache key.

    The cache then holds no IP address, and the digest cannot be reversed by trying
    every address without the SECRET_KEY.
    """
    return hmac.new(
        settings.SECRET_KEY.encode(), value.encode(), hashlib.sha256
    ).hexdigest()[:32]
