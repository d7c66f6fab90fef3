"""No template may need 'unsafe-inline': the Content Security Policy stays strict."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings
from django.test import SimpleTestCase

# An inline script: a <script> element with anything but whitespace inside.
INLINE_SCRIPT = re.compile(r"<script\b[^>]*>(?P<body>.*?)</script\s*>", re.I | re.S)
STYLE_ELEMENT = re.compile(r"<style\b", re.I)
# style="..." / style='...' / style=... as an attribute (preceded by whitespace in a tag).
STYLE_ATTRIBUTE = re.compile(r"<[a-z][^>]*\sstyle\s*=", re.I | re.S)
# htmx inline handlers are evaluated code: hx-on:click, hx-on::after-request, data-hx-on-...
HX_ON = re.compile(r"\s(?:data-)?hx-on\b", re.I)


def template_files() -> list[Path]:
    root = Path(settings.BASE_DIR)
    files = set((root / "templates").rglob("*.html"))
    files.update(path for path in (root / "alongside").glob("**/templates/**/*.html"))
    return sorted(files)


def problems_in(text: str) -> list[str]:
    found = []
    for match in INLINE_SCRIPT.finditer(text):
        if match.group("body").strip():
            found.append("inline <script> with content")
    if STYLE_ELEMENT.search(text):
        found.append("<style> element")
    if STYLE_ATTRIBUTE.search(text):
        found.append("style= attribute")
    if HX_ON.search(text):
        found.append("hx-on attribute")
    return found


class TemplatesTestCase(SimpleTestCase):
    def test_the_scan_finds_the_templates(self) -> None:
        names = {p.relative_to(settings.BASE_DIR).as_posix() for p in template_files()}
        self.assertIn("templates/base.html", names)
        self.assertIn("alongside/concerns/templates/concerns/raise.html", names)

    def test_the_detector_catches_each_construct(self) -> None:
        self.assertEqual(
            problems_in('<script src="/static/js/app.js" defer></script>'), []
        )
        self.assertEqual(problems_in("<script>\n</script>"), [])
        self.assertTrue(problems_in("<script>alert(1)</script>"))
        self.assertTrue(problems_in("<SCRIPT type='module'>import x</SCRIPT >"))
        self.assertTrue(problems_in("<style>p{}</style>"))
        self.assertTrue(problems_in('<p class="x" style="color:red">'))
        self.assertTrue(problems_in("<div\n  style='x'>"))
        self.assertTrue(problems_in('<button hx-on:click="go()">'))
        self.assertTrue(problems_in('<form hx-on::after-request="x">'))
        self.assertTrue(problems_in('<form data-hx-on-click="x">'))
        self.assertEqual(problems_in("<p>Use a calm style = clear words.</p>"), [])

    def test_no_template_needs_unsafe_inline(self) -> None:
        offenders = {}
        for path in template_files():
            problems = problems_in(path.read_text(encoding="utf-8"))
            if problems:
                offenders[str(path.relative_to(settings.BASE_DIR))] = problems
        self.assertEqual(offenders, {}, "templates that break the CSP rules")
