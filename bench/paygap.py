"""End-to-end time and memory of the pay-gap engine (alongside/equity/paygap/).

Generates a deterministic payroll CSV (default 1,000,000 employees, seed 2017, about
46 MB: employee_id, gender, hourly_pay, basic_hourly_pay, bonus_pay, category,
full_pay_relevant, relevant, level) in a temporary directory, then measures in
interleaved rounds, each measurement in a FRESH subprocess (so ru_maxrss is the peak
resident memory of that measurement alone: DuckDB allocates outside Python, which
tracemalloc can't see):

- engine:  `paygap.compute(path, mapping)`: read, every validation check, every UK and
           EU figure (quartiles with the tie rule, categories, Art. 10 flag);
- scan:    one DuckDB `read_csv` of the same file with explicit types and a
           `GROUP BY gender` mean and median of hourly_pay: the least any reader of the
           file must do.

Both use the engine's DuckDB settings (threads and memory limit from
alongside/equity/paygap/loader.py). It reports the median seconds of each, the ratio
engine/scan (goal: at most 8), and the peak RSS of each (goal: engine under 1 GB), and
exits 1 when a goal is missed.

Usage, from the repository root (see docs/performance.md):

    .venv/bin/python -m bench.paygap [--rows 1000000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GOAL_RATIO = 8.0
GOAL_RSS_MB = 1024.0
SEED = 2017
CATEGORIES = [
    "Engineering",
    "Operations",
    "Sales",
    "Customer care",
    "Finance",
    "People",
    "Legal",
    "Warehouse",
    "Design",
    "Research",
    "Marketing",
    "Facilities",
]
COLUMNS = [
    "employee_id",
    "gender",
    "hourly_pay",
    "basic_hourly_pay",
    "bonus_pay",
    "category",
    "full_pay_relevant",
    "relevant",
    "level",
]


def generate(path: Path, rows: int) -> None:
    """A payroll with realistic shapes: a pay gap, ties (rounded rates), bonuses for about
    a third, 1 % recorded as neither, 3 % on leave, 2 % not relevant."""
    rng = random.Random(SEED)
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(",".join(COLUMNS) + "\n")
        chunk: list[str] = []
        for i in range(1, rows + 1):
            r = rng.random()
            gender = "F" if r < 0.49 else ("M" if r < 0.99 else "X")
            level = min(6, int(rng.expovariate(0.7)) + 1)
            base = (
                11.5
                + 4.0 * level
                + rng.random() * 6.0
                - (0.8 if gender == "F" else 0.0)
            )
            hourly = round(base * 4) / 4  # quarter-pound steps: many ties
            basic = round(hourly * (0.9 if rng.random() < 0.3 else 1.0), 2)
            bonus = round(rng.random() * 400 * level, 2) if rng.random() < 0.35 else 0
            full_pay = 0 if rng.random() < 0.03 else 1
            relevant = 0 if rng.random() < 0.02 else 1
            chunk.append(
                f"{i},{gender},{hourly:.2f},{basic:.2f},{bonus},{CATEGORIES[i % 12]},"
                f"{full_pay},{relevant},{level}\n"
            )
            if len(chunk) == 50_000:
                handle.write("".join(chunk))
                chunk.clear()
        handle.write("".join(chunk))


def measure(kind: str, path: Path) -> dict[str, float]:
    """Run inside a fresh subprocess: time one measurement and report peak RSS."""
    from alongside.equity.paygap import ColumnMapping, compute
    from alongside.equity.paygap.loader import connect

    before = resource.getrusage(resource.RUSAGE_SELF)
    cpu_before = before.ru_utime + before.ru_stime
    start = time.perf_counter()
    if kind == "engine":
        mapping = ColumnMapping(
            columns={c: c for c in COLUMNS},
            gender_values={"M": "male", "F": "female", "X": "neither"},
        )
        result = compute(path, mapping)
        assert result.validation.ok
        check = result.uk_gpg_2017["mean_hourly_gap_pct"]["value"]
    else:
        con = connect()
        types = {
            "employee_id": "VARCHAR",
            "gender": "VARCHAR",
            "hourly_pay": "DOUBLE",
            "basic_hourly_pay": "DOUBLE",
            "bonus_pay": "DOUBLE",
            "category": "VARCHAR",
            "full_pay_relevant": "INTEGER",
            "relevant": "INTEGER",
            "level": "INTEGER",
        }
        rows = con.execute(
            "SELECT gender, avg(hourly_pay), median(hourly_pay) FROM read_csv(?, header=true, "
            "auto_detect=false, delim=',', columns=?) GROUP BY gender ORDER BY gender",
            [str(path), types],
        ).fetchall()
        con.close()
        check = float(len(rows))
    seconds = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu = usage.ru_utime + usage.ru_stime - cpu_before
    return {
        "seconds": seconds,
        "cpu": cpu,
        "rss_mb": usage.ru_maxrss / 1024,
        "check": float(check or 0),
    }


def run_child(kind: str, path: Path) -> dict[str, float]:
    output = subprocess.run(
        [sys.executable, "-m", "bench.paygap", "--measure", kind, str(path)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--measure", choices=["engine", "scan"], help=argparse.SUPPRESS)
    parser.add_argument("file", nargs="?", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, Path(args.file))))
        return 0

    from alongside.equity.paygap.loader import DUCKDB_MEMORY_LIMIT, DUCKDB_THREADS

    print(
        f"python {platform.python_version()}, {os.cpu_count()} CPUs, load average "
        f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    print(f"duckdb threads={DUCKDB_THREADS} memory_limit={DUCKDB_MEMORY_LIMIT}")
    with tempfile.TemporaryDirectory(prefix="bench-paygap-") as tmp:
        path = Path(tmp) / "payroll.csv"
        start = time.perf_counter()
        generate(path, args.rows)
        print(
            f"generated {args.rows:,} rows, {path.stat().st_size / 1e6:.1f} MB in "
            f"{time.perf_counter() - start:.1f} s"
        )
        results: dict[str, list[dict[str, float]]] = {"scan": [], "engine": []}
        run_child("scan", path)  # warm the page cache once, not counted
        for round_no in range(1, args.rounds + 1):
            for kind in ("scan", "engine") if round_no % 2 else ("engine", "scan"):
                results[kind].append(run_child(kind, path))
            scan, engine = results["scan"][-1], results["engine"][-1]
            print(
                f"round {round_no}: scan {scan['seconds']:.2f} s ({scan['cpu']:.2f} CPU s), engine "
                f"{engine['seconds']:.2f} s ({engine['cpu']:.2f} CPU s), ratio "
                f"{engine['seconds'] / scan['seconds']:.2f} (CPU {engine['cpu'] / scan['cpu']:.2f}); peak RSS scan "
                f"{scan['rss_mb']:.0f} MB, engine {engine['rss_mb']:.0f} MB"
            )
    ratios = [
        e["seconds"] / s["seconds"]
        for s, e in zip(results["scan"], results["engine"], strict=True)
    ]
    scan_s = statistics.median(r["seconds"] for r in results["scan"])
    engine_s = statistics.median(r["seconds"] for r in results["engine"])
    ratio = statistics.median(ratios)
    cpu_ratio = statistics.median(
        e["cpu"] / s["cpu"]
        for s, e in zip(results["scan"], results["engine"], strict=True)
    )
    scan_cpu = statistics.median(r["cpu"] for r in results["scan"])
    engine_cpu = statistics.median(r["cpu"] for r in results["engine"])
    rss = max(r["rss_mb"] for r in results["engine"])
    scan_rss = max(r["rss_mb"] for r in results["scan"])
    print()
    print("| measurement | median wall s | median CPU s | peak RSS MB |")
    print("| --- | ---: | ---: | ---: |")
    print(
        f"| scan (read_csv + group-by mean, median) | {scan_s:.2f} | {scan_cpu:.2f} | {scan_rss:.0f} |"
    )
    print(
        f"| engine (validate + every figure) | {engine_s:.2f} | {engine_cpu:.2f} | {rss:.0f} |"
    )
    print(
        f"| ratio engine / scan (median of rounds) | {ratio:.2f} | {cpu_ratio:.2f} | goal wall <= {GOAL_RATIO:.0f} |"
    )
    ok = ratio <= GOAL_RATIO and rss < GOAL_RSS_MB
    print("goals met" if ok else "GOAL MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
