from __future__ import annotations

import threading

import time_machine
from django.core.cache import cache
from django.test import TestCase, TransactionTestCase

from alongside.lib.ratelimit import private_key_part, rate_limit_hit


class RateLimitTestCase(TestCase):
    def setUp(self) -> None:
        cache.clear()

    def test_it_allows_up_to_the_limit_then_refuses(self) -> None:
        with time_machine.travel("2026-05-01 12:00Z", tick=False):
            results = [rate_limit_hit("k", limit=3, window=60) for _ in range(5)]
        self.assertEqual(results, [True, True, True, False, False])

    def test_keys_are_independent(self) -> None:
        self.assertTrue(rate_limit_hit("a", limit=1, window=60))
        self.assertFalse(rate_limit_hit("a", limit=1, window=60))
        self.assertTrue(rate_limit_hit("b", limit=1, window=60))

    def test_the_window_slides(self) -> None:
        with time_machine.travel("2026-05-01 12:00Z", tick=False):
            self.assertTrue(rate_limit_hit("k", limit=2, window=60))
        with time_machine.travel("2026-05-01 12:00:30Z", tick=False):
            self.assertTrue(rate_limit_hit("k", limit=2, window=60))
            self.assertFalse(rate_limit_hit("k", limit=2, window=60))
        # The first hit has aged out, the second has not.
        with time_machine.travel("2026-05-01 12:01:05Z", tick=False):
            self.assertTrue(rate_limit_hit("k", limit=2, window=60))
            self.assertFalse(rate_limit_hit("k", limit=2, window=60))

    def test_the_private_key_part_hides_the_value(self) -> None:
        digest = private_key_part("203.0.113.9")
        self.assertNotIn("203", digest)
        self.assertEqual(digest, private_key_part("203.0.113.9"))
        self.assertNotEqual(digest, private_key_part("203.0.113.10"))


class RateLimitConcurrencyTestCase(TransactionTestCase):
    """Parallel hits on the shared database cache never let more than `limit` through."""

    def test_parallel_hits_respect_the_limit(self) -> None:
        from django.db import connection

        if connection.vendor == "sqlite":
            # The SQLite test database is in memory and not shared between threads.
            self.skipTest("needs a database shared between threads (PostgreSQL)")
        cache.clear()
        barrier = threading.Barrier(20)
        allowed: list[bool] = []

        def hit() -> None:
            from django.db import connections

            try:
                barrier.wait(timeout=10)
                allowed.append(rate_limit_hit("parallel", limit=5, window=60))
            finally:
                connections.close_all()

        threads = [threading.Thread(target=hit) for _ in range(20)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        self.assertEqual(len(allowed), 20)
        self.assertEqual(allowed.count(True), 5)
