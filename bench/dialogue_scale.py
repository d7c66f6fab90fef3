"""The dialogue thread page with 10k posts in the database against 1M posts.

Builds one base database (migrate, the demo organization Riverside, and the measured
content: the 50-post thread of bench/dialogue_spirit.py and a 2,000-post thread in the
same space), copies it twice, and fills the copies with other posts up to 10,000 and
1,000,000 posts in all, spread like a real organization: threads of 1 to 200 posts
(about 50 on average) in 100 other spaces, a tenth of them in the measured space so its
thread list grows too, by all Riverside's members, over two years. Both databases run
under gunicorn with the production configuration (deploy/gunicorn.conf.py) at the same
time, and the same pages are loaded on both in alternating rounds:

- the 50-post thread page (first page);
- a deep page of the 2,000-post thread, reached by its keyset cursor (`?after=`);
- the space's thread list (first page).

The SQL queries of each page are counted on both databases (they must be the same), and
EXPLAIN (PostgreSQL) or EXPLAIN QUERY PLAN (SQLite) of each is checked for full scans
of the dialogue tables on the 1M database.

Usage, from the repository root (see docs/performance.md, "Dialogue thread page"):

    .venv/bin/python -m bench.dialogue_scale [--engines sqlite,postgres] [--big 1000000]

PostgreSQL: the databases bench_d5_scale_base, bench_d5_scale_small and
bench_d5_scale_big on postgres://postgres@127.0.0.1:5432 are created (dropped first if a
killed run left them) and dropped at the end. The SQLite files live in the temporary
workspace (about 1 GB at 1M posts).
"""

from __future__ import annotations

import argparse
import html
import json
import random
import re
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from bench.dialogue_content import AUTHORS, THREAD_TITLE, thread_posts
from bench.dialogue_spirit import (
    CONFIG,
    PG_BASE,
    SEED_ALONGSIDE,
    SETTINGS,
    getter,
    postgres_databases,
)
from bench.harness import (
    ALLY_EMAIL,
    ORG,
    PYTHON,
    REPO,
    BenchError,
    Sample,
    Server,
    Session,
    Workspace,
    copy_sqlite,
    format_table,
    free_port,
    install_signal_handlers,
    machine_description,
    run_load,
    write_json,
)

PG_NAMES = {
    "base": "bench_d5_scale_base",
    "small": "bench_d5_scale_small",
    "big": "bench_d5_scale_big",
}
LONG_THREAD = 2000
DEEP_AT = 1900  # the deep page starts after this post of the long thread
DEEP_LABEL = f"deep page (posts after {DEEP_AT} of {LONG_THREAD})"

SEED_LONG = """
import json
from datetime import timedelta
from django.utils import timezone
from alongside.accounts.models import User
from alongside.dialogue.models import Post, Space, Thread
space = Space.objects.get(organization__slug={org!r}, name="Ward life")
users = {{u.email.split("@")[0]: u for u in User.objects.filter(
    email__in=[f"{{key}}@{domain}" for key in {authors!r}])}}
posts = {posts!r}
count = {count}
start = timezone.now() - timedelta(days=30)
thread = Thread.objects.create(
    space=space, title="The long thread", started_by=users[posts[0][0]],
    created_at=start, last_posted_at=start + timedelta(minutes=count - 1),
    post_count=count,
)
Post.objects.bulk_create(
    (Post(thread=thread, author=users[posts[n % len(posts)][0]],
          body=posts[n % len(posts)][1], created_at=start + timedelta(minutes=n))
     for n in range(count)),
    batch_size=1000,
)
Post.objects.filter(thread=thread).rerender()  # the HTML save() would have stored
print(json.dumps({{
    "long": thread.get_absolute_url(), "space": space.get_absolute_url(),
}}))
"""
FILL = "from bench.dialogue_scale import fill; fill({target}, {seed})"
# Queries of each page: counted with the test client, then explained one by one.
QUERIES = """
import json, re
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.contrib.auth import get_user_model
client = Client(SERVER_NAME="127.0.0.1")
client.force_login(get_user_model().objects.get(email={email!r}))
out = {{}}
for path in {paths!r}:
    client.get(path)
    with CaptureQueriesContext(connection) as queries:
        status = client.get(path).status_code
    scans = []
    for q in queries.captured_queries:
        sql = q["sql"]
        if not sql.lstrip().upper().startswith("SELECT") or "dialogue_" not in sql:
            continue
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("EXPLAIN " + sql)
                plan = "\\n".join(r[0] for r in cursor.fetchall())
                bad = re.findall(r"Seq Scan on (dialogue_\\w+)", plan)
            else:
                cursor.execute("EXPLAIN QUERY PLAN " + sql)
                plan = "\\n".join(str(r[-1]) for r in cursor.fetchall())
                bad = re.findall(r"SCAN (dialogue_\\w+)(?! USING)", plan)
        if bad:
            scans.append({{"tables": bad, "sql": sql[:600], "plan": plan[:1500]}})
    out[path] = {{"status": status, "queries": len(queries), "scans": scans}}
print(json.dumps(out))
"""


def fill(target: int, seed: int) -> None:
    """Add posts (and threads and spaces) until the database holds `target` posts.

    Runs inside `manage.py shell` on the database to fill. PostgreSQL: COPY; SQLite:
    executemany in one transaction. Column values go through Django's own field
    preparation, so columns added by later migrations get their model defaults.
    """
    from django.db import connection, transaction
    from django.utils import timezone

    from alongside.dialogue.models import Post, Space, Thread
    from alongside.lib.markdown import render_markdown
    from alongside.organizations.models import Membership, Organization

    started = time.monotonic()
    rng = random.Random(seed)
    org = Organization.objects.get(slug=ORG)
    members = list(
        Membership.objects.filter(organization=org, user__is_active=True).values_list(
            "user_id", flat=True
        )
    )
    measured = Space.objects.get(organization=org, name="Ward life")
    missing = target - Post.objects.count()
    if missing <= 0:
        return
    spaces = [
        Space.objects.create(
            organization=org,
            name=f"Team {n:03d}",
            guidelines="- **Assume good faith.**",
        )
        for n in range(100)
    ]
    now = timezone.now()
    span = timedelta(days=730).total_seconds()
    # Thread sizes 1..200, about 50 on average, until the posts run out.
    sizes: list[int] = []
    left = missing
    while left > 0:
        size = min(left, max(1, int(rng.expovariate(1 / 50))), 200)
        sizes.append(size)
        left -= size
    threads: list[Thread] = []
    for size in sizes:
        space = measured if rng.random() < 0.1 else rng.choice(spaces)
        first = now - timedelta(days=31, seconds=rng.random() * span)
        threads.append(
            Thread(
                space=space,
                title=f"Filler conversation {len(threads)}",
                started_by_id=rng.choice(members),
                created_at=first,
                last_posted_at=first + timedelta(minutes=size - 1),
                post_count=size,
            )
        )
    with transaction.atomic():
        created = Thread.objects.bulk_create(threads, batch_size=5000)
    bodies = [text for _key, text in thread_posts(25)]
    # Each post's stored HTML, as Post.save() writes it.
    rendered = {body: render_markdown(body) for body in bodies}
    fields = [f for f in Post._meta.concrete_fields if not f.primary_key]
    columns = [str(f.column) for f in fields]
    template = Post(thread=created[0], author_id=members[0], body="", created_at=now)
    fixed = {f.attname: getattr(template, f.attname) for f in fields}

    def rows() -> Any:
        for thread, size in zip(created, sizes, strict=True):
            for n in range(size):
                values = dict(fixed)
                values["uid"] = uuid.uuid4()
                values["thread_id"] = thread.pk
                values["author_id"] = rng.choice(members)
                body = bodies[rng.randrange(len(bodies))]
                values["body"] = body
                values["body_rendered"] = rendered[body]
                values["created_at"] = thread.created_at + timedelta(minutes=n)
                yield [values[f.attname] for f in fields]

    table = Post._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor  # psycopg's own cursor, for COPY
            cols = ", ".join(f'"{c}"' for c in columns)
            with raw.copy(f'COPY "{table}" ({cols}) FROM STDIN') as copy:
                for row in rows():
                    copy.write_row(row)
        else:
            sql = (
                f'INSERT INTO "{table}" ({", ".join(columns)}) '
                f"VALUES ({', '.join(['%s'] * len(columns))})"
            )
            batch: list[list[Any]] = []
            for row in rows():
                batch.append(
                    [
                        f.get_db_prep_save(v, connection)
                        for f, v in zip(fields, row, strict=True)
                    ]
                )
                if len(batch) >= 20_000:
                    cursor.executemany(sql, batch)
                    batch.clear()
            if batch:
                cursor.executemany(sql, batch)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            # The fill's one transaction left ~1 GB in the WAL; a live database's WAL is
            # checkpointed as it goes, so fold it into the main file before measuring.
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # What autovacuum does on a live database: statistics, visibility map.
            cursor.execute(f'VACUUM ANALYZE "{table}"')
            cursor.execute('VACUUM ANALYZE "dialogue_thread"')
    print(
        json.dumps(
            {
                "posts": Post.objects.count(),
                "threads": Thread.objects.count(),
                "spaces": Space.objects.count(),
                "threads_in_measured_space": measured.threads.count(),
                "seconds": round(time.monotonic() - started, 1),
            }
        )
    )


NEXT_LINK = re.compile(r'<a href="([^"]+)" rel="next"')


def deep_path(port: int, path: str, pages: int) -> str:
    """The address of page `pages` + 1 of a thread, following its "Later posts" links
    (the keyset cursor is whatever the page itself puts there)."""
    session = Session(port)
    session.log_in()
    try:
        for _ in range(pages):
            page = session.get(path)
            found = NEXT_LINK.search(page.text)
            if page.status != 200 or found is None:
                raise BenchError(f"no next-page link on {path} (HTTP {page.status})")
            path = html.unescape(found.group(1))
    finally:
        session.close()
    return path


def run_fill(env: dict[str, str], target: int) -> dict[str, Any]:
    """`fill` in a `manage.py shell` (ws.query's 10-minute limit is too short here)."""
    result = subprocess.run(
        [
            str(PYTHON),
            "manage.py",
            "shell",
            "--no-imports",
            "-c",
            FILL.format(target=target, seed=5),
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=3600,
        check=False,
    )
    if result.returncode != 0:
        raise BenchError(f"filling failed:\n{result.stderr[-4000:]}")
    stats: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return stats


@dataclass
class Database:
    engine: str
    size: str
    server: Server
    stats: dict[str, Any]
    queries: dict[str, Any] = field(default_factory=dict)
    sessions: list[Session] = field(default_factory=list)
    samples: dict[str, Sample] = field(default_factory=dict)


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--engines", default="sqlite,postgres", help="sqlite,postgres")
    p.add_argument("--small", type=int, default=10_000, help="posts, small database")
    p.add_argument("--big", type=int, default=1_000_000, help="posts, big database")
    p.add_argument("--per-page", type=int, default=50, help="posts per thread page")
    p.add_argument("--requests", type=int, default=240, help="per page and database")
    p.add_argument("--rounds", type=int, default=6)
    p.add_argument("--clients", type=int, default=2, help="concurrent connections")
    p.add_argument("--warmup", type=int, default=20)
    p.add_argument("--max-seconds", type=float, default=900)
    p.add_argument("--json", help="also write the results to this file")
    return p.parse_args(argv)


def build(
    ws: Workspace, engine: str, args: argparse.Namespace
) -> tuple[list[Database], dict[str, str]]:
    """The base database, its two filled copies and a server on each."""
    url = {k: PG_BASE + v for k, v in PG_NAMES.items()}
    sqlite = {k: ws.root / f"scale-{k}.sqlite3" for k in PG_NAMES}
    pg = engine == "PostgreSQL"

    def env_for(key: str, port: int = 0) -> dict[str, str]:
        env = ws.env(
            port=port,
            settings=SETTINGS,
            sqlite_path=sqlite[key],
            database_url=url[key] if pg else "",
        )
        env["BENCH_POSTS_PER_PAGE"] = str(args.per_page)
        return env

    base = env_for("base")
    ws.prepare_database(base)
    ws.collect_static()
    domain = ALLY_EMAIL.split("@")[1]
    first = ws.query(
        base,
        SEED_ALONGSIDE.format(
            org=ORG,
            posts=thread_posts(50),
            authors=AUTHORS,
            domain=domain,
            title=THREAD_TITLE,
        ),
    )
    more = ws.query(
        base,
        SEED_LONG.format(
            org=ORG,
            posts=thread_posts(50),
            authors=AUTHORS,
            domain=domain,
            count=LONG_THREAD,
        ),
    )
    # Work off the tasks the demo queued (no worker runs in a benchmark): a task left
    # waiting for minutes, while the big database fills, makes /healthz report 503.
    ws.manage(base, "db_worker", "--batch", "--queue-name", "*", "--no-startup-delay")
    paths = {
        "thread page (50 posts)": first["path"],
        DEEP_LABEL: more["long"],
        "space thread list": more["space"],
    }
    databases = []
    for key, target in (("small", args.small), ("big", args.big)):
        if pg:
            import psycopg

            with psycopg.connect(PG_BASE + "postgres", autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{PG_NAMES[key]}"')
                conn.execute(
                    f'CREATE DATABASE "{PG_NAMES[key]}" TEMPLATE "{PG_NAMES["base"]}"'
                )
        else:
            copy_sqlite(sqlite["base"], sqlite[key])
        print(f"{engine}: filling the {key} database to {target} posts", flush=True)
        stats = run_fill(env_for(key), target)
        print(f"  {stats}", flush=True)
        port = free_port()
        server = ws.start_server(
            f"{engine}-{key}", env_for(key, port), port=port, config=CONFIG
        )
        db = Database(engine, f"{target:,} posts", server, stats)
        deep = deep_path(port, more["long"], DEEP_AT // args.per_page)
        if paths[DEEP_LABEL] not in {more["long"], deep}:
            raise BenchError("the deep page's address differs between the databases")
        paths[DEEP_LABEL] = deep
        db.queries = ws.query(
            env_for(key, port),
            QUERIES.format(email=ALLY_EMAIL, paths=list(paths.values())),
        )
        databases.append(db)
    return databases, paths


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    install_signal_handlers()
    engines = {"sqlite": "SQLite", "postgres": "PostgreSQL"}
    chosen = [engines[e.strip()] for e in args.engines.split(",") if e.strip()]
    machine = machine_description()
    results: dict[str, Any] = {}
    failed = 0
    for engine in chosen:
        with Workspace() as ws:
            dbs = [PG_NAMES[k] for k in PG_NAMES] if engine == "PostgreSQL" else []
            with postgres_databases(dbs) if dbs else _nothing():
                print(f"workspace {ws.root}", flush=True)
                databases, paths = build(ws, engine, args)
                failed += measure(databases, paths, args)
                for db in databases:
                    ws.servers.remove(db.server)
                    db.server.stop()
        results[engine] = report(engine, databases, paths, args, machine)
    write_json(
        args.json,
        {
            "benchmark": "dialogue_scale",
            "machine": machine,
            "args": vars(args),
            "results": results,
        },
    )
    return 1 if failed else 0


class _nothing:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


def measure(
    databases: list[Database], paths: dict[str, str], args: argparse.Namespace
) -> int:
    for db in databases:
        first = Session(db.server.port)
        first.log_in()
        db.sessions = [first]
        for _ in range(args.clients - 1):
            other = Session(db.server.port)
            other.cookies = dict(first.cookies)
            db.sessions.append(other)
        for label, path in paths.items():
            warm = run_load(
                db.sessions,
                getter(path),
                requests=args.warmup,
                deadline=time.monotonic() + 300,
            )
            if warm.failed:
                raise BenchError(f"{db.size} {path}: warm-up failed {warm.failures}")
            db.samples[label] = Sample()
    deadline = time.monotonic() + args.max_seconds
    per_round = max(1, args.requests // args.rounds)
    for round_no in range(args.rounds):
        order = databases if round_no % 2 == 0 else list(reversed(databases))
        for label, path in paths.items():
            for db in order:
                db.samples[label].add(
                    run_load(
                        db.sessions, getter(path), requests=per_round, deadline=deadline
                    )
                )
        print(f"round {round_no + 1}/{args.rounds} done", flush=True)
    for db in databases:
        for session in db.sessions:
            session.close()
    return sum(s.failed for db in databases for s in db.samples.values())


def report(
    engine: str,
    databases: list[Database],
    paths: dict[str, str],
    args: argparse.Namespace,
    machine: dict[str, str],
) -> dict[str, Any]:
    small, big = databases
    print(
        f"\n{engine}: {args.per_page} posts per page, {args.clients} clients, "
        f"gunicorn -c deploy/gunicorn.conf.py, {args.rounds} alternating rounds, "
        f"nproc {machine['nproc']}, load at start {machine['loadavg_at_start']}"
    )
    print(f"small: {small.stats}\nbig:   {big.stats}")
    rows = []
    out: dict[str, Any] = {"small": small.stats, "big": big.stats, "pages": {}}
    for label, path in paths.items():
        a, b = small.samples[label], big.samples[label]
        qa, qb = small.queries[path], big.queries[path]
        ratio = b.ms(50) / a.ms(50) if a.latencies else float("nan")
        rows.append(
            [
                label,
                f"{a.ms(50):.1f} / {b.ms(50):.1f}",
                f"{a.ms(99):.1f} / {b.ms(99):.1f}",
                f"{a.throughput:.1f} / {b.throughput:.1f}",
                f"**{ratio:.2f}×**",
                f"{qa['queries']} / {qb['queries']}",
                str(len(qb["scans"])),
                str(a.failed + b.failed),
            ]
        )
        out["pages"][label] = {
            "path": path,
            "small": {**a.summary(), "sql": qa},
            "big": {**b.summary(), "sql": qb},
            "p50_ratio_big_over_small": round(ratio, 3),
        }
        for scan in qb["scans"]:
            print(f"  full scan on {label}: {scan['tables']}\n    {scan['sql']}")
            print("    " + scan["plan"].replace("\n", "\n    "))
        if qa["queries"] != qb["queries"]:
            print(f"  {label}: query count differs with size!")
    print(
        format_table(
            [
                "page",
                "p50 ms small / big",
                "p99 ms small / big",
                "req/s small / big",
                "p50 big / small",
                "SQL queries small / big",
                "full scans (big)",
                "failed",
            ],
            rows,
        )
    )
    return out


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except KeyboardInterrupt:
        print("\ninterrupted: servers stopped, files removed", file=sys.stderr)
        sys.exit(130)
    except BenchError as e:
        print(f"error: {e}", file=sys.stderr)
        sys.exit(2)
