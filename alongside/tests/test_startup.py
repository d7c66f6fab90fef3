"""Heavy libraries load where they are used, not when a command or the URLconf starts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.test import SimpleTestCase

HEAVY = ("duckdb", "fpdf", "markdown_it", "nh3", "PIL")
PROBE = """
import json, sys
import django
django.setup()
from django.urls import get_resolver
get_resolver().url_patterns  # imports every views module
print(json.dumps(sorted(m for m in sys.argv[1:] if m in sys.modules)))
"""


class StartupImportsTestCase(SimpleTestCase):
    def test_setup_and_urlconf_load_no_heavy_library(self) -> None:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "alongside.settings",
            "DEBUG": "1",
        }
        done = subprocess.run(
            [sys.executable, "-c", PROBE, *HEAVY],
            cwd=Path(settings.BASE_DIR),
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        loaded = json.loads(done.stdout.strip().splitlines()[-1])
        self.assertEqual(loaded, [], "import these inside the functions that use them")
