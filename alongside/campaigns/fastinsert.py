"""Queue a task in the caller's transaction with one INSERT compiled once per process.

The signing request's share of the queue is one row: `task.enqueue()` on the database
backend builds that row with the ORM (`DBTaskResult.objects.create`), whose SQL
compilation cost more CPU than everything else the signing view does but the form
(measured in docs/performance.md). `PreparedTask` writes the same row with one INSERT
compiled once per process, and prepares it before the caller's transaction, so that
only the write happens inside it (on SQLite the transaction holds the database's write
lock from BEGIN to COMMIT).

Two ways, the same row:

- **Direct**: while nothing but django_tasks_db's own receivers listens to the row's
  signals (its `pre_save` receiver `set_run_after`, which this path applies itself, and
  django.tasks' `task_enqueued` receiver, which only logs at DEBUG level, off), the
  row's column values are computed once per task and database, and each enqueue only
  fills in its id, its `enqueued_at` and its arguments: no model instance, no signal
  nobody hears.
- **Faithful**: otherwise (another receiver connected, DEBUG logging of django.tasks
  on, a deferred task), a model instance with the same `pre_save`/`post_save`/
  `task_enqueued` signals as `task.enqueue()`.

Any other backend (the immediate one in tests, Redis...) gets a plain `task.enqueue()`.
`tests/test_performance.py` checks that both ways write what `task.enqueue()` writes.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import connections, router
from django.db.models import Field, Model
from django.db.models.signals import post_save, pre_save
from django.tasks import Task
from django.tasks.signals import log_task_enqueued, task_enqueued
from django.utils import timezone
from django.utils.json import normalize_json
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult, get_date_max
from django_tasks_db.signal_handlers import set_run_after

_TASKS_LOGGER = logging.getLogger("django.tasks")

# Per model and database: the INSERT and its fields (`insert_plan`).
_PLANS: dict[tuple[str, str], tuple[str, list[Field[Any, Any]]]] = {}
# Per task and database: the row's values as sent, but for its id, enqueued_at and
# arguments, and the positions of those three.
_ROWS: dict[tuple[object, ...], tuple[list[Any], int, int, int]] = {}


def insert_plan(model: type[Model], using: str) -> tuple[str, list[Field[Any, Any]]]:
    key = (model._meta.label, using)
    plan = _PLANS.get(key)
    if plan is None:
        meta = model._meta
        fields = [f for f in meta.concrete_fields if not f.generated]
        qn = connections[using].ops.quote_name
        sql = (
            f"INSERT INTO {qn(str(meta.db_table))} "
            f"({', '.join(qn(str(f.column)) for f in fields)}) "
            f"VALUES ({', '.join(['%s'] * len(fields))})"
        )
        plan = _PLANS[key] = (sql, fields)
    return plan


def insert_row(obj: Model) -> None:
    """`obj.save()` for a new row of a plain model whose primary key has a default
    (no inheritance, no database-generated key to read back): the same values
    (each field's `pre_save`, then `get_db_prep_save`) and signals, in an INSERT
    compiled once per model and database."""
    model = type(obj)
    using = router.db_for_write(model, instance=obj)
    connection = connections[using]
    pre_save.send(
        sender=model, instance=obj, raw=False, using=using, update_fields=None
    )
    sql, fields = insert_plan(model, using)
    params = [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
    obj._state.adding = False
    obj._state.db = using
    post_save.send(
        sender=model,
        instance=obj,
        created=True,
        update_fields=None,
        raw=False,
        using=using,
    )


def _only_default_receivers() -> bool:
    """True when nothing but django_tasks_db's and django.tasks' own receivers would
    see a task row being written, so writing it directly changes nothing."""
    return (
        pre_save._live_receivers(DBTaskResult) == ([set_run_after], [])
        and post_save._live_receivers(DBTaskResult) == ([], [])
        and task_enqueued._live_receivers(DatabaseBackend) == ([log_task_enqueued], [])
        and not _TASKS_LOGGER.isEnabledFor(logging.DEBUG)
    )


def _row_template(
    task: Task[Any, Any], backend: DatabaseBackend, using: str
) -> tuple[list[Any], int, int, int]:
    """The task's row as sent, computed once like `insert_row` would (with its
    `run_after` set as `set_run_after` sets it), and where its id, enqueued_at and
    arguments go."""
    key = (
        task.module_path,
        task.priority,
        task.queue_name,
        backend.alias,
        using,
    )
    template = _ROWS.get(key)
    if template is None:
        row: DBTaskResult[Any, Any] = DBTaskResult(
            id=backend._get_id(),
            args_kwargs={"args": [], "kwargs": {}},
            priority=task.priority,
            task_path=task.module_path,
            queue_name=task.queue_name,
            run_after=get_date_max(),
            backend_name=backend.alias,
        )
        connection = connections[using]
        _sql, fields = insert_plan(DBTaskResult, using)
        names = [f.name for f in fields]
        template = _ROWS[key] = (
            [f.get_db_prep_save(f.pre_save(row, True), connection) for f in fields],
            names.index("id"),
            names.index("enqueued_at"),
            names.index("args_kwargs"),
        )
    return template


class PreparedTask:
    """`task.enqueue(*args)` in two steps: made ready here, outside the caller's
    transaction (the task checked, its id drawn and, on the direct path, its row made
    but for its arguments), and written by `enqueue(*args)` in one precompiled INSERT.
    Use once."""

    def __init__(self, task: Task[Any, Any]) -> None:
        self.task = task
        backend = task.get_backend()
        self.backend: DatabaseBackend | None = None
        self.direct = False
        if type(backend) is DatabaseBackend:
            backend.validate_task(task)
            self.backend = backend
            self.id = backend._get_id()
            self.using = router.db_for_write(DBTaskResult)
            self.direct = task.run_after is None and _only_default_receivers()
            if self.direct:
                # The row as sent, but for its arguments. enqueued_at is now, when
                # the row is made: the moment the caller decided to enqueue it.
                connection = connections[self.using]
                _sql, fields = insert_plan(DBTaskResult, self.using)
                self.template = _row_template(task, backend, self.using)
                values, at_id, at_enqueued, self.at_args = self.template
                self.params = list(values)
                self.params[at_id] = fields[at_id].get_db_prep_save(self.id, connection)
                self.params[at_enqueued] = fields[at_enqueued].get_db_prep_save(
                    timezone.now(), connection
                )

    def enqueue(self, *args: Any, cursor: Any = None) -> None:
        """Write the row (on `cursor`, a cursor of the task table's database, if
        given)."""
        backend = self.backend
        if backend is None:
            self.task.enqueue(*args)
            return
        if not self.direct:
            self.backend = None  # once
            task = self.task
            row: DBTaskResult[Any, Any] = DBTaskResult(
                id=self.id,
                args_kwargs=normalize_json({"args": list(args), "kwargs": {}}),
                priority=task.priority,
                task_path=task.module_path,
                queue_name=task.queue_name,
                run_after=task.run_after,  # type: ignore[misc]  # None: set by its pre_save
                backend_name=backend.alias,
            )
            insert_row(row)
            task_enqueued.send(type(backend), task_result=row.task_result)
            return
        sql, _fields = insert_plan(DBTaskResult, self.using)
        params, _at_args = self.row_params(*args)
        if cursor is not None:
            cursor.execute(sql, params)
            return
        with connections[self.using].cursor() as own:
            own.execute(sql, params)

    def row_params(self, *args: Any) -> tuple[list[Any], int]:
        """The direct path's row for `enqueue(*args)`, as sent (in the order of
        `insert_plan`'s fields), and the position of its arguments; for a caller that
        writes the row itself. Uses the task up."""
        if not self.direct or self.backend is None:
            raise ValueError("only an unused task on the direct path has a row")
        self.backend = None  # once
        _sql, fields = insert_plan(DBTaskResult, self.using)
        params = self.params
        params[self.at_args] = fields[self.at_args].get_db_prep_save(
            normalize_json({"args": list(args), "kwargs": {}}),
            connections[self.using],
        )
        return params, self.at_args
