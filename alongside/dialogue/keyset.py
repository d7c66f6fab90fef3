"""Keyset pagination: pages follow a (timestamp, id) cursor, never OFFSET, never COUNT.

A page asks for `per_page + 1` rows after the cursor; the extra row, if any, only says
that there is a next page. The cursor is the last row's (timestamp, id), so rows that
share a timestamp are neither skipped nor repeated.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
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


def encode_cursor(moment: datetime, pk: int) -> str:
    return f"{moment.isoformat()}_{pk}"


def decode_cursor(cursor: str | None) -> tuple[datetime, int] | None:
    """The (timestamp, id) in a cursor; None for a missing or malformed one."""
    if not cursor:
        return None
    moment, _sep, pk = cursor.rpartition("_")
    try:
        parsed = datetime.fromisoformat(moment)
        number = int(pk)
    except ValueError:
        return None
    if parsed.tzinfo is None or number < 0:
        return None
    return parsed, number


def keyset_page[T: Model](
    queryset: QuerySet[T],
    *,
    field: str,
    cursor: str | None,
    per_page: int,
    descending: bool = False,
) -> KeysetPage[T]:
    """One page of `queryset` ordered by (`field`, id), after `cursor`."""
    direction = "-" if descending else ""
    ordered = queryset.order_by(f"{direction}{field}", f"{direction}id")
    position = decode_cursor(cursor)
    if position is not None:
        moment, pk = position
        op = "lt" if descending else "gt"
        filters: dict[str, Any] = {f"{field}__{op}": moment}
        same: dict[str, Any] = {field: moment, f"id__{op}": pk}
        ordered = ordered.filter(Q(**filters) | Q(**same))
    rows = list(ordered[: per_page + 1])
    next_cursor = None
    if len(rows) > per_page:
        rows = rows[:per_page]
        last = rows[-1]
        next_cursor = encode_cursor(getattr(last, field), last.pk)
    return KeysetPage(items=rows, next_cursor=next_cursor, is_first=position is None)
