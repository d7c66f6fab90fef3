"""Settings for benchmark servers: the production settings, plus a temporary STATIC_ROOT.

With DEBUG off the static files storage is WhiteNoise's manifest storage, which needs
`collectstatic`; the benchmarks collect into a temporary directory instead of the
repository's `staticfiles/`. Everything else comes from the environment, exactly as in
production (alongside/settings.py).
"""

from __future__ import annotations

import os
from pathlib import Path

from alongside.settings import *  # noqa: F403

STATIC_ROOT = Path(os.environ["BENCH_STATIC_ROOT"])
