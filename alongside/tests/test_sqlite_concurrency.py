"""The embedded SQLite settings hold up under concurrent writers (RELIABILITY F7, scaled down).

Each thread opens its own connection through Django's SQLite backend with exactly the
settings' OPTIONS (WAL, busy_timeout, IMMEDIATE transactions) on a temporary file
database, and runs read-modify-write transactions the way a request would.
"""

from __future__ import annotations

import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.db.utils import ConnectionHandler
from django.test import SimpleTestCase

from alongside.lib.env import database_from_url

THREADS = 10
WRITES_PER_THREAD = 20
# An alias unknown to the project's own `connections`, so this test never touches the
# test database and Django treats these connections as dynamically created ones.
ALIAS = "embedded_sqlite"


@contextmanager
def atomic(connection: Any) -> Iterator[None]:
    """What `transaction.atomic` does on SQLite: BEGIN <transaction_mode>, then COMMIT."""
    connection.set_autocommit(
        False, force_begin_transaction_with_broken_autocommit=True
    )
    try:
        yield
    except BaseException:
        connection.rollback()
        raise
    else:
        connection.commit()
    finally:
        connection.set_autocommit(True)


class SQLiteConcurrencyTestCase(SimpleTestCase):
    def setUp(self) -> None:
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        self.settings_dict = database_from_url(
            "", sqlite_path=str(Path(tmp.name) / "concurrency.sqlite3")
        )
        # One handler for the whole test; like Django's own, it gives each thread its
        # own connection.
        self.handler = ConnectionHandler(
            {"default": {}, ALIAS: dict(self.settings_dict)}
        )

    def _connection(self) -> Any:
        return self.handler[ALIAS]

    def _close(self) -> None:
        self.handler[ALIAS].close()

    def test_the_connections_use_the_embedded_settings(self) -> None:
        try:
            connection = self._connection()
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA journal_mode")
                self.assertEqual(cursor.fetchone()[0], "wal")
                cursor.execute("PRAGMA busy_timeout")
                self.assertGreaterEqual(cursor.fetchone()[0], 5000)
                cursor.execute("PRAGMA synchronous")
                self.assertEqual(cursor.fetchone()[0], 2)  # FULL
            self.assertEqual(connection.transaction_mode, "IMMEDIATE")
        finally:
            self._close()

    def test_concurrent_writers_are_never_locked_out_and_nothing_is_lost(self) -> None:
        try:
            with self._connection().cursor() as cursor:
                cursor.execute(
                    "CREATE TABLE counter (id INTEGER PRIMARY KEY, n INTEGER)"
                )
                cursor.execute("INSERT INTO counter (id, n) VALUES (1, 0)")
                cursor.execute(
                    "CREATE TABLE item (id INTEGER PRIMARY KEY, thread INTEGER,"
                    " seq INTEGER, UNIQUE (thread, seq))"
                )
        finally:
            self._close()

        barrier = threading.Barrier(THREADS)
        errors: list[str] = []

        def writer(thread_no: int) -> None:
            try:
                connection = self._connection()
                barrier.wait(timeout=10)
                for seq in range(WRITES_PER_THREAD):
                    # Read, then write, in one transaction: under DEFERRED transactions
                    # this reader-to-writer upgrade is what fails as "database is locked".
                    with atomic(connection), connection.cursor() as cursor:
                        cursor.execute("SELECT n FROM counter WHERE id = 1")
                        n = cursor.fetchone()[0]
                        cursor.execute(
                            "INSERT INTO item (thread, seq) VALUES (%s, %s)",
                            [thread_no, seq],
                        )
                        cursor.execute(
                            "UPDATE counter SET n = %s WHERE id = 1", [n + 1]
                        )
            except Exception as e:  # any failure counts, reported with its type
                errors.append(f"thread {thread_no}: {type(e).__name__}: {e}")
            finally:
                self._close()

        started = time.monotonic()
        threads = [threading.Thread(target=writer, args=(i,)) for i in range(THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        elapsed = time.monotonic() - started

        self.assertFalse(any(t.is_alive() for t in threads), "a writer hung")
        self.assertEqual([e for e in errors if "locked" in e], [])
        self.assertEqual(errors, [])
        try:
            with self._connection().cursor() as cursor:
                cursor.execute("SELECT COUNT(*) FROM item")
                self.assertEqual(cursor.fetchone()[0], THREADS * WRITES_PER_THREAD)
                # No lost update: each read-modify-write saw the one before it.
                cursor.execute("SELECT n FROM counter WHERE id = 1")
                self.assertEqual(cursor.fetchone()[0], THREADS * WRITES_PER_THREAD)
        finally:
            self._close()
        self.assertLess(elapsed, 30)
