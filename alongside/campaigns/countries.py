"""ISO 3166-1 alpha-2 country codes and English names.

`iso3166.tab` is the tz database's table (public domain), copied into this app so the
list does not depend on the host's files.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

_TABLE = Path(__file__).resolve().parent / "iso3166.tab"
# The table abbreviates a few names; the forms show the usual ones.
_NAMES = {"GB": "United Kingdom", "KR": "South Korea", "KP": "North Korea"}


@cache
def countries() -> dict[str, str]:
    """Code -> name, sorted by name."""
    pairs = []
    with _TABLE.open(encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            code, name = line.rstrip("\n").split("\t", 1)
            code = code.strip()
            pairs.append((code, _NAMES.get(code, name.strip())))
    return dict(sorted(pairs, key=lambda pair: pair[1]))


def country_name(code: str) -> str:
    return countries().get(code, code)
