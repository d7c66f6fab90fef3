"""Where the campaigns app's code lives: views by audience, page caching and CSRF
masking out of the views, no raw membership reads."""

from __future__ import annotations

from pathlib import Path

from django.test import SimpleTestCase
from django.urls import URLPattern, URLResolver, get_resolver

APP = Path(__file__).resolve().parent.parent


def _campaign_patterns() -> list[URLPattern]:
    found: list[URLPattern] = []

    def walk(entries: list[URLPattern | URLResolver]) -> None:
        for entry in entries:
            if isinstance(entry, URLPattern):
                found.append(entry)
            else:
                walk(entry.url_patterns)

    for entry in get_resolver().url_patterns:
        if isinstance(entry, URLResolver) and entry.namespace == "campaigns":
            walk(entry.url_patterns)
    return found


class ViewsByAudienceTestCase(SimpleTestCase):
    def test_each_page_is_in_its_audience_module(self) -> None:
        members = {"pledge_from_signature"}
        patterns = _campaign_patterns()
        self.assertTrue(patterns)
        for pattern in patterns:
            if pattern.name in members:
                audience = "members"
            elif str(pattern.pattern).startswith("o/<slug:org>/campaigns/"):
                audience = "admin"
            else:
                audience = "public"
            with self.subTest(name=pattern.name):
                self.assertEqual(
                    pattern.callback.__module__,
                    f"alongside.campaigns.views.{audience}",
                )

    def test_no_caching_or_csrf_masking_in_the_views(self) -> None:
        for path in (APP / "views").glob("*.py"):
            text = path.read_text()
            with self.subTest(path=path.name):
                self.assertNotIn("token_bytes", text)
                self.assertNotIn("_HTML: dict", text)

    def test_the_email_normalizer_lives_in_lib_only(self) -> None:
        self.assertFalse((APP / "emails.py").exists())

    def test_no_raw_membership_reads(self) -> None:
        for path in APP.rglob("*.py"):
            if path == Path(__file__).resolve():
                continue
            with self.subTest(path=str(path.relative_to(APP))):
                self.assertNotIn("Membership.objects", path.read_text())
