from __future__ import annotations

import threading
from typing import Any
from unittest import mock

import time_machine
from django.core.cache import cache
from django.db import connection
from django.test import TestCase, TransactionTestCase
from django.test.utils import CaptureQueriesContext

from alongside.lib.ratelimit import PROBES, private_key_part, rate_limit_hit


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

    def test_the_window_slides_hit_by_hit_through_the_ring(self) -> None:
        # Hits at 0 s, 10 s, 20 s with a limit of 3 in 60 s: each frees its slot at
        # 60, 70, 80 s, one at a time, and the ring takes them back in that order.
        for second in (0, 10, 20):
            with time_machine.travel(f"2026-05-01 12:00:{second:02d}Z", tick=False):
                self.assertTrue(rate_limit_hit("k", limit=3, window=60))
        with time_machine.travel("2026-05-01 12:00:59Z", tick=False):
            self.assertFalse(rate_limit_hit("k", limit=3, window=60))
        for second in (61, 71, 81):
            with time_machine.travel(
                f"2026-05-01 12:{second // 60:02d}:{second % 60:02d}Z", tick=False
            ):
                self.assertTrue(rate_limit_hit("k", limit=3, window=60))
                self.assertFalse(rate_limit_hit("k", limit=3, window=60))

    def test_never_more_than_the_limit_in_any_window(self) -> None:
        # One hit attempt per second for five minutes at a limit of 7 per 60 s:
        # every 60-second span holds at most 7 allowed hits.
        allowed: list[int] = []
        for second in range(300):
            with time_machine.travel(
                f"2026-05-01 12:{second // 60:02d}:{second % 60:02d}Z", tick=False
            ):
                if rate_limit_hit("k", limit=7, window=60):
                    allowed.append(second)
        self.assertGreaterEqual(len(allowed), 5 * 7 - 7)
        for start in range(300):
            self.assertLessEqual(
                len([s for s in allowed if start <= s < start + 60]), 7
            )

    def test_a_lagging_counter_never_lets_more_through(self) -> None:
        # Simultaneous hits can leave the ring's counter behind (it is a plain
        # get/set); the slots alone bound the hits, so a stale counter can only
        # refuse early.
        with time_machine.travel("2026-05-01 12:00Z", tick=False):
            for _ in range(4):
                self.assertTrue(rate_limit_hit("k", limit=5, window=60))
            cache.set("rl:k:n", 2, timeout=60)  # as if two updates were lost
            results = [rate_limit_hit("k", limit=5, window=60) for _ in range(5)]
        # Slots 2 and 3 are found taken, slot 4 is the one left; then the ring is full.
        self.assertEqual(results, [True, False, False, False, False])

    @mock.patch("alongside.lib.ratelimit.secrets.randbelow", return_value=1)
    def test_each_hit_costs_the_same_few_cache_operations(self, _: Any) -> None:
        def queries(limit: int) -> list[int]:
            cache.clear()
            counts = []
            for _ in range(limit + 2):
                with CaptureQueriesContext(connection) as ctx:
                    rate_limit_hit("k", limit=limit, window=60)
                counts.append(len(ctx.captured_queries))
            return counts

        small, large = queries(4), queries(30)
        if not any(small):
            self.skipTest("the cache is not the database cache")
        # Allowed hits cost the same at a limit of 30 as at 4 (the 30th no more than
        # the 2nd), and so do refusals, which are bounded by PROBES adds.
        self.assertEqual(max(large[:30]), max(small[:4]))
        self.assertEqual(max(large[30:]), max(small[4:]))
        # (The old slot scan cost one add, about 5 statements, per slot: 150 here.)
        self.assertLess(max(large), (PROBES + 1) * 7)

    @mock.patch("alongside.lib.ratelimit.secrets.randbelow", return_value=0)
    def test_the_culling_path_keeps_the_same_limits(self, _: Any) -> None:
        # One claim in CULL_EVERY goes through cache.add (which culls the table).
        results = [rate_limit_hit("c", limit=3, window=60) for _ in range(5)]
        self.assertEqual(results, [True, True, True, False, False])

    def test_an_expired_slot_is_taken_over_and_a_live_one_is_not(self) -> None:
        with time_machine.travel("2026-05-01 12:00Z", tick=False):
            self.assertTrue(rate_limit_hit("e", limit=1, window=60))
        with time_machine.travel("2026-05-01 12:00:59Z", tick=False):
            self.assertFalse(rate_limit_hit("e", limit=1, window=60))
        with time_machine.travel("2026-05-01 12:01:01Z", tick=False):
            self.assertTrue(rate_limit_hit("e", limit=1, window=60))
            self.assertFalse(rate_limit_hit("e", limit=1, window=60))
            # The rows are in the cache's own format: the cache API reads them.
            self.assertEqual(cache.get("rl:e:0"), 1)

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
