"""The per-address limit on signing submissions, in one statement per submission.

Never more than `limit` submissions from one client address pass in any `window`
seconds (a sliding window), in every server process at once, whatever the races.

Each address has one row (`models.SignRateLimit`) holding a ring of the times of its
last `limit` allowed submissions, oldest at `next_slot`. A submission is allowed when
that oldest time is at least `window` seconds ago (or the slot has never been used):
fewer than `limit` submissions then happened in the last `window` seconds. One
`INSERT ... ON CONFLICT (client) DO UPDATE ... WHERE <oldest slot expired>` decides and
records it atomically on SQLite and PostgreSQL (the conflicting row is locked, and the
WHERE sees its latest version): a first submission inserts the row; a later one writes
its time into the oldest slot and moves `next_slot` on; a refused one changes nothing
(a row count of 0). The ring grows one slot per allowed submission up to `limit` slots,
so an address seen once (most signers) stores one time.

It runs in the signing request's transaction, so a submission that is rolled back
(the database dropped before the commit) is not counted either.

This replaces, for signing only, `alongside.lib.ratelimit.rate_limit_hit` on the cache,
which costs a read of the ring's counter and an insert of a slot (two statements on the
database cache) for the same sliding window. Rows of addresses not seen for a window
are deleted now and then by signing requests (`maybe_purge`, a bounded DELETE in a
random part of the key space, after the commit) and all at once by
`manage.py reconcile_campaign_counters`.
"""

from __future__ import annotations

import hashlib
import logging
import random
import time
import uuid
from typing import Any, cast

from django.db import DatabaseError, connections, router, transaction
from django.db.models import Field

from alongside.campaigns.models import SignRateLimit

logger = logging.getLogger(__name__)

SLOT = 10  # characters per time in the ring: Unix seconds, zero-padded
# One signing request in this many deletes up to PURGE_BATCH expired rows from one
# PARTS-th of the key space (a random one).
PURGE_EVERY = 500
PURGE_BATCH = 1000
PARTS = 64

_SQL: dict[str, str] = {}
_CLIENT = cast("Field[Any, Any]", SignRateLimit._meta.get_field("client"))


def _sql(alias: str) -> str:
    sql = _SQL.get(alias)
    if sql is None:
        connection = connections[alias]
        qn = connection.ops.quote_name
        meta: Any = SignRateLimit._meta
        table = qn(meta.db_table)
        client, hits, next_slot, expires_at = (
            qn(str(meta.get_field(name).column))
            for name in ("client", "hits", "next_slot", "expires_at")
        )
        # The oldest slot of the ring; '' (never used) reads as time 0.
        oldest = (
            f"CAST(COALESCE(NULLIF(SUBSTR({table}.{hits}, "
            f"{table}.{next_slot} * {SLOT} + 1, {SLOT}), ''), '0') AS BIGINT)"
        )
        sql = (
            f"INSERT INTO {table} ({client}, {hits}, {next_slot}, {expires_at}) "
            "VALUES (%s, %s, %s, %s) "
            f"ON CONFLICT ({client}) DO UPDATE SET "
            f"{hits} = SUBSTR({table}.{hits}, 1, {table}.{next_slot} * {SLOT}) "
            f"|| %s || SUBSTR({table}.{hits}, {table}.{next_slot} * {SLOT} + {SLOT + 1}), "
            f"{next_slot} = ({table}.{next_slot} + 1) %% %s, "
            f"{expires_at} = %s "
            f"WHERE {oldest} <= %s"
        )
        _SQL[alias] = sql
    return sql


def alias() -> str:
    """The database the hits are written to."""
    return router.db_for_write(SignRateLimit)


def statement(
    client: str, *, limit: int, window: int, now: float | None = None
) -> tuple[str, list[Any]]:
    """The INSERT ... ON CONFLICT of one submission from `client` and its parameters;
    one row changed when the submission is allowed, none when it is refused. (`hit`
    runs it; `pgsign` runs it as part of a larger statement.) `limit` > 0."""
    seconds = int(time.time() if now is None else now)
    stamp = f"{seconds:0{SLOT}d}"
    if len(stamp) != SLOT:
        raise ValueError(f"time {seconds} does not fit the ring's slots")
    alias = router.db_for_write(SignRateLimit)
    key = uuid.UUID(
        bytes=hashlib.sha256(f"{limit}:{window}:{client}".encode()).digest()[:16]
    )
    expires = seconds + window
    return _sql(alias), [
        _CLIENT.get_db_prep_value(key, connections[alias]),
        stamp,
        1 % limit,
        expires,
        stamp,
        limit,
        expires,
        seconds - window,
    ]


def hit(client: str, *, limit: int, window: int, now: float | None = None) -> bool:
    """Record one submission from `client` (a keyed digest of its address); False, and
    nothing recorded, when `limit` submissions already passed in the last `window`
    seconds. The limit and window are part of the row's key, so changing either
    starts every address afresh. One statement: outside a transaction, it is its own.
    """
    if limit <= 0:
        return False
    sql, params = statement(client, limit=limit, window=window, now=now)
    with connections[router.db_for_write(SignRateLimit)].cursor() as cursor:
        cursor.execute(sql, params)
        return bool(cursor.rowcount == 1)


def purge_expired(
    *, now: float | None = None, batch: int | None = None, part: int | None = None
) -> int:
    """Delete the rows of addresses with no submission in their window; the number
    deleted. Such a row allows its next submission exactly as a missing one does, so
    deleting it changes no decision.

    All of them, or (`part`, 0 to PARTS - 1) only those whose key falls in that
    PARTS-th of the key space, at most `batch`: the keys are uniformly spread UUIDs,
    so a part is a range of the primary key, read through its index. (`expires_at`
    has no index: it would be one more index written by every submission.)
    """
    seconds = int(time.time() if now is None else now)
    expired = SignRateLimit.objects.filter(expires_at__lt=seconds)
    if part is not None:
        expired = expired.filter(client__gte=_part_start(part))
        if part + 1 < PARTS:
            expired = expired.filter(client__lt=_part_start(part + 1))
    if batch is None:
        deleted, _by_model = expired.delete()
        return deleted
    alias = router.db_for_write(SignRateLimit)
    connection = connections[alias]
    # Rows another transaction holds (a submission being recorded) are skipped.
    skip_locked = connection.features.has_select_for_update_skip_locked
    keys = expired.order_by().values("client")[:batch]
    if skip_locked:
        keys = keys.select_for_update(skip_locked=True)
    with transaction.atomic(using=alias):
        deleted, _by_model = SignRateLimit.objects.filter(client__in=keys).delete()
    return deleted


def _part_start(part: int) -> uuid.UUID:
    return uuid.UUID(int=part * (1 << 128) // PARTS)


def maybe_purge() -> None:
    """Now and then (one call in PURGE_EVERY), delete a batch of expired rows. Called
    after the signing request's commit; a failure is logged, never raised."""
    if random.random() >= 1 / PURGE_EVERY:  # a sample, not a secret
        return
    try:
        purge_expired(batch=PURGE_BATCH, part=random.randrange(PARTS))
    except DatabaseError as e:
        logger.warning("campaign sign rate limit: purge failed (%s)", type(e).__name__)
