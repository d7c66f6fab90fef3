"""Throughput and latency of the main read pages, as a logged-in member, against /healthz.

Starts the real app (gunicorn, DEBUG off) on 127.0.0.1 on a fresh temporary SQLite
database holding the demo organization and, when DATABASE_URL names an EMPTY local
PostgreSQL database, a second server on that database. Several clients, each its own
logged-in session of the demo ally Daniel (a member of Riverside), request each page in
turn; every page and backend is measured once per round, over a few rounds, so drift on a
shared machine is spread over all of them. Each page's throughput is reported as a ratio
to /healthz (one trivial query) on the same server in the same run.

Usage, from the repository root (see docs/performance.md):

    .venv/bin/python -m bench.pages [--requests 300] [--clients 4]
    createdb -h 127.0.0.1 -U postgres alongside_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/alongside_bench .venv/bin/python -m bench.pages
    dropdb -h 127.0.0.1 -U postgres alongside_bench

The PostgreSQL database must be empty (the script migrates it and loads the demo; it
refuses a database that already has tables, so it never writes into real data). Drop it
afterwards.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from bench.harness import (
    ALLY_EMAIL,
    ORG,
    BenchError,
    Operation,
    Response,
    Sample,
    Server,
    Session,
    Workspace,
    format_table,
    free_port,
    install_signal_handlers,
    logged_in_sessions,
    machine_description,
    run_load,
    write_json,
)

IDS = f"""
import json
from alongside.accounts.models import User
from alongside.pledges.models import Pledge
ally = User.objects.get(email={ALLY_EMAIL!r})
pledge = Pledge.objects.get(
    organization__slug={ORG!r}, member=ally, status=Pledge.Status.ACTIVE
)
print(json.dumps({{"ally": ally.pk, "pledge": pledge.pk}}))
"""
TABLES = """
import json
from django.db import connection
print(json.dumps(connection.introspection.table_names()))
"""
# SQL queries per page, counted once outside the load with Django's test client.
QUERY_COUNTS = """
import json
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from alongside.accounts.models import User
client = Client(SERVER_NAME="127.0.0.1")
client.force_login(User.objects.get(email={email!r}))
counts = {{}}
for path in {paths!r}:
    client.get(path)  # the first request of a connection sets it up
    with CaptureQueriesContext(connection) as queries:
        status = client.get(path).status_code
    counts[path] = len(queries) if status == 200 else -status
print(json.dumps(counts))
"""
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", ""}


@dataclass
class Backend:
    name: str
    server: Server
    pages: list[tuple[str, str]] = field(default_factory=list)
    samples: dict[str, Sample] = field(default_factory=dict)
    queries: dict[str, int] = field(default_factory=dict)


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--requests",
        type=int,
        default=300,
        help="measured requests per page and backend",
    )
    parser.add_argument("--rounds", type=int, default=3, help="rounds over all pages")
    parser.add_argument(
        "--clients", type=int, default=4, help="concurrent sessions (threads)"
    )
    parser.add_argument(
        "--warmup", type=int, default=10, help="unmeasured requests per page"
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument(
        "--threads", type=int, default=4, help="gunicorn threads per worker"
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL", ""),
        help="an empty local PostgreSQL database to measure too (default: $DATABASE_URL)",
    )
    parser.add_argument(
        "--max-seconds",
        type=float,
        default=600,
        help="stop measuring this long after the first request, whatever is left",
    )
    parser.add_argument("--json", help="also write the results to this file")
    return parser.parse_args(argv)


def pages_for(ally: int, pledge: int) -> list[tuple[str, str]]:
    return [
        ("healthz (baseline)", "/healthz"),
        ("organization home", f"/o/{ORG}/"),
        ("recognition wall", f"/o/{ORG}/wall/"),
        ("ally profile (Daniel)", f"/o/{ORG}/allies/{ally}/"),
        ("pledge list", f"/o/{ORG}/pledges/"),
        ("pledge detail (Daniel's)", f"/o/{ORG}/pledges/{pledge}/"),
        ("notifications", "/notifications/"),
    ]


def getter(path: str) -> Operation:
    def operation(session: Session) -> tuple[Response, bool]:
        response = session.get(path)
        return response, response.status == 200

    return operation


def check_postgres_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql"}:
        raise BenchError(f"DATABASE_URL must be postgres://..., not {parts.scheme}://")
    if (parts.hostname or "") not in LOCAL_HOSTS:
        raise BenchError(
            f"refusing {parts.hostname}: benchmarks only run against this machine"
        )


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    install_signal_handlers()
    machine = machine_description()
    with Workspace() as ws:
        print(f"workspace {ws.root}", flush=True)
        backends: list[Backend] = []
        configs: list[tuple[str, str]] = [("SQLite", "")]
        if args.database_url:
            check_postgres_url(args.database_url)
            configs.append(("PostgreSQL", args.database_url))
        for name, url in configs:
            port = free_port()
            env = ws.env(
                port=port,
                sqlite_path=ws.root / "pages.sqlite3",
                database_url=url,
            )
            if url and ws.query(env, TABLES):
                raise BenchError(
                    "the PostgreSQL database already has tables; give an empty one "
                    "(createdb -h 127.0.0.1 -U postgres alongside_bench)"
                )
            ws.prepare_database(env)
            server = ws.start_server(
                name, env, port=port, workers=args.workers, threads=args.threads
            )
            ids = ws.query(env, IDS)
            pages = pages_for(ids["ally"], ids["pledge"])
            queries = ws.query(
                env,
                QUERY_COUNTS.format(email=ALLY_EMAIL, paths=[p for _, p in pages]),
            )
            backends.append(Backend(name, server, pages, queries=queries))
            print(f"{name}: gunicorn on {server.base_url}", flush=True)

        failures = 0
        with ExitStack() as stack:
            sessions = {
                b.name: stack.enter_context(
                    logged_in_sessions(b.server.port, args.clients)
                )
                for b in backends
            }
            deadline = time.monotonic() + args.max_seconds
            for backend in backends:
                for label, path in backend.pages:
                    warm = run_load(
                        sessions[backend.name],
                        getter(path),
                        requests=args.warmup,
                        deadline=deadline,
                    )
                    if warm.failed:
                        raise BenchError(
                            f"{backend.name} {path} failed in warm-up: {warm.failures}"
                        )
                    backend.samples[label] = Sample()
            per_round = max(1, args.requests // args.rounds)
            for round_no in range(args.rounds):
                for backend in backends:
                    for label, path in backend.pages:
                        sample = run_load(
                            sessions[backend.name],
                            getter(path),
                            requests=per_round,
                            deadline=deadline,
                        )
                        backend.samples[label].add(sample)
                        failures += sample.failed
                    print(f"round {round_no + 1} {backend.name} done", flush=True)

        print()
        print(
            f"Read pages as a logged-in member, {args.clients} clients, gunicorn "
            f"-w {args.workers} --threads {args.threads}, {args.rounds} rounds, "
            f"nproc {machine['nproc']}, load {machine['loadavg_at_start']}"
        )
        results: dict[str, dict[str, dict[str, object]]] = {}
        for backend in backends:
            baseline = backend.samples[backend.pages[0][0]].throughput
            rows = []
            results[backend.name] = {}
            for label, path in backend.pages:
                s = backend.samples[label]
                ratio = s.throughput / baseline if baseline else float("nan")
                rows.append(
                    [
                        label,
                        f"`{path}`",
                        f"{s.throughput:.1f}",
                        f"{ratio:.2f}",
                        f"{s.ms(50):.1f}",
                        f"{s.ms(95):.1f}",
                        f"{s.ms(99):.1f}",
                        str(backend.queries.get(path, "?")),
                        str(s.failed),
                    ]
                )
                results[backend.name][path] = {
                    **s.summary(),
                    "label": label,
                    "ratio_to_healthz": round(ratio, 3),
                    "sql_queries": backend.queries.get(path),
                }
                for failure in s.failures:
                    print(f"  {backend.name} {path} failure: {failure}")
                if s.unsent:
                    print(f"  {backend.name} {path}: {s.unsent} unsent (--max-seconds)")
            print(f"\n{backend.name}")
            print(
                format_table(
                    [
                        "page",
                        "path",
                        "req/s",
                        "/ healthz",
                        "p50 ms",
                        "p95 ms",
                        "p99 ms",
                        "SQL queries",
                        "failed",
                    ],
                    rows,
                )
            )
        write_json(
            args.json,
            {
                "benchmark": "pages",
                "machine": machine,
                "args": {**vars(args), "database_url": bool(args.database_url)},
                "results": results,
            },
        )
    return 1 if failures else 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except KeyboardInterrupt:
        print(
            "\ninterrupted: servers stopped, temporary files removed", file=sys.stderr
        )
        sys.exit(130)
    except BenchError as e:
        print(f"error: {e}", file=sys.stderr)
        sys.exit(2)
