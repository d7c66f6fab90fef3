"""The campaign dashboard's figures, with small groups suppressed (docs/privacy.md, rule 1).

Only confirmed signatures are counted. The gender breakdown hides every cell under the
organization's k (`Organization.effective_min_group_size`, default 5) and, because the
total is public, also enough further cells that no hidden cell can be recovered by
subtraction: at least two hidden cells, whose sum is itself at least k. Countries under
k are pooled into one unnamed group. The dashboard has no filters, so no second view
can be differenced against the first.

The breakdown also cannot be differenced over time: the dashboard shows a published
snapshot (`GenderSnapshot`), and a new one is published only when every group of
categories that can be compared with every earlier snapshot has changed by at least k
(`publishable`). One signature, confirmed or withdrawn, leaves the breakdown as it was,
so the newest name on the public wall cannot be matched to a change.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from alongside.campaigns.countries import country_name
from alongside.campaigns.models import Gender, GenderSnapshot, Signature

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
    # When the breakdown shown was published (None: nothing published yet), and
    # whether the live counts have moved since (the next update waits for a batch).
    as_of: datetime | None = None
    waiting: bool = False


GENDER_KEYS: tuple[str, ...] = tuple(choice.value for choice in Gender)


def gender_counts(campaign: Campaign) -> dict[str, int]:
    """The live counts of confirmed signatures per category (never shown as such)."""
    rows = (
        Signature.objects.for_campaign(campaign)
        .confirmed()
        .values("gender")
        .annotate(n=Count("id"))
    )
    by_value = {row["gender"]: row["n"] for row in rows}
    counts = {key: by_value.get(key, 0) for key in GENDER_KEYS}
    counts["undisclosed"] += by_value.get("", 0)  # not answered counts as not said
    return counts


def hidden_for(counts: dict[str, int], k: int) -> frozenset[str]:
    """The categories a breakdown of `counts` hides under k (all of them when empty)."""
    if not sum(counts.values()):
        return frozenset(counts)
    return frozenset(suppress(counts, k))


def comparable_groups(
    hidden_a: frozenset[str], hidden_b: frozenset[str]
) -> list[frozenset[str]]:
    """The groups of categories whose change between two breakdowns can be worked out.

    Each breakdown splits the categories into its shown ones, one by one, and its
    hidden ones, as one pool (their sum is the total less the shown cells). A sum can
    be compared between the two exactly when it is a union of parts of both: the
    groups are the parts of the finest split coarser than both (categories hidden
    together in either breakdown stay together). The group of all categories is the
    total, which is public anyway and says nothing about anyone's gender.
    """
    group = {key: frozenset([key]) for key in GENDER_KEYS}
    for hidden in (hidden_a, hidden_b):
        if hidden:
            merged = frozenset().union(*(group[key] for key in hidden))
            for key in merged:
                group[key] = merged
    seen: list[frozenset[str]] = []
    for key in GENDER_KEYS:
        if group[key] not in seen:
            seen.append(group[key])
    return seen


def publishable(
    counts: dict[str, int],
    k: int,
    earlier: Iterable[tuple[dict[str, int], frozenset[str]]],
) -> bool:
    """Whether a breakdown of `counts` may be published after the `earlier` ones.

    Against every breakdown published before, each group of categories whose change
    can be worked out (`comparable_groups`), other than the total, must have changed
    by at least k, up or down. A smaller change, zero included, would describe fewer
    than k people: one new woman turning 73 into 74, or a batch of new signers of
    whom none signs as a woman. Withdrawals and erasures count as changes like any
    other. The published total itself is that of the snapshot, so the total less the
    shown cells (the hidden pool) moves only with it.
    """
    hidden = hidden_for(counts, k)
    for before, before_hidden in earlier:
        if before == counts:
            return False
        for group in comparable_groups(hidden, before_hidden):
            if len(group) == len(GENDER_KEYS):
                continue
            change = sum(counts[key] for key in group) - sum(
                before[key] for key in group
            )
            if abs(change) < k:
                return False
    return True


def _gender_cells(
    counts: dict[str, int], hidden: frozenset[str], k: int
) -> tuple[list[Cell], int]:
    total = sum(counts.values())
    labels = {
        Gender.MAN.value: _("As a man"),
        Gender.WOMAN.value: _("As a woman"),
        Gender.ANOTHER.value: _("As another gender"),
        Gender.UNDISCLOSED.value: _("Didn't say"),
    }
    # A snapshot published under a smaller k (since raised) hides what k hides now too.
    hidden = hidden | hidden_for(counts, k)
    cells = [
        Cell(
            label=labels[key],
            count=None if key in hidden else n,
            percent=None if key in hidden or not total else round(100 * n / total),
        )
        for key, n in counts.items()
    ]
    return cells, total


def gender_snapshot_publish(
    campaign: Campaign,
) -> tuple[GenderSnapshot | None, dict[str, int]]:
    """Publish the live breakdown if it may be (`publishable`).

    Returns the latest snapshot (None when nothing could be published yet) and the live
    counts it was weighed against.

    Called when the dashboard is read. The new snapshot takes the sequence number after
    the latest: if another dashboard published one meanwhile, the unique sequence
    refuses this one, which was not checked against it, and the other is shown.
    """
    k = campaign.organization.effective_min_group_size()
    snapshots = list(GenderSnapshot.objects.filter(campaign=campaign))
    latest = snapshots[-1] if snapshots else None
    counts = gender_counts(campaign)
    if latest is not None and latest.counts() == counts:
        return latest, counts
    if not publishable(counts, k, ((s.counts(), s.hidden_set()) for s in snapshots)):
        return latest, counts
    try:
        with transaction.atomic():
            snapshot = GenderSnapshot.objects.create(
                campaign=campaign,
                sequence=latest.sequence + 1 if latest else 1,
                hidden=",".join(sorted(hidden_for(counts, k))),
                k=k,
                **counts,
            )
    except IntegrityError:
        return GenderSnapshot.objects.filter(campaign=campaign).last(), counts
    return snapshot, counts


def gender_breakdown(campaign: Campaign) -> GenderBreakdown:
    """The dashboard's breakdown: the latest published snapshot, never the live counts."""
    k = campaign.organization.effective_min_group_size()
    snapshot, live = gender_snapshot_publish(campaign)
    if snapshot is None:
        counts = dict.fromkeys(GENDER_KEYS, 0)
        cells, total = _gender_cells(counts, frozenset(GENDER_KEYS), k)
    else:
        counts = snapshot.counts()
        cells, total = _gender_cells(counts, snapshot.hidden_set(), k)
    waiting = live != counts
    men = cells[0]
    return GenderBreakdown(
        cells=cells,
        total=total,
        k=k,
        suppressed=any(cell.count is None for cell in cells),
        men_percent=men.percent,
        as_of=snapshot.published_at if snapshot else None,
        waiting=waiting,
    )


@dataclass(frozen=True)
class CountryRow:
    name: str
    count: int
    pooled: int  # how many countries the row stands for (1, or more for the pool)


def by_country(campaign: Campaign) -> list[CountryRow]:
    k = campaign.organization.effective_min_group_size()
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
