"""In-process profile of the 50-post dialogue thread page (where its time goes).

The load benchmarks (bench/dialogue_spirit.py, bench/dialogue_scale.py) say how fast the
page is; this says why. It seeds the same thread as dialogue_spirit.py into a SQLite
database under the production settings, then requests the page through Django's test
client as Daniel, the member the load logs in as, and reports the CPU time per request
(`time.process_time()`, which other work on a shared machine disturbs far less than the
wall clock) and, with --profile, a cProfile of the requests.

    .venv/bin/python -m bench.dialogue_profile                 # seed, time 40 requests
    .venv/bin/python -m bench.dialogue_profile --profile 25    # and the top of a profile
    .venv/bin/python -m bench.dialogue_profile --keep DIR      # reuse a seeded database

The database is rebuilt when it is missing (migrate, demo, the thread); --keep reuses it
between runs, which is only right while the models have not changed.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.dialogue_content import AUTHORS, THREAD_TITLE, thread_posts
from bench.dialogue_spirit import POSTS, SEED_ALONGSIDE
from bench.harness import ALLY_EMAIL, ORG, PYTHON, REPO, Workspace

SETTINGS = "bench.settings_dialogue"

MEASURE = """
import cProfile, json, pstats, sys, time
import django
django.setup()
import bench.urls_dialogue  # noqa: F401 (the page size)
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client

args = json.loads(sys.argv[1])
client = Client(SERVER_NAME="127.0.0.1")
client.force_login(get_user_model().objects.get(email=args["email"]))
path = args["path"]
for _ in range(5):
    response = client.get(path)
    assert response.status_code == 200, response.status_code
queries = []
def log(execute, sql, params, many, context):
    queries.append(sql)
    return execute(sql, params, many, context)
with connection.execute_wrapper(log):
    client.get(path)
times = []
for _ in range(args["requests"]):
    start = time.process_time()
    client.get(path)
    times.append((time.process_time() - start) * 1000)
times.sort()
print(f"{len(response.content) // 1024} kB, {len(queries)} queries")
print(
    f"CPU ms per request over {len(times)}: min {times[0]:.1f}, "
    f"p50 {times[len(times) // 2]:.1f}, max {times[-1]:.1f}"
)
if args["queries"]:
    for sql in queries:
        print(" ", sql[:300])
if args["profile"]:
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(20):
        client.get(path)
    profile.disable()
    stats = pstats.Stats(profile)
    stats.sort_stats("cumulative").print_stats(args["profile"])
    stats.sort_stats("tottime").print_stats(args["profile"])
"""


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--per-page", type=int, default=POSTS)
    parser.add_argument(
        "--profile", type=int, default=0, help="rows of cProfile to show"
    )
    parser.add_argument("--queries", action="store_true", help="print the SQL")
    parser.add_argument("--keep", help="a directory to keep the seeded database in")
    args = parser.parse_args(argv)

    with Workspace() as ws:
        root = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(dir=ws.root))
        root.mkdir(parents=True, exist_ok=True)
        database = root / "alongside.sqlite3"
        env = ws.env(port=8000, settings=SETTINGS, sqlite_path=database)
        env["BENCH_POSTS_PER_PAGE"] = str(args.per_page)
        state = root / "thread.json"
        if not database.exists() or not state.exists():
            database.unlink(missing_ok=True)
            ws.prepare_database(env)
            seeded = ws.query(
                env,
                SEED_ALONGSIDE.format(
                    org=ORG,
                    posts=thread_posts(POSTS),
                    authors=AUTHORS,
                    domain=ALLY_EMAIL.split("@")[1],
                    title=THREAD_TITLE,
                ),
            )
            state.write_text(json.dumps(seeded))
        path = json.loads(state.read_text())["path"]
        ws.collect_static()
        result = subprocess.run(
            [
                str(PYTHON),
                "-c",
                MEASURE,
                json.dumps(
                    {
                        "email": ALLY_EMAIL,
                        "path": path,
                        "requests": args.requests,
                        "profile": args.profile,
                        "queries": args.queries,
                    }
                ),
            ],
            cwd=REPO,
            env=env,
            check=False,
        )
        return result.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
