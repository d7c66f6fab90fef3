"""Start-up of a management command, and the pay-gap command against a bare DuckDB scan.

Every measurement is a whole process, timed from the outside (wall clock from spawn to
exit), so interpreter start, imports and `django.setup()` count:

- help:   `manage.py help --commands` (settings, every app's models and ready(): what any
          command pays before it does anything; goal: median under 0.5 s);
- check:  `manage.py check` (the same plus the URLconf, so every views module; shown, no
          goal);
- paygap: `manage.py paygap report FILE --format json --gender M=male ...` on a generated
          1,000,000-row payroll (bench/paygap.py's generator, seed 2017);
- scan:   a bare `python -c` process that imports duckdb, connects with the engine's
          settings (threads, memory limit) and runs one typed `read_csv` of the same file
          with a `GROUP BY gender` mean and median: the least any reader must do.

Each process is timed in wall seconds and in CPU seconds (user + sys from
`getrusage(RUSAGE_CHILDREN)`, DuckDB's threads included; queueing on a shared machine
doesn't change it). Rounds alternate the order of paygap and scan. It prints the medians,
the ratio paygap/scan (goal: at most 4 in wall time) and exits 1 when a goal is missed.

Usage, from the repository root (see docs/performance.md):

    .venv/bin/python -m bench.startup [--rows 1000000] [--rounds 5] [--startup-runs 9]
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.paygap import generate

GOAL_STARTUP_S = 0.5
GOAL_RATIO = 4.0
ROOT = Path(__file__).resolve().parent.parent
# A command as a developer runs it (DEBUG=1: settings need no keys), on the default
# database. `help` would hide a broken configuration, so stderr must stay empty.
ENV = {**os.environ, "DEBUG": "1"}
SCAN = """
import sys
import duckdb
con = duckdb.connect(config={"threads": int(sys.argv[2]), "memory_limit": sys.argv[3]})
types = {
    "employee_id": "VARCHAR", "gender": "VARCHAR", "hourly_pay": "DOUBLE",
    "basic_hourly_pay": "DOUBLE", "bonus_pay": "DOUBLE", "category": "VARCHAR",
    "full_pay_relevant": "INTEGER", "relevant": "INTEGER", "level": "INTEGER",
}
rows = con.execute(
    "SELECT gender, avg(hourly_pay), median(hourly_pay) FROM read_csv(?, header=true, "
    "auto_detect=false, delim=',', columns=?) GROUP BY gender ORDER BY gender",
    [sys.argv[1], types],
).fetchall()
assert len(rows) == 3, rows
"""


def timed(argv: list[str], *, silent: bool = True) -> tuple[float, float]:
    """Wall and CPU (user + sys) seconds of one process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        argv, cwd=ROOT, env=ENV, check=True, capture_output=True, timeout=600
    )
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    if silent and done.stderr.strip():
        raise SystemExit(f"{argv[1:3]} wrote to stderr:\n{done.stderr.decode()}")
    return seconds, cpu


def summary(runs: list[tuple[float, float]]) -> str:
    walls = [w for w, _ in runs]
    return (
        f"median {statistics.median(walls):.3f} s wall (min {min(walls):.3f}, max "
        f"{max(walls):.3f}), {statistics.median(c for _, c in runs):.3f} s CPU"
    )


def manage(*args: str) -> list[str]:
    return [sys.executable, "manage.py", *args]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--startup-runs", type=int, default=9)
    args = parser.parse_args()

    from alongside.equity.paygap.loader import DUCKDB_MEMORY_LIMIT, DUCKDB_THREADS

    print(
        f"python {platform.python_version()}, {os.cpu_count()} CPUs, load average "
        f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    timed(manage("help", "--commands"))  # warm the file cache and .pyc files
    startup: dict[str, list[tuple[float, float]]] = {}
    for name, argv in (
        ("help --commands", manage("help", "--commands")),
        ("check", manage("check")),
    ):
        startup[name] = [timed(argv) for _ in range(args.startup_runs)]
        print(f"manage.py {name}: {summary(startup[name])} ({args.startup_runs} runs)")

    with tempfile.TemporaryDirectory(prefix="bench-startup-") as tmp:
        path = Path(tmp) / "payroll.csv"
        generate(path, args.rows)
        print(f"generated {args.rows:,} rows, {path.stat().st_size / 1e6:.1f} MB")
        scan = [sys.executable, "-c", SCAN, str(path)]
        scan += [str(DUCKDB_THREADS), DUCKDB_MEMORY_LIMIT]
        paygap = manage("paygap", "report", str(path), "--format", "json")
        paygap += [
            "--gender",
            "M=male",
            "--gender",
            "F=female",
            "--gender",
            "X=neither",
        ]
        timed(scan)  # warm the page cache once, not counted
        results: dict[str, list[tuple[float, float]]] = {"scan": [], "paygap": []}
        for round_no in range(1, args.rounds + 1):
            order = ("scan", "paygap") if round_no % 2 else ("paygap", "scan")
            for kind in order:
                # the command warns (stderr) about the generated leave flags
                argv = scan if kind == "scan" else paygap
                results[kind].append(timed(argv, silent=kind == "scan"))
            (sw, sc), (pw, pc) = results["scan"][-1], results["paygap"][-1]
            print(
                f"round {round_no}: scan {sw:.2f} s ({sc:.2f} CPU s), paygap command "
                f"{pw:.2f} s ({pc:.2f} CPU s), ratio {pw / sw:.2f} (CPU {pc / sc:.2f})"
            )
    pairs = list(zip(results["scan"], results["paygap"], strict=True))
    ratio = statistics.median(p[0] / s[0] for s, p in pairs)
    cpu_ratio = statistics.median(p[1] / s[1] for s, p in pairs)
    print(f"scan:           {summary(results['scan'])}")
    print(f"paygap command: {summary(results['paygap'])}")
    print(
        f"ratio paygap / scan, median of rounds: wall {ratio:.2f}, CPU {cpu_ratio:.2f} "
        f"(goal <= {GOAL_RATIO})"
    )
    print(f"load average at the end {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    help_wall = statistics.median(w for w, _ in startup["help --commands"])
    ok = help_wall < GOAL_STARTUP_S and ratio <= GOAL_RATIO
    print("goals met" if ok else "GOAL MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
