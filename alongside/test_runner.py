from __future__ import annotations

import unittest
from typing import Any

from django.test.runner import DiscoverRunner


class Runner(DiscoverRunner):
    """Django's runner, closing with a plain 'N passed, N failed, N skipped' line."""

    def run_suite(self, suite: unittest.TestSuite, **kwargs: Any) -> Any:
        result = super().run_suite(suite, **kwargs)
        failed = (
            len(result.failures) + len(result.errors) + len(result.unexpectedSuccesses)
        )
        skipped = len(result.skipped)
        passed = result.testsRun - failed - skipped - len(result.expectedFailures)
        self._summary = f"{passed} passed, {failed} failed, {skipped} skipped"
        return result

    def run_tests(self, test_labels: Any, **kwargs: Any) -> int:
        failures = super().run_tests(test_labels, **kwargs)
        if summary := getattr(self, "_summary", ""):
            print(summary)
        return failures
