from __future__ import annotations

import os
import secrets
import subprocess
import sys
import tempfile
from pathlib import Path

from django.conf import settings
from django.test import SimpleTestCase

PRODUCTION_ENV = {
    "DEBUG": "0",
    "SITE_URL": "https://allyship.example.org",
    "ALLOWED_HOSTS": "allyship.example.org",
}


def run_deploy_check(**extra_env: str) -> subprocess.CompletedProcess[str]:
    """`manage.py check --deploy --fail-level WARNING` in a fresh process, as production runs it."""
    with tempfile.TemporaryDirectory() as tmp:
        # A clean environment: nothing of the developer's, CI's or the test run's
        # own settings (such as DJANGO_ALLOW_ASYNC_UNSAFE set by the browser tests).
        env = {
            key: os.environ[key]
            for key in ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT")
            if key in os.environ
        }
        env.update(PRODUCTION_ENV)
        env["SECRET_KEY"] = secrets.token_urlsafe(50)
        env["PSEUDONYM_KEY"] = secrets.token_urlsafe(50)
        env["SQLITE_PATH"] = str(Path(tmp) / "deploy-check.sqlite3")
        env.update(extra_env)
        return subprocess.run(
            [
                sys.executable,
                "manage.py",
                "check",
                "--deploy",
                "--fail-level",
                "WARNING",
            ],
            cwd=settings.BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )


class DeployCheckTestCase(SimpleTestCase):
    def test_it_passes_with_production_settings_and_no_warnings(self) -> None:
        result = run_deploy_check()
        output = result.stdout + result.stderr
        self.assertEqual(result.returncode, 0, output)
        self.assertIn("System check identified no issues (0 silenced).", output)
        self.assertNotIn("WARNINGS", output)

    def test_it_fails_on_a_weakened_setting(self) -> None:
        # The gate can fail: a plain-HTTP site URL turns off secure cookies and HSTS.
        result = run_deploy_check(SITE_URL="http://allyship.example.org")
        output = result.stdout + result.stderr
        self.assertNotEqual(result.returncode, 0, output)
        self.assertIn("security.W", output)
