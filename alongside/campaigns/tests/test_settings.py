"""Every campaign setting is declared once, in alongside/settings.py and .env.example,
and read as `settings.X` (never `getattr(settings, ..., default)`, which hides it)."""

from __future__ import annotations

import os
import re
from pathlib import Path
from unittest import mock

from django.core.exceptions import ImproperlyConfigured
from django.test import SimpleTestCase

from alongside import settings as project_settings
from alongside.lib.env import envfloat

APP = Path(__file__).resolve().parent.parent
REPO = APP.parent.parent

CAMPAIGN_SETTINGS = {
    "CAMPAIGN_SIGN_RATE_LIMIT": 30,
    "CAMPAIGN_SIGN_RATE_WINDOW": 600,
    "CAMPAIGN_RESEND_MINUTES": 10,
    "CAMPAIGN_CONFIRM_DAYS": 7,
    "CAMPAIGN_PENDING_RETENTION_DAYS": 30,
    "CAMPAIGN_CONVERSION_DAYS": 60,
    "CAMPAIGN_SIGN_PREPARED_STATEMENTS": True,
    "CAMPAIGN_PUBLIC_CACHE_SECONDS": 1.0,
}


class CampaignSettingsDeclaredTestCase(SimpleTestCase):
    def test_declared_in_settings_with_their_defaults(self) -> None:
        for name, default in CAMPAIGN_SETTINGS.items():
            with self.subTest(name=name):
                self.assertTrue(hasattr(project_settings, name), name)
                if name not in os.environ:
                    self.assertEqual(getattr(project_settings, name), default)

    def test_listed_in_env_example(self) -> None:
        example = (REPO / ".env.example").read_text()
        for name in CAMPAIGN_SETTINGS:
            with self.subTest(name=name):
                self.assertRegex(example, rf"(?m)^{name}=")

    def test_no_hidden_reads_in_the_app(self) -> None:
        hidden = re.compile(r"getattr\(\s*settings\s*,")
        offenders = [
            str(path.relative_to(APP))
            for path in APP.rglob("*.py")
            if "tests" not in path.parts and hidden.search(path.read_text())
        ]
        self.assertEqual(offenders, [])

    def test_a_malformed_number_is_refused_by_name(self) -> None:
        with (
            mock.patch.dict(os.environ, {"CAMPAIGN_PUBLIC_CACHE_SECONDS": "soon"}),
            self.assertRaisesMessage(
                ImproperlyConfigured,
                "CAMPAIGN_PUBLIC_CACHE_SECONDS must be a number, not 'soon'",
            ),
        ):
            envfloat("CAMPAIGN_PUBLIC_CACHE_SECONDS", "1.0")
        with mock.patch.dict(os.environ, {"CAMPAIGN_PUBLIC_CACHE_SECONDS": "0.5"}):
            self.assertEqual(envfloat("CAMPAIGN_PUBLIC_CACHE_SECONDS", "1.0"), 0.5)
