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

Rounds alternate the order of paygap and scan. It prints the medians, the ratio
paygap/scan (goal: at most 4) and exits 1 when a goal is missed.

Usage, from the repository root (see docs/performance.md):

    .venv/bin/python -m bench.startup [--rows 1000000] [--rounds 5] [--startup-runs 9]
"""

from __future__ import annotations

import argparse
import os
import platform
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


def timed(argv: list[str], *, silent: bool = True) -> float:
    start = time.perf_counter()
    done = subprocess.run(
        argv, cwd=ROOT, env=ENV, check=True, capture_output=True, timeout=600
    )
    seconds = time.perf_counter() - start
    if silent and done.stderr.strip():
        raise SystemExit(f"{argv[1:3]} wrote to stderr:\n{done.stderr.decode()}")
    return seconds


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
    help_s = [timed(manage("help", "--commands")) for _ in range(args.startup_runs)]
    check_s = [timed(manage("check")) for _ in range(args.startup_runs)]
    print(
        f"manage.py help --commands: median {statistics.median(help_s):.3f} s "
        f"(min {min(help_s):.3f}, max {max(help_s):.3f}, {len(help_s)} runs)"
    )
    print(
        f"manage.py check:           median {statistics.median(check_s):.3f} s "
        f"(min {min(check_s):.3f}, max {max(check_s):.3f}, {len(check_s)} runs)"
    )

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
        results: dict[str, list[float]] = {"scan": [], "paygap": []}
        for round_no in range(1, args.rounds + 1):
            order = ("scan", "paygap") if round_no % 2 else ("paygap", "scan")
            for kind in order:
                # the command warns (stderr) about the generated leave flags
                argv = scan if kind == "scan" else paygap
                results[kind].append(timed(argv, silent=kind == "scan"))
            print(
                f"round {round_no}: scan {results['scan'][-1]:.2f} s, paygap command "
                f"{results['paygap'][-1]:.2f} s, ratio "
                f"{results['paygap'][-1] / results['scan'][-1]:.2f}"
            )
    ratios = [p / s for s, p in zip(results["scan"], results["paygap"], strict=True)]
    startup = statistics.median(help_s)
    ratio = statistics.median(ratios)
    print(
        f"median: scan {statistics.median(results['scan']):.2f} s, paygap command "
        f"{statistics.median(results['paygap']):.2f} s, ratio {ratio:.2f} "
        f"(rounds {min(ratios):.2f} - {max(ratios):.2f}); goal <= {GOAL_RATIO}"
    )
    print(f"load average at the end {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    ok = startup < GOAL_STARTUP_S and ratio <= GOAL_RATIO
    print("goals met" if ok else "GOAL MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
