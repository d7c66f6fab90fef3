"""bench/settings_campaigns.py without the campaigns' fast path (PublicPageFastPath), so
that bench/server_configs.py can measure what it saves:

    .venv/bin/python -m bench.server_configs \\
        --variant 'no fast path=--env DJANGO_SETTINGS_MODULE=bench.settings_campaigns_stack'
"""

from __future__ import annotations

from bench.settings_campaigns import *  # noqa: F403
from bench.settings_campaigns import MIDDLEWARE

MIDDLEWARE = [m for m in MIDDLEWARE if not m.endswith(".PublicPageFastPath")]
