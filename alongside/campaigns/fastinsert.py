"""Queue a task in the caller's transaction with one INSERT compiled once per process.

The signing request's share of the queue is one row: `task.enqueue()` on the database
backend builds that row with the ORM (`DBTaskResult.objects.create`), whose SQL
compilation cost more CPU than everything else the signing view does but the form
(measured in docs/performance.md). `enqueue_now` writes the same row, with the same
values, defaults and `pre_save`/`post_save`/`task_enqueued` signals, but compiles its
INSERT once per model and database. Any other backend (the immediate one in tests,
Redis...) gets a plain `task.enqueue()`.
"""

from __future__ import annotations

from typing import Any

from django.db import connections, router
from django.db.models import Model
from django.db.models.signals import post_save, pre_save
from django.tasks import Task
from django.tasks.signals import task_enqueued
from django.utils.json import normalize_json
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult

_SQL: dict[tuple[str, str], str] = {}


def insert_row(obj: Model) -> None:
    """`obj.save()` for a new row of a plain model whose primary key has a default
    (no inheritance, no database-generated key to read back)."""
    model = type(obj)
    meta = obj._meta
    using = router.db_for_write(model, instance=obj)
    connection = connections[using]
    pre_save.send(
        sender=model, instance=obj, raw=False, using=using, update_fields=None
    )
    fields = [f for f in meta.concrete_fields if not f.generated]
    key = (meta.label, using)
    sql = _SQL.get(key)
    if sql is None:
        qn = connection.ops.quote_name
        sql = (
            f"INSERT INTO {qn(str(meta.db_table))} "
            f"({', '.join(qn(str(f.column)) for f in fields)}) "
            f"VALUES ({', '.join(['%s'] * len(fields))})"
        )
        _SQL[key] = sql
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


def enqueue_now(task: Task[Any, Any], *args: Any) -> None:
    """`task.enqueue(*args)`, in one precompiled INSERT on the database backend."""
    backend = task.get_backend()
    if type(backend) is not DatabaseBackend:
        task.enqueue(*args)
        return
    backend.validate_task(task)
    row: DBTaskResult[Any, Any] = DBTaskResult(
        id=backend._get_id(),
        args_kwargs=normalize_json({"args": list(args), "kwargs": {}}),
        priority=task.priority,
        task_path=task.module_path,
        queue_name=task.queue_name,
        run_after=task.run_after,  # type: ignore[misc]  # None: set by its pre_save
        backend_name=backend.alias,
    )
    insert_row(row)
    task_enqueued.send(type(backend), task_result=row.task_result)
