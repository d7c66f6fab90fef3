"""`make test-fast` leaves out the browser tests by their tag: none may slip through."""

from __future__ import annotations

import unittest
from collections.abc import Iterator

from django.contrib.staticfiles.testing import StaticLiveServerTestCase
from django.test import SimpleTestCase
from django.test.runner import DiscoverRunner


def _tests(suite: unittest.TestSuite) -> Iterator[unittest.TestCase]:
    for test in suite:
        if isinstance(test, unittest.TestSuite):
            yield from _tests(test)
        else:
            yield test


class BrowserTagTestCase(SimpleTestCase):
    def test_no_browser_test_runs_without_the_browser_tag(self) -> None:
        runner = DiscoverRunner(exclude_tags=["browser"], verbosity=0)
        suite = runner.build_suite(["alongside"])
        tests = list(_tests(suite))
        self.assertGreater(len(tests), 100)
        untagged = sorted(
            {
                type(test).__qualname__
                for test in tests
                if isinstance(test, StaticLiveServerTestCase)
            }
        )
        self.assertEqual(untagged, [], "browser tests without @tag('browser')")
