"""The local PostgreSQL of bench/campaigns.py: a fresh database, dropped afterwards, and
the cluster restart of the fault run.

Only 127.0.0.1:5432 as the `postgres` user (trust authentication on these machines), and
only a database this module created itself (its name is unique to the run), so it never
touches anyone else's data. Restarting the cluster, however, interrupts everyone using
it: other benchmarks and test runs on the machine see their connections dropped.
"""

from __future__ import annotations

import os
import re
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager

from bench.harness import HOST, BenchError

PORT = 5432
USER = "postgres"
_NAME = re.compile(r"^[a-z0-9_]+$")


def _psql(sql: str, *, database: str = "postgres", timeout: float = 60) -> str:
    result = subprocess.run(
        [
            "psql",
            "-h",
            HOST,
            "-p",
            str(PORT),
            "-U",
            USER,
            "-d",
            database,
            "-XtAq",
            "-v",
            "ON_ERROR_STOP=1",
            "-c",
            sql,
        ],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        raise BenchError(f"psql failed: {sql}\n{result.stderr.strip()}")
    return result.stdout.strip()


def url(name: str) -> str:
    return f"postgres://{USER}@{HOST}:{PORT}/{name}"


def server_version() -> str:
    return _psql("SHOW server_version")


@contextmanager
def fresh_database(prefix: str = "alongside_bench_campaigns") -> Iterator[str]:
    """CREATE a database named for this run, yield its URL, DROP it (WITH FORCE) after."""
    name = f"{prefix}_{os.getpid()}_{int(time.time())}"
    if not _NAME.match(name):
        raise BenchError(f"bad database name {name!r}")
    _psql(f"CREATE DATABASE {name}")
    try:
        yield url(name)
    finally:
        # Servers are stopped by then; FORCE ends any straggling connection.
        for _ in range(3):
            try:
                _psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
                break
            except BenchError:  # e.g. the cluster is still coming back from a restart
                time.sleep(2)


def cluster() -> tuple[str, str]:
    """(version, name) of the cluster listening on PORT, from pg_lsclusters."""
    output = subprocess.run(
        ["pg_lsclusters", "--no-header"],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    ).stdout
    for line in output.splitlines():
        fields = line.split()
        if len(fields) >= 4 and fields[2] == str(PORT):
            if fields[3] != "online":
                raise BenchError(
                    f"PostgreSQL cluster {fields[0]}/{fields[1]} is {fields[3]}"
                )
            return fields[0], fields[1]
    raise BenchError(f"no PostgreSQL cluster on port {PORT} (pg_lsclusters)")


def is_ready() -> bool:
    result = subprocess.run(
        ["pg_isready", "-q", "-h", HOST, "-p", str(PORT)], timeout=10, check=False
    )
    return result.returncode == 0


def restart_cluster() -> dict[str, float]:
    """Restart the local cluster (fast shutdown: open connections are cut, committed
    transactions are on disk). Returns when it accepts connections again, with timings
    in seconds from the start of the call."""
    version, name = cluster()
    started = time.monotonic()
    result = subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, name, "restart"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    returned = time.monotonic() - started
    if result.returncode != 0:
        raise BenchError(f"pg_ctlcluster restart failed:\n{result.stderr.strip()}")
    while not is_ready():
        if time.monotonic() - started > 120:
            raise BenchError("PostgreSQL did not come back within 120 s")
        time.sleep(0.1)
    return {
        "command_s": round(returned, 2),
        "ready_s": round(time.monotonic() - started, 2),
    }
