"""Benchmark settings for bench/dialogue_spirit.py and bench/dialogue_scale.py.

`bench/settings.py` (the production settings, a temporary STATIC_ROOT) with the
bench-only URLconf bench/urls_dialogue.py, which sets the thread page's size from
BENCH_POSTS_PER_PAGE so both forums of the comparison show the same number of posts.
"""

from __future__ import annotations

from bench.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls_dialogue"
