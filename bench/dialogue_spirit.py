"""Alongside's dialogue thread page against django-spirit's topic page, in one run.

Installs django-spirit (pinned, from PyPI) into its own virtualenv under
`.bench-env/spirit` (reused on later runs), sets up a minimal spirit project in a
temporary directory, and seeds the same content into both: a thread of 50 Markdown posts
by five members in an organization-wide dialogue space of Alongside, and a topic of the
same 50 comments by the same five users in spirit. Both run under gunicorn with the
production configuration (deploy/gunicorn.conf.py, same workers and threads, same
gunicorn and psycopg versions) on 127.0.0.1, on the same database engine and the same
database settings (alongside/lib/env.py). Each page is then loaded as a logged-in member
by the same client (bench/harness.py), in rounds that alternate which product goes first,
so drift on a shared machine hits both.

Both pages show 50 posts per page by default (`--per-page`): Alongside's page size
(dialogue/views/threads.py POSTS_PER_PAGE, 20 in production) is set by the bench-only URLconf
bench/urls_dialogue.py, spirit's by its own `comments_per_page` setting (20 by default).
`--per-page 20` compares the two production defaults.

Usage, from the repository root (see docs/performance.md, "Dialogue thread page"):

    .venv/bin/python -m bench.dialogue_spirit [--engines sqlite,postgres] [--rounds 6]

PostgreSQL: the databases bench_d5_alongside and bench_d5_spirit on
postgres://postgres@127.0.0.1:5432 are created (dropped first if a killed run left them)
and dropped at the end.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from alongside.lib.env import database_from_url
from bench.dialogue_content import AUTHORS, THREAD_TITLE, marker, thread_posts
from bench.harness import (
    _CLEARED,
    ALLY_EMAIL,
    ALLY_PASSWORD,
    HOST,
    ORG,
    REPO,
    BenchError,
    Response,
    Sample,
    Server,
    Session,
    Workspace,
    _die_with_parent,
    csrf_token,
    format_table,
    free_port,
    install_signal_handlers,
    machine_description,
    run_load,
    write_json,
)

SPIRIT_VERSION = "0.14.3"
ENV_DIR = REPO / ".bench-env" / "spirit"
CONFIG = REPO / "deploy" / "gunicorn.conf.py"
SETTINGS = "bench.settings_dialogue"
PG_BASE = "postgres://postgres@127.0.0.1:5432/"
PG_NAMES = {"Alongside": "bench_d5_alongside", "spirit": "bench_d5_spirit"}
POSTS = 50

SEED_ALONGSIDE = """
import json
from datetime import timedelta
from django.utils import timezone
from alongside.accounts.models import User
from alongside.dialogue.models import GuidelinesAcceptance, Post, Space, Thread
from alongside.organizations.models import Organization
org = Organization.objects.get(slug={org!r})
posts = {posts!r}
users = {{u.email.split("@")[0]: u for u in User.objects.filter(
    email__in=[f"{{key}}@{domain}" for key in {authors!r}])}}
space = Space.objects.create(
    organization=org, name="Ward life", guidelines="- **Assume good faith.**",
    created_by=users["priya"],
)
for user in users.values():
    GuidelinesAcceptance.objects.create(space=space, user=user, version=1)
start = timezone.now() - timedelta(days=3)
thread = Thread.objects.create(
    space=space, title={title!r}, started_by=users[posts[0][0]], created_at=start,
    last_posted_at=start + timedelta(minutes=len(posts) - 1), post_count=len(posts),
)
Post.objects.bulk_create(
    Post(thread=thread, author=users[key], body=text,
         created_at=start + timedelta(minutes=n))
    for n, (key, text) in enumerate(posts)
)
Post.objects.filter(thread=thread).rerender()  # the HTML save() would have stored
print(json.dumps({{"path": thread.get_absolute_url()}}))
"""
SEED_SPIRIT = """
import json, sys
from datetime import timedelta
import django
django.setup()
from django.contrib.auth import get_user_model
from django.utils import timezone
from djconfig.models import Config
from spirit.category.models import Category
from spirit.comment.models import Comment
from spirit.core.utils.markdown import Markdown
from spirit.topic.models import Topic
data = json.loads(sys.argv[1])
User = get_user_model()
users = {}
for key in data["authors"]:
    user = User.objects.create_user(
        username=key, email=f"{key}@{data['domain']}", password=data["password"])
    user.st.is_verified = True
    user.st.save()
    users[key] = user
Config.objects.update_or_create(
    key="comments_per_page", defaults={"value": str(data["per_page"])})
Config.objects.update_or_create(
    key="_updated_at", defaults={"value": str(timezone.now())})
category = Category.objects.create(title="Ward life", slug="ward-life")
posts = data["posts"]
start = timezone.now() - timedelta(days=3)
topic = Topic.objects.create(
    user=users[posts[0][0]], category=category, title=data["title"],
    slug="who-picks-up-the-unplanned-cover-shifts", date=start,
    last_active=start + timedelta(minutes=len(posts) - 1), comment_count=len(posts),
)
Comment.objects.bulk_create(
    Comment(user=users[key], topic=topic, comment=text,
            comment_html=Markdown().render(text), date=start + timedelta(minutes=n))
    for n, (key, text) in enumerate(posts)
)
print(json.dumps({"path": topic.get_absolute_url()}))
"""
# SQL queries of one page view, counted outside the load with Django's test client
# (the second request of a connection, as in bench/pages.py).
QUERY_COUNT = """
import json
{setup}
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.contrib.auth import get_user_model
client = Client(SERVER_NAME="127.0.0.1")
client.force_login(get_user_model().objects.get(email={email!r}))
client.get({path!r})
with CaptureQueriesContext(connection) as queries:
    status = client.get({path!r}).status_code
print(json.dumps(len(queries) if status == 200 else -status))
"""
SPIRIT_SETTINGS = """\
# Written by bench/dialogue_spirit.py: spirit's production settings (prod.py) on the
# benchmark's database, with Alongside's database settings.
import json
import os

from .prod import *  # noqa: F403

DEBUG = False
SECRET_KEY = os.environ["SECRET_KEY"]
ALLOWED_HOSTS = ["127.0.0.1"]
DATABASES = {"default": json.loads(os.environ["BENCH_DATABASE"])}
STATIC_ROOT = os.environ["BENCH_STATIC_ROOT"]
ST_SITE_URL = os.environ["BENCH_SITE_URL"]
HAYSTACK_CONNECTIONS["default"]["PATH"] = os.environ["BENCH_SEARCH_DIR"]  # noqa: F405
LOGGING["handlers"]["file"]["filename"] = os.environ["BENCH_LOG_FILE"]  # noqa: F405
LOGGING["loggers"][""]["level"] = "WARNING"  # noqa: F405
"""


# The spirit environment ---------------------------------------------------------------


def _pins() -> list[str]:
    """django-spirit, plus the server and driver at the versions Alongside runs."""
    return [
        f"django-spirit=={SPIRIT_VERSION}",
        f"gunicorn=={importlib.metadata.version('gunicorn')}",
        f"psycopg[binary]=={importlib.metadata.version('psycopg')}",
    ]


def _run(cmd: list[str], *, cwd: Path = REPO, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        cmd,
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    if result.returncode != 0:
        raise BenchError(
            f"{' '.join(cmd[:4])[:200]} failed ({result.returncode}):\n"
            f"{result.stdout[-2000:]}\n{result.stderr[-4000:]}"
        )
    return result.stdout


def ensure_spirit_env() -> Path:
    """The virtualenv with django-spirit, created (and the pins installed) if needed."""
    python = ENV_DIR / "bin" / "python"
    marker_file = ENV_DIR / "bench-pins.txt"
    pins = _pins()
    if (
        python.exists()
        and marker_file.exists()
        and marker_file.read_text().split() == pins
    ):
        return python
    shutil.rmtree(ENV_DIR, ignore_errors=True)
    ENV_DIR.parent.mkdir(parents=True, exist_ok=True)
    base = getattr(sys, "_base_executable", sys.executable)
    uv = shutil.which("uv") or str(Path.home() / ".local" / "bin" / "uv")
    print(f"installing {' '.join(pins)} into {ENV_DIR}", flush=True)
    if Path(uv).exists():
        _run([uv, "venv", "--quiet", "--python", base, str(ENV_DIR)])
        _run([uv, "pip", "install", "--quiet", "--python", str(python), *pins])
    else:
        _run([base, "-m", "venv", str(ENV_DIR)])
        _run([str(python), "-m", "pip", "install", "--quiet", *pins])
    marker_file.write_text("\n".join(pins) + "\n")
    return python


@dataclass
class SpiritProject:
    python: Path
    root: Path

    @classmethod
    def create(cls, python: Path, parent: Path) -> SpiritProject:
        template = _run(
            [
                str(python),
                "-c",
                "import os, spirit; print(os.path.dirname(spirit.__file__))",
            ]
        ).strip()
        root = parent / "spirit"
        root.mkdir()
        _run(
            [
                str(python),
                "-m",
                "django",
                "startproject",
                f"--template={template}/extra/project_template",
                "benchsite",
                str(root),
            ]
        )
        (root / "benchsite" / "settings" / "bench.py").write_text(SPIRIT_SETTINGS)
        return cls(python, root)

    def env(self, *, port: int, database: dict[str, Any], tag: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in _CLEARED}
        env.update(
            {
                "DJANGO_SETTINGS_MODULE": "benchsite.settings.bench",
                "SECRET_KEY": "bench-" + os.urandom(24).hex(),
                "BENCH_DATABASE": json.dumps(database),
                "BENCH_STATIC_ROOT": str(self.root / "static"),
                "BENCH_SITE_URL": f"http://{HOST}:{port}/",
                "BENCH_SEARCH_DIR": str(self.root / f"search-{tag}"),
                "BENCH_LOG_FILE": str(self.root / f"django-{tag}.log"),
                "PYTHONUNBUFFERED": "1",
            }
        )
        return env

    def manage(self, env: dict[str, str], *args: str) -> str:
        return _run([str(self.python), "manage.py", *args], cwd=self.root, env=env)

    def python_json(self, env: dict[str, str], code: str, *args: str) -> Any:
        output = _run([str(self.python), "-c", code, *args], cwd=self.root, env=env)
        return json.loads(output.strip().splitlines()[-1])


def start_foreign_server(
    ws: Workspace,
    name: str,
    env: dict[str, str],
    *,
    gunicorn: Path,
    app: str,
    cwd: Path,
    port: int,
    health_path: str,
    ready_timeout: float = 60.0,
) -> Server:
    """Like Workspace.start_server (same config file, same clean-up), for another app."""
    log_path = ws.root / f"gunicorn-{name}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                str(gunicorn),
                app,
                "--config",
                str(CONFIG),
                "--bind",
                f"{HOST}:{port}",
                "--error-logfile",
                "-",
            ],
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_die_with_parent,
        )
    server = Server(name, port, process, log_path, env)
    ws.servers.append(server)
    deadline = time.monotonic() + ready_timeout
    while True:
        if process.poll() is not None:
            raise BenchError(f"{name} exited:\n{server.log_tail()}")
        try:
            status = Session(port).get(health_path).status
        except OSError:
            status = 0
        if status == 200:
            return server
        if time.monotonic() > deadline:
            raise BenchError(f"{name} not ready (HTTP {status}):\n{server.log_tail()}")
        time.sleep(0.2)


# PostgreSQL databases -----------------------------------------------------------------


@contextmanager
def postgres_databases(names: list[str]) -> Iterator[None]:
    """Create the benchmark's own databases; drop them at the end, whatever happens."""
    import psycopg

    def run(sql: str) -> None:
        with psycopg.connect(PG_BASE + "postgres", autocommit=True) as conn:
            conn.execute(sql)

    for name in names:
        run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        run(f'CREATE DATABASE "{name}"')
    try:
        yield
    finally:
        for name in names:
            try:
                run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            except psycopg.Error as e:
                print(f"could not drop {name}: {e}", file=sys.stderr)


# Measuring ----------------------------------------------------------------------------


@dataclass
class Target:
    engine: str
    product: str
    server: Server
    path: str
    queries: int = 0
    sessions: list[Session] = field(default_factory=list)
    sample: Sample = field(default_factory=Sample)


def spirit_log_in(session: Session) -> None:
    token = csrf_token(session.get("/user/login/"))
    done = session.post(
        "/user/login/",
        {
            "csrfmiddlewaretoken": token,
            "username": ALLY_EMAIL.split("@")[0],
            "password": ALLY_PASSWORD,
        },
    )
    if done.status != 302 or "sessionid" not in session.cookies:
        raise BenchError(f"spirit log-in failed: HTTP {done.status}")


def open_sessions(target: Target, clients: int) -> None:
    """`clients` connections of one logged-in member (one log-in, its cookies shared)."""
    first = Session(target.server.port)
    if target.product == "spirit":
        spirit_log_in(first)
    else:
        first.log_in()
    target.sessions = [first]
    for _ in range(clients - 1):
        other = Session(target.server.port)
        other.cookies = dict(first.cookies)
        target.sessions.append(other)


def getter(path: str) -> Callable[[Session], tuple[Response, bool]]:
    def operation(session: Session) -> tuple[Response, bool]:
        response = session.get(path)
        return response, response.status == 200

    return operation


def check_page(target: Target, per_page: int) -> None:
    """The page lists exactly the first `per_page` posts of the thread."""
    response = target.sessions[0].get(target.path)
    if response.status != 200:
        raise BenchError(f"{target.product} {target.path}: HTTP {response.status}")
    shown = [n for n in range(POSTS) if f"{marker(n)})" in response.text]
    if shown != list(range(min(per_page, POSTS))):
        raise BenchError(
            f"{target.product} ({target.engine}) shows posts {shown}, "
            f"expected the first {per_page}"
        )


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--engines", default="sqlite,postgres", help="sqlite,postgres")
    p.add_argument("--per-page", type=int, default=50, help="posts per page, both")
    p.add_argument("--requests", type=int, default=1200, help="per page and engine")
    p.add_argument("--rounds", type=int, default=6)
    p.add_argument("--clients", type=int, default=4, help="concurrent connections")
    p.add_argument("--warmup", type=int, default=40, help="unmeasured requests")
    p.add_argument(
        "--max-seconds", type=float, default=900, help="limit on the measured part"
    )
    p.add_argument("--json", help="also write the results to this file")
    return p.parse_args(argv)


def setup_engine(
    ws: Workspace, spirit: SpiritProject, engine: str, per_page: int
) -> list[Target]:
    posts = thread_posts(POSTS)
    targets = []
    # Alongside.
    port = free_port()
    url = PG_BASE + PG_NAMES["Alongside"] if engine == "PostgreSQL" else ""
    env = ws.env(
        port=port,
        settings=SETTINGS,
        sqlite_path=ws.root / "alongside.sqlite3",
        database_url=url,
    )
    env["BENCH_POSTS_PER_PAGE"] = str(per_page)
    ws.prepare_database(env)
    ws.collect_static()
    seeded = ws.query(
        env,
        SEED_ALONGSIDE.format(
            org=ORG,
            posts=posts,
            authors=AUTHORS,
            domain=ALLY_EMAIL.split("@")[1],
            title=THREAD_TITLE,
        ),
    )
    queries = ws.query(
        env,
        QUERY_COUNT.format(
            setup="import bench.urls_dialogue", email=ALLY_EMAIL, path=seeded["path"]
        ),
    )
    server = ws.start_server(f"alongside-{engine}", env, port=port, config=CONFIG)
    targets.append(Target(engine, "Alongside", server, seeded["path"], queries))
    # spirit, on the same engine with the same database settings.
    port = free_port()
    database = database_from_url(
        PG_BASE + PG_NAMES["spirit"] if engine == "PostgreSQL" else "",
        sqlite_path=str(spirit.root / f"spirit-{engine}.sqlite3"),
    )
    senv = spirit.env(port=port, database=database, tag=engine)
    spirit.manage(senv, "migrate", "--noinput", "-v", "0")
    spirit.manage(senv, "createcachetable")
    if not (spirit.root / "static").exists():
        spirit.manage(senv, "collectstatic", "--noinput", "-v", "0")
    seeded = spirit.python_json(
        senv,
        SEED_SPIRIT,
        json.dumps(
            {
                "authors": AUTHORS,
                "domain": ALLY_EMAIL.split("@")[1],
                "password": ALLY_PASSWORD,
                "per_page": per_page,
                "posts": posts,
                "title": THREAD_TITLE,
            }
        ),
    )
    queries = spirit.python_json(
        senv,
        "import django; django.setup()\n"
        + QUERY_COUNT.format(setup="", email=ALLY_EMAIL, path=seeded["path"]),
    )
    server = start_foreign_server(
        ws,
        f"spirit-{engine}",
        senv,
        gunicorn=spirit.python.parent / "gunicorn",
        app="benchsite.wsgi",
        cwd=spirit.root,
        port=port,
        health_path="/",
    )
    targets.append(Target(engine, "spirit", server, seeded["path"], queries))
    return targets


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    install_signal_handlers()
    engines = {"sqlite": "SQLite", "postgres": "PostgreSQL"}
    chosen = [engines[e.strip()] for e in args.engines.split(",") if e.strip()]
    machine = machine_description()
    python = ensure_spirit_env()
    with ExitStack() as stack:
        if "PostgreSQL" in chosen:
            stack.enter_context(postgres_databases(list(PG_NAMES.values())))
        ws = stack.enter_context(Workspace())
        print(f"workspace {ws.root}", flush=True)
        spirit = SpiritProject.create(python, ws.root)
        targets: list[Target] = []
        for engine in chosen:
            targets += setup_engine(ws, spirit, engine, args.per_page)
            print(f"{engine}: both servers up", flush=True)
        for target in targets:
            open_sessions(target, args.clients)
            check_page(target, args.per_page)
            warm = run_load(
                target.sessions,
                getter(target.path),
                requests=args.warmup,
                deadline=time.monotonic() + 120,
            )
            if warm.failed:
                raise BenchError(f"{target.product} warm-up failed: {warm.failures}")
        deadline = time.monotonic() + args.max_seconds
        per_round = max(1, args.requests // args.rounds)
        for round_no in range(args.rounds):
            for engine in chosen:
                pair = [t for t in targets if t.engine == engine]
                if round_no % 2:
                    pair.reverse()
                for target in pair:
                    target.sample.add(
                        run_load(
                            target.sessions,
                            getter(target.path),
                            requests=per_round,
                            deadline=deadline,
                        )
                    )
            print(f"round {round_no + 1}/{args.rounds} done", flush=True)
        for target in targets:
            for session in target.sessions:
                session.close()

    print()
    print(
        f"50-post thread page, {args.per_page} posts per page, as a logged-in member; "
        f"{args.clients} clients; gunicorn -c deploy/gunicorn.conf.py for both; "
        f"{args.rounds} alternating rounds; nproc {machine['nproc']}, "
        f"load at start {machine['loadavg_at_start']}"
    )
    rows = []
    results: dict[str, Any] = {}
    failed = 0
    for engine in chosen:
        ours, theirs = (
            next(t for t in targets if t.engine == engine and t.product == p)
            for p in ("Alongside", "spirit")
        )
        ratio = (
            ours.sample.throughput / theirs.sample.throughput
            if theirs.sample.throughput
            else float("nan")
        )
        for t in (ours, theirs):
            s = t.sample
            failed += s.failed
            rows.append(
                [
                    engine,
                    t.product,
                    f"{s.throughput:.1f}",
                    f"{s.ms(50):.1f}",
                    f"{s.ms(99):.1f}",
                    str(t.queries),
                    str(s.ok),
                    str(s.failed),
                ]
            )
            results.setdefault(engine, {})[t.product] = {
                **s.summary(),
                "path": t.path,
                "sql_queries": t.queries,
            }
            for failure in s.failures:
                print(f"  {engine} {t.product} failure: {failure}")
        results[engine]["ratio"] = round(ratio, 3)
        rows.append([engine, "**ratio Alongside / spirit**", f"**{ratio:.2f}×**"])
        rows[-1] += [""] * 5
    print(
        format_table(
            [
                "engine",
                "page",
                "req/s",
                "p50 ms",
                "p99 ms",
                "SQL queries",
                "ok",
                "failed",
            ],
            rows,
        )
    )
    write_json(
        args.json,
        {
            "benchmark": "dialogue_spirit",
            "machine": machine,
            "args": vars(args),
            "spirit": SPIRIT_VERSION,
            "results": results,
        },
    )
    return 1 if failed else 0


def _check_local(url: str) -> None:
    if urlsplit(url).hostname not in {"127.0.0.1", "localhost"}:
        raise BenchError("benchmarks only run against this machine")


if __name__ == "__main__":
    _check_local(PG_BASE)
    try:
        sys.exit(main(sys.argv[1:]))
    except KeyboardInterrupt:
        print("\ninterrupted: servers stopped, files removed", file=sys.stderr)
        sys.exit(130)
    except BenchError as e:
        print(f"error: {e}", file=sys.stderr)
        sys.exit(2)
