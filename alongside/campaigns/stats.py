"""The campaign dashboard's figures, with DESIGN.md's small-number suppression.

Only confirmed signatures are counted. The gender breakdown hides every cell under the
organization's `min_group_size` (k, default 5) and, because the total is public, also
enough further cells that no hidden cell can be recovered by subtraction: at least two
hidden cells, whose sum is itself at least k. Countries under k are pooled into one
unnamed group. The dashboard has no filters, so no second view can be differenced
against the first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from alongside.campaigns.countries import country_name
from alongside.campaigns.models import Gender, Signature

if TYPE_CHECKING:
    from alongside.campaigns.models import Campaign

CHART_WIDTH = 720
CHART_HEIGHT = 200
CHART_LABEL_SPACE = 24


@dataclass(frozen=True)
class Bar:
    start: date
    end: date
    count: int
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Timeline:
    bars: list[Bar]
    weekly: bool
    peak: int
    width: int = CHART_WIDTH
    height: int = CHART_HEIGHT
    label_space: int = CHART_LABEL_SPACE

    @property
    def total_height(self) -> int:
        return self.height + self.label_space

    @property
    def last_day(self) -> date | None:
        return self.bars[-1].end if self.bars else None


def timeline(campaign: Campaign, *, today: date | None = None) -> Timeline:
    """Confirmed signatures per day (per week when the span is over 60 days)."""
    today = today or timezone.localdate()
    rows = (
        Signature.objects.for_campaign(campaign)
        .confirmed()
        .annotate(day=TruncDate("confirmed_at"))
        .values("day")
        .annotate(n=Count("id"))
        .order_by("day")
    )
    per_day = {row["day"]: row["n"] for row in rows}
    first = timezone.localdate(campaign.starts_at)
    if per_day:
        first = min(first, min(per_day))
    last = today
    for moment in (campaign.closed_at, campaign.ends_at):
        if moment is not None:
            last = min(last, timezone.localdate(moment))
    if per_day:
        last = max(last, max(per_day))
    if last < first:
        last = first
    weekly = (last - first).days > 60
    buckets: list[tuple[date, date, int]] = []
    if weekly:
        start = first - timedelta(days=first.weekday())
        while start <= last:
            end = start + timedelta(days=6)
            total = sum(n for d, n in per_day.items() if start <= d <= end)
            buckets.append((start, end, total))
            start = end + timedelta(days=1)
    else:
        day = first
        while day <= last:
            buckets.append((day, day, per_day.get(day, 0)))
            day += timedelta(days=1)
    peak = max((n for _s, _e, n in buckets), default=0)
    slot = CHART_WIDTH / max(len(buckets), 1)
    bars = []
    for index, (start, end, n) in enumerate(buckets):
        height = (CHART_HEIGHT - 10) * n / peak if peak else 0
        bars.append(
            Bar(
                start=start,
                end=end,
                count=n,
                x=round(index * slot + slot * 0.1, 2),
                y=round(CHART_HEIGHT - height, 2),
                width=round(max(slot * 0.8, 1), 2),
                height=round(height, 2),
            )
        )
    return Timeline(bars=bars, weekly=weekly, peak=peak)


@dataclass(frozen=True)
class Cell:
    label: str
    count: int | None  # None: suppressed
    percent: int | None


def suppress(counts: dict[str, int], k: int) -> set[str]:
    """Keys to hide so that no count under k can be seen or derived from the total."""
    hidden = {key for key, n in counts.items() if n < k}
    if not hidden:
        return hidden
    while len(hidden) < len(counts) and (
        len(hidden) < 2 or sum(counts[key] for key in hidden) < k
    ):
        smallest = min(
            (key for key in counts if key not in hidden), key=lambda key: counts[key]
        )
        hidden.add(smallest)
    return hidden


@dataclass(frozen=True)
class GenderBreakdown:
    cells: list[Cell]
    total: int
    k: int
    suppressed: bool
    men_percent: int | None


def gender_breakdown(campaign: Campaign) -> GenderBreakdown:
    k = campaign.organization.min_group_size
    rows = (
        Signature.objects.for_campaign(campaign)
        .confirmed()
        .values("gender")
        .annotate(n=Count("id"))
    )
    by_value = {row["gender"]: row["n"] for row in rows}
    counts = {choice.value: by_value.get(choice.value, 0) for choice in Gender}
    counts["undisclosed"] += by_value.get("", 0)  # not answered counts as not said
    total = sum(counts.values())
    hidden = suppress(counts, k) if total else set(counts)
    labels = {
        Gender.MAN.value: _("As a man"),
        Gender.WOMAN.value: _("As a woman"),
        Gender.ANOTHER.value: _("As another gender"),
        Gender.UNDISCLOSED.value: _("Didn't say"),
    }
    cells = [
        Cell(
            label=labels[key],
            count=None if key in hidden else n,
            percent=None if key in hidden or not total else round(100 * n / total),
        )
        for key, n in counts.items()
    ]
    men = cells[0]
    return GenderBreakdown(
        cells=cells,
        total=total,
        k=k,
        suppressed=bool(hidden),
        men_percent=men.percent,
    )


@dataclass(frozen=True)
class CountryRow:
    name: str
    count: int
    pooled: int  # how many countries the row stands for (1, or more for the pool)


def by_country(campaign: Campaign) -> list[CountryRow]:
    k = campaign.organization.min_group_size
    rows = (
        Signature.objects.for_campaign(campaign)
        .confirmed()
        .values("country")
        .annotate(n=Count("id"))
        .order_by("-n", "country")
    )
    shown, small_total, small_countries = [], 0, 0
    for row in rows:
        if row["n"] >= k and row["country"]:
            shown.append(
                CountryRow(name=country_name(row["country"]), count=row["n"], pooled=1)
            )
        else:
            small_total += row["n"]
            small_countries += 1
    if small_total:
        shown.append(
            CountryRow(
                name=_("Other or not given (groups under %(k)d)") % {"k": k},
                count=small_total,
                pooled=small_countries,
            )
        )
    return shown


@dataclass(frozen=True)
class Conversion:
    confirmed: int
    converted: int

    @property
    def percent(self) -> int | None:
        if not self.confirmed:
            return None
        return round(100 * self.converted / self.confirmed)


def conversion(campaign: Campaign) -> Conversion:
    qs = Signature.objects.for_campaign(campaign).confirmed()
    return Conversion(
        confirmed=qs.count(),
        converted=qs.filter(converted_at__isnull=False).count(),
    )


def pending_count(campaign: Campaign) -> int:
    """Signatures not confirmed (yet): all of the campaign's less the confirmed ones.

    Two counts that each read one index (the unique (campaign, address) one, and the
    partial one of confirmed signatures): no index holds only the pending ones, since
    every signature would then write it when it is made.
    """
    signatures = Signature.objects.for_campaign(campaign)
    return max(0, signatures.count() - signatures.confirmed().count())
