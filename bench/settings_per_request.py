"""Benchmark settings with per-request database connections (CONN_MAX_AGE=0).

Only for comparison with the default persistent connections: Django then opens the
database connection at the first query of each request and closes it when the request
finishes.
"""

from __future__ import annotations

from bench.settings import *  # noqa: F403
from bench.settings import DATABASES

DATABASES["default"]["CONN_MAX_AGE"] = 0
