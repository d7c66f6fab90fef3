"""Small-group suppression of pay-gap figures (docs/paygap-method.md, "Suppression").

The rules:

1. A count is *small* when 0 < count < k. Zero is not small: it identifies nobody, and
   hiding "no women in this band" would hide the finding itself (figures that need both
   genders are undefined at zero anyway).
2. A gap figure is suppressed when the men or the women it rests on are a small count; a
   proportion (bonus %) when the population of that gender is small.
3. Complementary suppression in tables whose rows add up to a published total (quartile
   bands, categories, representation levels): once one row is suppressed, more rows are
   suppressed (smallest first) until the suppressed rows together hold a non-small
   number of men AND of women, or every row is suppressed; so no hidden row can be
   worked out by subtracting the shown rows from the total.
4. Differencing between sections: a UK figure and the matching EU figure rest on nested
   populations (full-pay relevant employees within all workers; relevant employees
   within all workers). When the two differ by a small number of men or of women, the
   figure of the section not preferred (default: the EU one) is suppressed.
5. Counts: the number of people recorded as neither is suppressed when small, and the
   overall row total is dropped (it would give that number back).
6. Article 10 flags of suppressed categories are hidden; the overall flag is shown as
   true only when a shown category triggers it, false only when no category is hidden.

A suppressed figure keeps its keys; `value` (and its counts) become None, `"suppressed":
True` is added and `reason` says why. A figure hidden although it rests on k or more men
and women itself (rules 3 and 4: only so that another cell cannot be worked out) also
gets `"protects_other": True`, so the pages can say so honestly instead of "fewer than k
people". Means and medians themselves are never published
(only ratios), which is what keeps a published category from being recovered from the
total by subtraction of means.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any, Literal

Section = Literal["uk_gpg_2017", "eu_2023_970_art9"]


def is_small(count: int | None, k: int) -> bool:
    return count is not None and 0 < count < k


def complete_suppression(
    cells: Sequence[tuple[int, int]], hidden: set[int], k: int
) -> set[int]:
    """Rule 3: grow `hidden` until the hidden rows hold non-small men and women totals."""
    hidden = set(hidden)
    while hidden and len(hidden) < len(cells):
        men = sum(cells[i][0] for i in hidden)
        women = sum(cells[i][1] for i in hidden)
        short_men, short_women = is_small(men, k), is_small(women, k)
        if not (short_men or short_women):
            break
        candidates = [i for i in range(len(cells)) if i not in hidden]
        helpful = [
            i
            for i in candidates
            if (short_men and cells[i][0] > 0) or (short_women and cells[i][1] > 0)
        ] or candidates
        hidden.add(min(helpful, key=lambda i: (cells[i][0] + cells[i][1], i)))
    return hidden


PROTECTS_OTHER = "protects_other"
PROTECTS_REASON = "hidden so that another cell cannot be worked out; suppressed"


def _reason(k: int) -> str:
    return f"fewer than {k} men or women; suppressed"


def _own_small(figure: dict[str, Any], k: int, keys: tuple[str, ...]) -> bool:
    """Does the figure itself rest on a small group (before anything is hidden)?"""
    return any(is_small(figure.get(key), k) for key in keys)


def _mark(figure: dict[str, Any], k: int, own_small: bool) -> None:
    """Say why a figure is hidden: its own small group, or only to protect another."""
    if own_small:
        figure.update(reason=_reason(k), **{PROTECTS_OTHER: False})
    else:
        figure.update(reason=PROTECTS_REASON, **{PROTECTS_OTHER: True})


def _hide_gap(figure: dict[str, Any], k: int) -> None:
    own = _own_small(figure, k, ("male_count", "female_count"))
    if figure.get("suppressed"):
        own = not figure.get(PROTECTS_OTHER, False)
    figure.update(
        value=None,
        male_count=None,
        female_count=None,
        suppressed=True,
    )
    _mark(figure, k, own)


def _gap(figure: dict[str, Any], k: int) -> None:
    if is_small(figure.get("male_count"), k) or is_small(figure.get("female_count"), k):
        _hide_gap(figure, k)


def _proportion(figure: dict[str, Any], k: int, force: bool = False) -> None:
    own = is_small(figure.get("count"), k)
    if force or own:
        figure.update(
            value=None,
            count=None,
            recipients=None,
            suppressed=True,
            reason=f"fewer than {k} people; suppressed",
        )
        if not own:
            _mark(figure, k, own_small=False)
        else:
            figure[PROTECTS_OTHER] = False


def _hide_band(band: dict[str, Any], k: int) -> None:
    own = _own_small(band, k, ("male_count", "female_count"))
    band.update(
        male_count=None,
        female_count=None,
        male_pct=None,
        female_pct=None,
        suppressed=True,
    )
    _mark(band, k, own)


def _bands(bands: list[dict[str, Any]], k: int, force: bool = False) -> None:
    cells = [(int(b["male_count"] or 0), int(b["female_count"] or 0)) for b in bands]
    hidden = (
        set(range(len(bands)))
        if force
        else {i for i, (m, f) in enumerate(cells) if is_small(m, k) or is_small(f, k)}
    )
    for i in complete_suppression(cells, hidden, k):
        _hide_band(bands[i], k)


def _pair_small(
    a: dict[str, Any], b: dict[str, Any], k: int, keys: tuple[str, str]
) -> bool:
    """Rule 4: do the populations behind a and b differ by a small number of either gender?"""
    for key in keys:
        x, y = a.get(key), b.get(key)
        if x is None or y is None:
            continue
        if is_small(abs(int(x) - int(y)), k):
            return True
    return False


def suppress(
    result: dict[str, Any], k: int, prefer: Section = "uk_gpg_2017"
) -> dict[str, Any]:
    """A copy of `result` (PayGapResult.as_dict()) with small groups suppressed."""
    out = copy.deepcopy(result)
    uk: dict[str, Any] = out.get("uk_gpg_2017", {})
    eu: dict[str, Any] = out.get("eu_2023_970_art9", {})
    # Rule 4 decisions need the raw counts: take them before anything is hidden.
    uk_hourly = dict(uk.get("mean_hourly_gap_pct", {}))
    eu_hourly = dict(eu.get("a_gender_pay_gap_pct", {}))
    hourly_pair = _pair_small(uk_hourly, eu_hourly, k, ("male_count", "female_count"))
    uk_bonus = dict(uk.get("mean_bonus_gap_pct", {}))
    eu_bonus = dict(eu.get("b_variable_pay_gap_recipients_pct", {}))
    bonus_pair = _pair_small(uk_bonus, eu_bonus, k, ("male_count", "female_count"))
    prop_pair = any(
        _pair_small(
            dict(uk.get(u, {})), dict(eu.get(e, {})), k, ("count", "recipients")
        )
        for u, e in (
            ("male_bonus_pct", "e_male_receiving_variable_pay_pct"),
            ("female_bonus_pct", "e_female_receiving_variable_pay_pct"),
        )
    )
    loser = eu if prefer == "uk_gpg_2017" else uk

    for name in (
        "mean_hourly_gap_pct",
        "median_hourly_gap_pct",
        "mean_bonus_gap_pct",
        "median_bonus_gap_pct",
    ):
        if name in uk:
            _gap(uk[name], k)
    for name in (
        "a_gender_pay_gap_pct",
        "c_median_gender_pay_gap_pct",
        "b_variable_pay_gap_all_workers_pct",
        "b_variable_pay_gap_recipients_pct",
        "d_median_variable_pay_gap_all_workers_pct",
        "d_median_variable_pay_gap_recipients_pct",
    ):
        if name in eu:
            _gap(eu[name], k)
    for section, names in (
        (uk, ("male_bonus_pct", "female_bonus_pct")),
        (
            eu,
            (
                "e_male_receiving_variable_pay_pct",
                "e_female_receiving_variable_pay_pct",
            ),
        ),
    ):
        for name in names:
            if name in section:
                _proportion(section[name], k, force=prop_pair and section is loser)
    if hourly_pair:
        if loser is eu:
            for name in ("a_gender_pay_gap_pct", "c_median_gender_pay_gap_pct"):
                if name in eu:
                    _hide_gap(eu[name], k)
        else:
            for name in ("mean_hourly_gap_pct", "median_hourly_gap_pct"):
                if name in uk:
                    _hide_gap(uk[name], k)
    if bonus_pair:
        names = (
            (
                "b_variable_pay_gap_recipients_pct",
                "d_median_variable_pay_gap_recipients_pct",
            )
            if loser is eu
            else ("mean_bonus_gap_pct", "median_bonus_gap_pct")
        )
        for name in names:
            if name in loser:
                _hide_gap(loser[name], k)
    if "quartiles" in uk:
        _bands(uk["quartiles"], k, force=hourly_pair and loser is uk)
    if "f_quartiles" in eu:
        _bands(eu["f_quartiles"], k, force=hourly_pair and loser is eu)
    if "g_categories" in eu:
        _categories(eu, k)
    counts = out.get("counts")
    if isinstance(counts, dict):
        counts.pop("total_rows", None)
        if is_small(counts.get("neither_excluded"), k):
            counts["neither_excluded"] = None
            counts["neither_excluded_suppressed"] = True
        for key in ("male", "female"):
            if is_small(counts.get(key), k):
                counts[key] = None
        for population in ("uk_full_pay_relevant", "uk_relevant"):
            group = counts.get(population)
            if isinstance(group, dict):
                for key in ("male", "female"):
                    if is_small(group.get(key), k):
                        group[key] = None
    out["suppression"] = {"k": k, "preferred_section": prefer}
    return out


def _categories(eu: dict[str, Any], k: int) -> None:
    categories: list[dict[str, Any]] = eu["g_categories"]
    cells = [
        (int(c["male_count"] or 0), int(c["female_count"] or 0)) for c in categories
    ]
    hidden = {i for i, (m, f) in enumerate(cells) if is_small(m, k) or is_small(f, k)}
    hidden = complete_suppression(cells, hidden, k)
    for i, category in enumerate(categories):
        if i in hidden:
            own = _own_small(category, k, ("male_count", "female_count"))
            category.update(
                male_count=None, female_count=None, art10_flag=None, suppressed=True
            )
            category[PROTECTS_OTHER] = not own
            for key in (
                "mean_gap_pct",
                "basic_pay_gap_pct",
                "variable_pay_gap_all_workers_pct",
                "variable_pay_gap_recipients_pct",
            ):
                gap_own = _own_small(category[key], k, ("male_count", "female_count"))
                _hide_gap(category[key], k)
                # Hidden with its row: for its own small group or the row's reason.
                _mark(category[key], k, own or gap_own)
        else:
            for key in (
                "mean_gap_pct",
                "basic_pay_gap_pct",
                "variable_pay_gap_all_workers_pct",
                "variable_pay_gap_recipients_pct",
            ):
                _gap(category[key], k)
            if category["mean_gap_pct"].get("suppressed"):
                category["art10_flag"] = None
    shown_flagged = [c["category"] for c in categories if c.get("art10_flag")]
    eu["art10_flagged_categories"] = shown_flagged
    if shown_flagged:
        eu["art10_joint_assessment_flag"] = True
    elif hidden or any(c.get("art10_flag") is None for c in categories):
        eu["art10_joint_assessment_flag"] = None
        eu["art10_joint_assessment_suppressed"] = bool(hidden)
    else:
        eu["art10_joint_assessment_flag"] = False
