"""Where the learning app's code lives: views by audience, the curriculum parser in a
module of its own (the curriculum package holds the shipped data)."""

from __future__ import annotations

import ast
from pathlib import Path

from django.test import SimpleTestCase
from django.urls import URLPattern, URLResolver, get_resolver

APP = Path(__file__).resolve().parent.parent

AUTHOR_PREFIX = "o/<slug:org>/learning/manage"


def _learning_patterns() -> list[URLPattern]:
    resolver = get_resolver()
    patterns: list[URLPattern] = []
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver) and entry.namespace == "learning":
            patterns.extend(p for p in entry.url_patterns if isinstance(p, URLPattern))
    return patterns


class ViewsByAudienceTestCase(SimpleTestCase):
    def test_each_page_is_in_its_audience_module(self) -> None:
        patterns = _learning_patterns()
        self.assertTrue(patterns)
        for pattern in patterns:
            route = str(pattern.pattern)
            if route.startswith(AUTHOR_PREFIX):
                audience = "authors"
            elif route.startswith("certificates/"):
                audience = "public"
            else:
                audience = "learners"
            with self.subTest(route=route):
                self.assertEqual(
                    pattern.callback.__module__,
                    f"alongside.learning.views.{audience}",
                )

    def test_views_package_init_is_empty(self) -> None:
        self.assertEqual((APP / "views" / "__init__.py").read_text().strip(), "")


class CurriculumParserTestCase(SimpleTestCase):
    def test_the_curriculum_package_holds_no_code(self) -> None:
        tree = ast.parse((APP / "curriculum" / "__init__.py").read_text())
        code = [node for node in tree.body if not isinstance(node, ast.Expr)]
        self.assertEqual(code, [])

    def test_the_parser_module_loads_the_shipped_data(self) -> None:
        from alongside.learning.curriculum.parser import (
            CURRICULUM_ROOT,
            load_curriculum,
        )

        self.assertEqual(CURRICULUM_ROOT, APP / "curriculum")
        self.assertTrue(load_curriculum())
