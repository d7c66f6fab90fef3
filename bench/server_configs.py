"""Compare gunicorn configurations on the campaign pages and signing, in alternation.

deploy/gunicorn.conf.py is the production server configuration. This script starts one
server per configuration to compare (the production file plus a few flags each) on one
shared database, all at once, and then measures them in turns: in each round every
configuration gets the same closed-loop load for a few seconds on the anonymous
campaign page, the counter fragment and the signing POST, in a rotated order. Servers
not being measured sit idle, so every configuration sees the same machine, and the
noise of a shared 2-core machine (other processes, CPU steal) falls on all of them
alike; the report gives each configuration's median over the rounds and its ratio to
the first configuration's, for the same round.

    .venv/bin/python -m bench.server_configs                    # PostgreSQL (~6 min)
    .venv/bin/python -m bench.server_configs --backend sqlite
    .venv/bin/python -m bench.server_configs --variant 'w3=--workers 3' --rounds 8
    # options: --seconds (per measurement), --clients, --json PATH

The default variants are the production file as it is ("prod"), and with gunicorn's
access log off, with two workers of four threads, with three workers of two threads, and
with the sync worker class.
--variant NAME=FLAGS (repeatable) replaces them; "prod" (no flags) always comes first.
Results: docs/performance.md, "Server configuration".
"""

from __future__ import annotations

import argparse
import shlex
import statistics
import sys
import time
from contextlib import nullcontext
from typing import Any

from bench import campaigns_pg
from bench.campaigns_ops import CREATE_CAMPAIGN, Signer, getter
from bench.harness import (
    ORG,
    REPO,
    BenchError,
    Operation,
    Server,
    Session,
    Workspace,
    format_table,
    free_port,
    install_signal_handlers,
    machine_description,
    run_load,
    write_json,
)

SETTINGS = "bench.settings_campaigns"
CONFIG = REPO / "deploy" / "gunicorn.conf.py"
DEFAULT_VARIANTS = {
    "no access log": "--access-logfile ''",
    "2x4 threads": "--workers 2 --threads 4",
    "3x2 threads": "--workers 3",
    "sync x4": "--worker-class sync --threads 1",
}
PATHS = ("page", "counter", "sign")


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=("postgres", "sqlite"), default="postgres")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument(
        "--variant",
        action="append",
        default=[],
        metavar="NAME=FLAGS",
        help="a configuration: gunicorn flags added to deploy/gunicorn.conf.py",
    )
    parser.add_argument("--json", help="write the results to this file")
    args = parser.parse_args(argv)
    variants = {"prod": ""}
    for item in args.variant:
        name, sep, flags = item.partition("=")
        if not sep or not name:
            parser.error(f"--variant {item!r}: expected NAME=FLAGS")
        variants[name] = flags
    if len(variants) == 1:
        variants.update(DEFAULT_VARIANTS)
    args.variants = variants
    return args


def split_env(flags: str) -> tuple[list[str], dict[str, str]]:
    """gunicorn flags, and the variables of their `--env NAME=VALUE` flags, which are
    set in the server's environment instead (so that they hold before the app loads)."""
    words = shlex.split(flags)
    options: list[str] = []
    variables: dict[str, str] = {}
    i = 0
    while i < len(words):
        if words[i] == "--env" and i + 1 < len(words):
            name, _, value = words[i + 1].partition("=")
            variables[name] = value
            i += 2
        else:
            options.append(words[i])
            i += 1
    return options, variables


def operations(slug: str, run: str) -> dict[str, tuple[Operation, Signer | None]]:
    signer = Signer(slug, run)
    return {
        "page": (getter(f"/c/{slug}/", expect='data-count="'), None),
        "counter": (getter(f"/c/{slug}/counter/", expect='data-count="'), None),
        "sign": (signer, signer),
    }


def measure(
    server: Server,
    operation: Operation,
    signer: Signer | None,
    args: argparse.Namespace,
) -> float:
    """Closed-loop requests per second for `args.seconds` on fresh sessions."""
    sessions = [Session(server.port) for _ in range(args.clients)]
    try:
        if signer is not None:
            signer.prepare(sessions)
        run_load(
            sessions,
            operation,
            requests=50 * args.clients,
            deadline=time.monotonic() + 10,
        )
        sample = run_load(
            sessions,
            operation,
            requests=10**9,
            deadline=time.monotonic() + args.seconds,
        )
    finally:
        for s in sessions:
            s.close()
    if sample.failed:
        raise BenchError(f"{server.name}: {sample.failed} failed: {sample.failures}")
    return sample.throughput


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    install_signal_handlers()
    run = f"{int(time.time())}"
    results: dict[str, dict[str, list[float]]] = {
        name: {path: [] for path in PATHS} for name in args.variants
    }
    databases = (
        campaigns_pg.fresh_database("alongside_bench_configs")
        if args.backend == "postgres"
        else nullcontext("")
    )
    with databases as url, Workspace() as ws:
        env = ws.env(
            port=0,
            settings=SETTINGS,
            sqlite_path=ws.root / "configs.sqlite3",
            database_url=url,
        )
        ws.prepare_database(env)
        slug = f"configs-{run}"
        ws.query(env, CREATE_CAMPAIGN.format(org=ORG, slug=slug))
        servers = {}
        for i, (name, flags) in enumerate(args.variants.items()):
            port = free_port()
            options, variables = split_env(flags)
            servers[name] = ws.start_server(
                f"config-{i}",
                {**env, "SITE_URL": f"http://127.0.0.1:{port}", **variables},
                port=port,
                config=CONFIG,
                options=options,
            )
            print(f"{name}: gunicorn -c deploy/gunicorn.conf.py {flags}", flush=True)
        ops = {name: operations(slug, f"{run}-{i}") for i, name in enumerate(servers)}
        names = list(servers)
        for r in range(args.rounds):
            order = names[r % len(names) :] + names[: r % len(names)]
            for path in PATHS:
                for name in order:
                    operation, signer = ops[name][path]
                    rate = measure(servers[name], operation, signer, args)
                    results[name][path].append(rate)
            print(
                f"round {r + 1}: "
                + ", ".join(
                    f"{n} " + "/".join(f"{results[n][p][-1]:.0f}" for p in PATHS)
                    for n in names
                ),
                flush=True,
            )
    report(results, args)
    return 0


def report(
    results: dict[str, dict[str, list[float]]], args: argparse.Namespace
) -> None:
    first = next(iter(results))
    rows = []
    summary: dict[str, Any] = {}
    for name, by_path in results.items():
        row = [name, args.variants[name] or "(the file as it is)"]
        summary[name] = {"flags": args.variants[name]}
        for path in PATHS:
            rates = by_path[path]
            ratios = [a / b for a, b in zip(rates, results[first][path], strict=True)]
            median = statistics.median(rates)
            ratio = statistics.median(ratios)
            row.append(f"{median:,.0f} ({ratio:.2f})")
            summary[name][path] = {
                "req_per_s": [round(x, 1) for x in rates],
                "median": round(median, 1),
                "median_ratio_to_first": round(ratio, 3),
            }
        rows.append(row)
    print(
        f"\n{args.backend}, {args.clients} clients closed loop, {args.rounds} rounds of "
        f"{args.seconds:g} s per configuration and path; median req/s "
        f"(median ratio to {first} in the same round)"
    )
    print(format_table(["configuration", "flags", *PATHS], rows))
    if args.json:
        write_json(
            args.json,
            {"machine": machine_description(), "args": vars(args), "results": summary},
        )


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except BenchError as e:
        print(f"error: {e}", file=sys.stderr)
        sys.exit(2)
