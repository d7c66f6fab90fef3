"""Start `manage.py run_worker` as a real process on the test database."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import IO
from urllib.parse import quote

from django.conf import settings
from django.db import connection


def database_env(workdir: Path) -> dict[str, str]:
    """Environment pointing a process at the test database.

    PostgreSQL: the test database itself. SQLite: the test database lives in this
    process's memory, so it is copied to a file first (call again after writing).
    """
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        auth = quote(db["USER"] or "")
        if db["PASSWORD"]:
            auth += ":" + quote(db["PASSWORD"])
        host = db["HOST"] or "127.0.0.1"
        port = db["PORT"] or "5432"
        return {"DATABASE_URL": f"postgres://{auth}@{host}:{port}/{db['NAME']}"}
    path = workdir / "db.sqlite3"
    connection.ensure_connection()
    target = sqlite3.connect(path)
    try:
        connection.connection.backup(target)
    finally:
        target.close()
    return {"DATABASE_URL": "", "SQLITE_PATH": str(path)}


def start_worker(
    workdir: Path, env: dict[str, str], log: IO[bytes]
) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "run_worker",
            "--skip-checks",
            "--no-reload",
            "--no-startup-delay",
            "--interval",
            "0.05",
            "--verbosity",
            "0",
        ],
        cwd=settings.BASE_DIR,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "alongside.worker.tests.settings_process",
            "DEBUG": "1",
            "LOG_LEVEL": "WARNING",
            "TASK_WORKER_LEASE_SECONDS": "1",
            "WORKER_TEST_MAILBOX": str(workdir / "mailbox"),
            **env,
        },
        stdout=log,
        stderr=subprocess.STDOUT,
    )
