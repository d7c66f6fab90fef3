"""PostgreSQL: a new signature's three writes in one statement.

A new signature writes three rows: its address's rate-limit hit (`ratelimit`), the
signature (`services._insert_if_open`) and its email task (`fastinsert`). In a
transaction that is BEGIN, three statements and COMMIT: five round trips to the
server, each parsed, planned and executed on the same two cores as the app. On
PostgreSQL the three are one statement with data-modifying CTEs, run on its own (one
statement is atomic: it commits the three rows or none):

    WITH hit AS (<the rate-limit upsert> RETURNING 1),
         new AS (<the signature's INSERT ... SELECT ... FROM campaign WHERE <open>
                  AND EXISTS (SELECT 1 FROM hit) ON CONFLICT ... DO NOTHING
                  RETURNING id>),
         task AS (INSERT INTO <task table> SELECT <the task row> FROM new)
    SELECT EXISTS (SELECT 1 FROM hit), (SELECT id FROM new)

The same statements as the three steps, so the same rows and the same decisions: the
hit is recorded or refused as `ratelimit.hit` does it; the signature is inserted only
if the hit was allowed, with the same check of the campaign's state and the same
conflict handling; the task row has the values `fastinsert.PreparedTask` writes, its
arguments `{"args": [<signature id>, <language>], "kwargs": {}}` with the id put in by
`jsonb_set`. Used only when the task row can be written directly
(`PreparedTask.direct`: the database task backend, nobody else listening to its
signals) and all three tables are in one database; otherwise, and on SQLite, the view
runs the three steps in a transaction.

The statement is **prepared** (psycopg's server-side prepared statements, once per
connection and parameter types): parsing and planning it took the server more time
than executing it (250 of 460 microseconds of the server's CPU per signature,
docs/performance.md). Django leaves psycopg's prepared statements off
(`prepare_threshold` None), to keep transaction-pooling connection poolers working; its
own cursors bind parameters on the client and never prepare, so this statement alone
is prepared, on a cursor of its own. Set `CAMPAIGN_SIGN_PREPARED_STATEMENTS = False` behind
a pooler that does not support prepared statements (PgBouncer before 1.21, or without
`max_prepared_statements`).
"""

from __future__ import annotations

import json
from enum import Enum
from typing import Any

from django.conf import settings
from django.db import connections, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils.json import normalize_json
from django_tasks_db.models import DBTaskResult

from alongside.campaigns import ratelimit, services
from alongside.campaigns.fastinsert import PreparedTask, insert_plan
from alongside.campaigns.models import Signature, SignRateLimit

_SQL: dict[tuple[str, int], str] = {}  # (alias, id of the task row template)


def usable(draft: services.SignatureDraft) -> bool:
    """Whether `hit_and_store` can store this draft."""
    alias = router.db_for_write(Signature)
    return (
        draft.email_task.direct
        and connections[alias].vendor == "postgresql"
        and router.db_for_write(DBTaskResult) == alias
        and router.db_for_write(SignRateLimit) == alias
    )


def _sql(alias: str, hit_sql: str, task: PreparedTask) -> str:
    """The statement, per database and task row template. The task row's columns that
    are the same for every row of the task (its path, queue, status, run_after...)
    are SQL literals in it, quoted by psycopg: fewer parameters to send at each
    signature. Its id and enqueued_at are parameters, its arguments a jsonb parameter
    with the new signature's id put in by jsonb_set."""
    values, at_id, at_enqueued, at_args = task.template
    key = (alias, id(values))
    sql = _SQL.get(key)
    if sql is None:
        from psycopg.sql import Literal  # PostgreSQL only: SQLite never loads psycopg

        connection = connections[alias]
        connection.ensure_connection()
        qn = connection.ops.quote_name
        _task_sql, fields = insert_plan(DBTaskResult, alias)
        columns = []
        for i, value in enumerate(values):
            if i == at_args:
                columns.append("jsonb_set(%s::jsonb, '{args,0}', to_jsonb(new.id))")
            elif i in (at_id, at_enqueued):
                columns.append("%s")
            else:
                if isinstance(value, Enum):
                    value = value.value
                literal = Literal(value).as_string(connection.connection)
                columns.append(literal.replace("%", "%%"))
        new_sql = services._insert_sql(alias, gate="EXISTS (SELECT 1 FROM hit)")
        sql = (
            f"WITH hit AS ({hit_sql} RETURNING 1), "
            f"new AS ({new_sql}), "
            f"task AS (INSERT INTO {qn(str(DBTaskResult._meta.db_table))} "
            f"({', '.join(qn(str(f.column)) for f in fields)}) "
            f"SELECT {', '.join(columns)} FROM new) "
            "SELECT EXISTS (SELECT 1 FROM hit), (SELECT id FROM new)"
        )
        _SQL[key] = sql
    return sql


def hit_and_store(
    draft: services.SignatureDraft,
    *,
    client: str,
    limit: int,
    window: int,
    language: str,
) -> tuple[bool, int | None]:
    """Record the submission's rate-limit hit and, if it is allowed, insert the drafted
    signature and its email task, in one statement: (allowed, the new signature's id,
    or None when nothing was inserted: refused, campaign not open, or a repeat). The
    caller handles the last two (`services.signature_not_inserted`). `limit` > 0."""
    alias = router.db_for_write(Signature)
    hit_sql, hit_params = ratelimit.statement(client, limit=limit, window=window)
    task = draft.email_task
    sql = _sql(alias, hit_sql, task)
    # The task row with 0 for the signature's id in its arguments (jsonb_set puts the
    # new id in), as JSON text: a str is quicker to send than a Jsonb.
    row, at_args = task.row_params(0, language)
    _values, at_id, at_enqueued, _at_args = task.template
    allowed, pk = _fetch_one(
        connections[alias],
        sql,
        [
            *hit_params,
            *services._insert_params(draft.values, draft.now, alias),
            row[at_id],
            row[at_enqueued],
            json.dumps(normalize_json({"args": [0, language], "kwargs": {}})),
        ],
    )
    return bool(allowed), (None if pk is None else int(pk))


def _fetch_one(
    connection: BaseDatabaseWrapper, sql: str, params: list[Any]
) -> tuple[Any, ...]:
    """Run `sql`, prepared unless CAMPAIGN_SIGN_PREPARED_STATEMENTS is off, through
    Django's cursor wrapper (its errors as django.db errors, its query log)."""
    if not settings.CAMPAIGN_SIGN_PREPARED_STATEMENTS:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return tuple(cursor.fetchone())
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    raw = connection.connection
    connection.validate_thread_sharing()
    # A server-side-binding cursor, prepared at its first execution: psycopg prepares
    # a query once its count reaches prepare_threshold, and never while it is None
    # (Django's setting, left as it was for every other cursor of the connection).
    threshold = raw.prepare_threshold
    raw.prepare_threshold = 0
    try:
        import psycopg  # PostgreSQL only: SQLite never loads psycopg

        binding: Any = psycopg.Cursor(raw)
        wrapped = (
            connection.make_debug_cursor(binding)
            if connection.queries_logged
            else connection.make_cursor(binding)
        )
        with wrapped:
            wrapped.execute(sql, params)
            return tuple(wrapped.fetchone())
    finally:
        raw.prepare_threshold = threshold
