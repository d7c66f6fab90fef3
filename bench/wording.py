"""Throughput of the gendered-wording checker (alongside/equity/wording/checker.py).

Builds a deterministic corpus of job-ad-like text (default 50 MB, seed 2011) with
masculine- and feminine-coded words in many forms (capitals, hyphens, kept-whole
hyphenated stems, the `sharepoint` exception, punctuation, accented letters, curly
quotes, dashes, tabs and line breaks), pins itself to ONE core, then times in
interleaved rounds, on the same text:

- checker:             `check(text)`, what `manage.py wording check` runs;
- checker+positions:   `check(text, positions=True)`, what the web page runs (offsets
                       for highlighting, stems for suggestions);
- baseline finditer:   `sum(1 for _ in re.finditer(r"[a-z]+", text))`, a bare scan;
- baseline lower:      `text.lower()`.

It reports MB/s (10^6 characters per second; the corpus is mostly ASCII) for each, the
checker's ratio to the finditer baseline, and verifies the checker's words and verdicts
against the slow literal reference implementation (alongside/equity/wording/reference.py)
on a sample of slices. It exits 1 if the verification fails or the checker runs below
the 10 MB/s goal.

Usage, from the repository root (see docs/performance.md):

    .venv/bin/python -m bench.wording [--mb 50] [--rounds 3] [--sample-slices 40]
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import re
import statistics
import sys
import time
from collections.abc import Callable

from alongside.equity.wording.checker import check, lexicon
from alongside.equity.wording.reference import reference_check

GOAL_MB_S = 10.0
SEED = 2011

OPENINGS = [
    "We are looking for a {m} {role} to join our {f} team.",
    "As our next {role}, you will {verb} the {thing} and {verb} {thing}.",
    "The ideal candidate is {m}, {m} and {f}.",
    "You'll {verb} {thing} with a {f} group of {people}.",
    "Our culture is {f} and {f}; we value {m} people.",
    "Responsibilities: {verb} {thing}; {verb} {thing}; report to the {role}.",
    "Requirements \u2013 {n}+ years as a {role}, {m} skills, a {f} approach.",
    "We offer a {m} salary, flexible hours and a {f} workplace in Z\u00fcrich or S\u00e3o Paulo.",
    "Apply by {n} March: send your CV (PDF) to jobs@example.org!",
    "\u201cWe {verb} {thing},\u201d says our {role}. \u201cJoin us.\u201d",
    "Our {thing} runs on SharePoint, Excel and {thing}.",
    "Benefits:\t{n} days' leave\u00a0\u2014 pension \u2014 {f} mentoring.",
]
MASCULINE = [
    "competitive",
    "Driven",
    "ambitious",
    "assertive",
    "self-confident",
    "SELF-RELIANT",
    "decisive",
    "independent",
    "analytical",
    "head-strong",
    "headstrong",
    "fearless",
    "logical",
    "outspoken",
    "dominant",
    "leader",
    "leadership",
    "servant-leader",
    "challenging",
    "determined",
    "objective",
    "principled",
    "active",
    "forceful",
]
FEMININE = [
    "collaborative",
    "supportive",
    "co-operative",
    "cooperative",
    "inter-personal",
    "interpersonal",
    "committed",
    "kind",
    "warm",
    "loyal",
    "nurturing",
    "understanding",
    "responsible",
    "sharing",
    "trustworthy",
    "enthusiastic",
    "inclusive",
    "honest",
    "considerate",
    "empathetic",
    "connected",
    "dependable",
    "polite",
    "cheerful",
]
NEUTRAL = [
    "experienced",
    "curious",
    "skilled",
    "organised",
    "thoughtful",
    "creative",
    "careful",
    "practical",
    "reliable",
    "friendly",
    "multilingual",
    "detail-oriented",
]
ROLES = [
    "engineer",
    "nurse",
    "analyst",
    "designer",
    "manager",
    "teacher",
    "accountant",
    "Team Lead",
]
VERBS = [
    "build",
    "improve",
    "plan",
    "review",
    "deliver",
    "maintain",
    "support",
    "lead",
    "design",
]
THINGS = [
    "the roadmap",
    "our data platform",
    "client accounts",
    "budgets",
    "training",
    "the warehouse",
    "customer support",
]
PEOPLE = ["engineers", "nurses", "volunteers", "children", "researchers", "partners"]


def _fill(rnd: random.Random, template: str) -> str:
    def pick(match: re.Match[str]) -> str:
        slot = match[1]
        if slot == "m":
            return rnd.choice(MASCULINE if rnd.random() < 0.6 else NEUTRAL)
        if slot == "f":
            return rnd.choice(FEMININE if rnd.random() < 0.6 else NEUTRAL)
        if slot == "n":
            return str(rnd.randint(1, 30))
        pool = {"role": ROLES, "verb": VERBS, "thing": THINGS, "people": PEOPLE}[slot]
        return rnd.choice(pool)

    return re.sub(r"\{(\w+)\}", pick, template)


def build_corpus(megabytes: float, seed: int = SEED) -> str:
    """About `megabytes` million characters of job ads, the same for the same seed."""
    rnd = random.Random(seed)
    ads = []
    for _ in range(3000):
        sentences = [
            _fill(rnd, rnd.choice(OPENINGS)) for _ in range(rnd.randint(4, 12))
        ]
        ads.append(" ".join(sentences) + "\n\n")
    target = int(megabytes * 1_000_000)
    parts: list[str] = []
    size = 0
    while size < target:
        ad = rnd.choice(ads)
        parts.append(ad)
        size += len(ad)
    return "".join(parts)


def _time(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def verify(text: str, slices: int, seed: int = SEED) -> tuple[int, int, list[str]]:
    """Compare check() with the reference on slices cut at line breaks."""
    rnd = random.Random(seed + 1)
    data = lexicon().data
    problems: list[str] = []
    words = 0
    checked = 0
    for i in range(slices):
        start = 0 if i == 0 else rnd.randrange(len(text) - 60_000)
        start = text.find("\n", start) + 1 if start else 0
        sample = text[start : start + 50_000]
        fast = check(sample).as_dict()
        slow = reference_check(sample, data)
        checked += len(sample)
        words += len(slow["masculine_words"]) + len(slow["feminine_words"])
        if fast != slow:
            problems.append(
                f"slice at {start}: checker {fast['verdict']}, reference {slow['verdict']}"
            )
    return checked, words, problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--mb", type=float, default=50.0, help="corpus size (10^6 characters)"
    )
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--sample-slices", type=int, default=40, help="50 000-character slices verified"
    )
    args = parser.parse_args(argv)

    cpu = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpu})
    print(
        f"pinned to CPU {cpu}; Python {platform.python_version()}; load average {os.getloadavg()[0]:.2f}"
    )

    started = time.perf_counter()
    text = build_corpus(args.mb)
    lexicon()  # compile once, outside the timings
    print(
        f"corpus: {len(text):,} characters, {len(text.encode()):,} bytes UTF-8, built in {time.perf_counter() - started:.1f} s"
    )

    result = check(text)
    tokens = sum(1 for _ in re.finditer(r"[a-z]+", text, re.IGNORECASE))
    coded = len(result.masculine_words) + len(result.feminine_words)
    print(
        f"coded words: {len(result.masculine_words):,} masculine, {len(result.feminine_words):,} feminine ({coded / tokens:.1%} of about {tokens:,} words)"
    )

    modes: dict[str, Callable[[], object]] = {
        "checker": lambda: check(text),
        "checker+positions": lambda: check(text, positions=True),
        "baseline finditer [a-z]+": lambda: sum(
            1 for _ in re.finditer(r"[a-z]+", text)
        ),
        "baseline str.lower()": lambda: text.lower(),
    }
    times: dict[str, list[float]] = {name: [] for name in modes}
    for _ in range(args.rounds):
        for name, fn in modes.items():
            times[name].append(_time(fn))

    mb = len(text) / 1_000_000
    rate = {name: mb / statistics.median(t) for name, t in times.items()}
    print(f"\n{'mode':<28}{'median MB/s':>12}{'best MB/s':>11}{'vs finditer':>13}")
    for name, t in times.items():
        print(
            f"{name:<28}{rate[name]:>12.1f}{mb / min(t):>11.1f}{rate[name] / rate['baseline finditer [a-z]+']:>12.2f}x"
        )

    checked, words, problems = verify(text, args.sample_slices)
    print(
        f"\nverified against the reference on {args.sample_slices} slices ({checked:,} characters, {words:,} coded words): {'OK' if not problems else 'MISMATCH'}"
    )
    for problem in problems[:10]:
        print("  " + problem)
    goal_met = rate["checker"] >= GOAL_MB_S
    print(
        f"goal >= {GOAL_MB_S:.0f} MB/s on one core: {'met' if goal_met else 'NOT met'} ({rate['checker']:.1f} MB/s)"
    )
    return 0 if goal_met and not problems else 1


if __name__ == "__main__":
    sys.exit(main())
