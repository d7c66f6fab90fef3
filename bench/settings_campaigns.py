"""Benchmark settings for bench/campaigns.py: the production settings plus the baseline.

`bench/settings.py` (the production settings, a temporary STATIC_ROOT) with:

- the bench-only app `bench.baseline` and its URL (bench/urls_campaigns.py), never
  installed in production;
- the app behind one reverse proxy, as in production (docs/deploy.md: nginx appends the
  client's address to X-Forwarded-For, TRUSTED_PROXY_COUNT=1). The load test gives each
  simulated signer its own address in that header, so the per-IP signing rate limit
  (left at its production value) sees many people, as it would in production, instead
  of every signer coming from 127.0.0.1.
"""

from __future__ import annotations

from bench.settings import *  # noqa: F403
from bench.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "bench.baseline"]
ROOT_URLCONF = "bench.urls_campaigns"
TRUSTED_PROXY_COUNT = 1
ALLAUTH_TRUSTED_PROXY_COUNT = 1
