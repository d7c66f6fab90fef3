"""Keyset pagination: pages follow a (timestamp, id) position, never OFFSET, never COUNT.

A page asks for `per_page + 1` rows after the cursor; the extra row, if any, only says
that there is a next page. The position is the last row's (timestamp, id), so rows that
share a timestamp are neither skipped nor repeated.

The cursor in the URL is that last row's random `uid`, and the server looks its
(timestamp, id) up again, within the same list: a URL never carries an exact time or a
sequential id (in a safe space either would help tie a post to its writer's activity),
and a uid from another list positions nothing.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.db.models import Model, Q, QuerySet


@dataclass(frozen=True)
class KeysetPage[T: Model]:
    items: list[T]
    next_cursor: str | None
    is_first: bool

    @property
    def has_next(self) -> bool:
        return self.next_cursor is not None


def _position(
    queryset: QuerySet[Any], field: str, cursor: str | None, tiebreak: str = "id"
) -> tuple[Any, Any] | None:
    """The (timestamp, id) of the row of `queryset` whose uid is `cursor`; None for a
    missing or malformed cursor, or one naming a row outside the list."""
    if not cursor:
        return None
    try:
        uid = uuid.UUID(cursor)
    except ValueError:
        return None
    found = queryset.filter(uid=uid).values_list(field, tiebreak).first()
    return (found[0], found[1]) if found is not None else None


def keyset_page[T: Model](
    queryset: QuerySet[T],
    *,
    field: str,
    cursor: str | None,
    per_page: int,
    descending: bool = False,
    scope: QuerySet[T] | None = None,
    tiebreak: str = "id",
) -> KeysetPage[T]:
    """One page of `queryset` ordered by (`field`, `tiebreak`), after the row named by
    `cursor` (its uid), looked up in `scope` (by default the list itself; a thread page
    passes all of the thread's posts, so a post hidden from this viewer still
    positions). `field` may be an annotation (search pages by the day); `tiebreak`
    "uid" orders the rows of one day at random instead of in creation order."""
    direction = "-" if descending else ""
    ordered = queryset.order_by(f"{direction}{field}", f"{direction}{tiebreak}")
    position = _position(
        scope if scope is not None else queryset, field, cursor, tiebreak
    )
    if position is not None:
        moment, pk = position
        op = "lt" if descending else "gt"
        filters: dict[str, Any] = {f"{field}__{op}": moment}
        same: dict[str, Any] = {field: moment, f"{tiebreak}__{op}": pk}
        ordered = ordered.filter(Q(**filters) | Q(**same))
    rows = list(ordered[: per_page + 1])
    next_cursor = None
    if len(rows) > per_page:
        rows = rows[:per_page]
        next_cursor = str(rows[-1].uid)  # type: ignore[attr-defined]
    return KeysetPage(items=rows, next_cursor=next_cursor, is_first=position is None)
