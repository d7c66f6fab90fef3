"""Cadence periods: calendar weeks (Monday to Sunday), calendar months and quarters.

Pure date arithmetic, no database: the consistency measure and the check-in reminders
are built on these.
"""

from __future__ import annotations

from datetime import date, timedelta


def period_start(cadence: str, day: date) -> date:
    """The first day of the cadence period that contains `day`."""
    if cadence == "weekly":
        return day - timedelta(days=day.weekday())
    if cadence == "monthly":
        return day.replace(day=1)
    if cadence == "quarterly":
        return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    raise ValueError(f"unknown cadence {cadence!r}")


def next_period_start(cadence: str, start: date) -> date:
    """The first day of the period after the one starting on `start`."""
    if cadence == "weekly":
        return start + timedelta(days=7)
    months = 1 if cadence == "monthly" else 3
    if cadence not in {"monthly", "quarterly"}:
        raise ValueError(f"unknown cadence {cadence!r}")
    month_index = start.year * 12 + start.month - 1 + months
    return date(month_index // 12, month_index % 12 + 1, 1)


def period_end(cadence: str, day: date) -> date:
    """The last day of the cadence period that contains `day`."""
    return next_period_start(cadence, period_start(cadence, day)) - timedelta(days=1)


def periods_between(cadence: str, first: date, last: date) -> list[tuple[date, date]]:
    """The periods touching `first`..`last` (inclusive), each clipped to that range."""
    periods: list[tuple[date, date]] = []
    start = period_start(cadence, first)
    while start <= last:
        following = next_period_start(cadence, start)
        periods.append((max(start, first), min(following - timedelta(days=1), last)))
        start = following
    return periods


def is_covered(
    first: date, last: date, intervals: list[tuple[date, date | None]]
) -> bool:
    """Whether every day of `first`..`last` lies in one of the half-open `[start, end)`
    intervals (an end of None means "still going")."""
    merged: list[tuple[date, date | None]] = []
    for start, end in sorted(intervals, key=lambda i: i[0]):
        if end is not None and end <= start:
            continue  # paused and resumed on the same day: no paused day
        if merged:
            last_start, last_end = merged[-1]
            if last_end is None or start <= last_end:
                if last_end is not None and (end is None or end > last_end):
                    merged[-1] = (last_start, end)
                continue
        merged.append((start, end))
    return any(start <= first and (end is None or end > last) for start, end in merged)
