"""Keyset pagination (alongside.lib.keyset), the parts that need no table; the pages
that use it are tested with real rows in dialogue/tests/test_views.py
(KeysetPaginationTestCase: ties neither skipped nor repeated, no OFFSET, no COUNT)."""

from __future__ import annotations

from unittest import mock

from django.test import SimpleTestCase

from alongside.lib.keyset import KeysetPage, _position


class KeysetTestCase(SimpleTestCase):
    def test_a_missing_or_malformed_cursor_positions_nothing_and_reads_nothing(
        self,
    ) -> None:
        queryset = mock.Mock()
        for cursor in (None, "", "2026-03-02T09:00:00", "42", "not-a-uid"):
            with self.subTest(cursor=cursor):
                self.assertIsNone(_position(queryset, "created_at", cursor))
        queryset.filter.assert_not_called()

    def test_a_cursor_is_looked_up_within_the_list(self) -> None:
        queryset = mock.Mock()
        queryset.filter.return_value.values_list.return_value.first.return_value = (
            "moment",
            7,
        )
        uid = "6f1c1a0e-58c4-4b8e-9a55-0c2b1e0f3d21"
        self.assertEqual(_position(queryset, "created_at", uid), ("moment", 7))
        queryset.filter.return_value.values_list.assert_called_once_with(
            "created_at", "id"
        )

    def test_has_next_follows_the_cursor(self) -> None:
        self.assertTrue(KeysetPage(items=[], next_cursor="x", is_first=True).has_next)
        self.assertFalse(KeysetPage(items=[], next_cursor=None, is_first=True).has_next)
