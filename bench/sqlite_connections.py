"""SQLite writes with persistent versus per-request database connections.

Starts two copies of the real app (gunicorn, DEBUG off) on 127.0.0.1, each on its own
copy of one fresh temporary SQLite database holding the demo organization:

- "persistent": the default settings (CONN_MAX_AGE=None, alongside/lib/env.py);
- "per-request": bench/settings_per_request.py (CONN_MAX_AGE=0: connect per request).

Several clients, each its own logged-in session of the demo ally Daniel, log actions on
his pledge through the real form (POST /o/riverside/pledges/<pk>/actions/new/, CSRF and
a fresh submission key each time). The two servers are measured in alternating rounds,
so drift on a shared machine hits both alike. After the run, the number of Action rows
created on each server must equal the number of successful responses.

Usage, from the repository root (see docs/performance.md):

    .venv/bin/python -m bench.sqlite_connections [--requests 600] [--clients 4]
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import sys
import time
import uuid
from dataclasses import dataclass, field

from bench.harness import (
    ALLY_EMAIL,
    ORG,
    SETTINGS,
    SETTINGS_PER_REQUEST,
    BenchError,
    Response,
    Sample,
    Server,
    Session,
    Workspace,
    copy_sqlite,
    format_table,
    free_port,
    install_signal_handlers,
    logged_in_sessions,
    machine_description,
    read_form,
    run_load,
    write_json,
)

ALLY_PLEDGE = f"""
import json
from alongside.pledges.models import Pledge
pledge = Pledge.objects.get(
    organization__slug={ORG!r}, member__email={ALLY_EMAIL!r}, status=Pledge.Status.ACTIVE
)
print(json.dumps({{"pledge": pledge.pk}}))
"""
ACTION_COUNT = """
import json
from alongside.pledges.models import Action
print(json.dumps({"actions": Action.objects.count()}))
"""
CONNECTION_SETTINGS = """
import json
from django.conf import settings
db = settings.DATABASES["default"]
print(json.dumps({"engine": db["ENGINE"], "conn_max_age": db["CONN_MAX_AGE"]}))
"""
# (name, settings module, the CONN_MAX_AGE it must run with)
MODES = (
    ("persistent", SETTINGS, None),
    ("per-request", SETTINGS_PER_REQUEST, 0),
)


@dataclass
class Mode:
    name: str
    server: Server
    actions_before: int = 0
    sample: Sample = field(default_factory=Sample)
    per_round: list[float] = field(default_factory=list)  # writes/s of each round
    created: int = 0


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--requests", type=int, default=600, help="measured writes per mode"
    )
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds")
    parser.add_argument(
        "--clients", type=int, default=4, help="concurrent sessions (threads)"
    )
    parser.add_argument("--warmup", type=int, default=20, help="unmeasured writes")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument(
        "--threads", type=int, default=4, help="gunicorn threads per worker"
    )
    parser.add_argument(
        "--max-seconds",
        type=float,
        default=300,
        help="stop measuring this long after the first request, whatever is left",
    )
    parser.add_argument("--json", help="also write the results to this file")
    return parser.parse_args(argv)


class ActionWriter:
    """Logs one action per call through the form, as a browser would.

    `load_forms` reads the form once per session first (its CSRF token, today's date as
    the server sees it, the pledge's visibility and the open commitments), so the
    measured requests are the POSTs alone. The action each success redirects to is
    recorded in `created[port]`.
    """

    def __init__(self, pledge: int) -> None:
        self.path = f"/o/{ORG}/pledges/{pledge}/actions/new/"
        self.forms: dict[int, dict[str, str]] = {}
        self.created: dict[int, set[str]] = {}
        self.counter = itertools.count(1)

    def load_forms(self, sessions: list[Session]) -> None:
        for session in sessions:
            reader = read_form(session.get(self.path))
            commitments = [v for v in reader.options.get("commitment", []) if v]
            if not commitments:
                raise BenchError("the ally's pledge has no open commitment")
            form = dict(reader.values)
            form["commitment"] = commitments[0]
            self.forms[id(session)] = form

    def __call__(self, session: Session) -> tuple[Response, bool]:
        data = dict(self.forms[id(session)])
        data["submission_key"] = str(uuid.uuid4())
        data["description"] = (
            f"Benchmark action {next(self.counter)}: "
            "credited a colleague's idea in handover."
        )
        response = session.post(self.path, data)
        ok = response.status == 302 and response.location.startswith(
            f"/o/{ORG}/actions/"
        )
        if ok:
            self.created.setdefault(session.port, set()).add(response.location)
        return response, ok


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    install_signal_handlers()
    machine = machine_description()
    with Workspace() as ws:
        print(f"workspace {ws.root}", flush=True)
        template = ws.root / "template.sqlite3"
        ws.prepare_database(ws.env(port=0, sqlite_path=template))
        modes: list[Mode] = []
        for name, settings, conn_max_age in MODES:
            db = ws.root / f"{name}.sqlite3"
            copy_sqlite(template, db)
            port = free_port()
            env = ws.env(port=port, settings=settings, sqlite_path=db)
            actual = ws.query(env, CONNECTION_SETTINGS)
            if actual != {
                "engine": "django.db.backends.sqlite3",
                "conn_max_age": conn_max_age,
            }:
                raise BenchError(f"{name} runs with {actual}, not the intended mode")
            server = ws.start_server(
                name, env, port=port, workers=args.workers, threads=args.threads
            )
            modes.append(Mode(name, server))
            print(
                f"{name}: CONN_MAX_AGE={conn_max_age}, gunicorn on {server.base_url}, "
                f"database {db}",
                flush=True,
            )
        pledge = ws.query(modes[0].server.env, ALLY_PLEDGE)["pledge"]
        write = ActionWriter(pledge)

        with (
            logged_in_sessions(modes[0].server.port, args.clients) as s0,
            logged_in_sessions(modes[1].server.port, args.clients) as s1,
        ):
            sessions = {modes[0].name: s0, modes[1].name: s1}
            write.load_forms(s0)
            write.load_forms(s1)
            deadline = time.monotonic() + args.max_seconds
            for mode in modes:
                warm = run_load(
                    sessions[mode.name],
                    write,
                    requests=args.warmup,
                    deadline=deadline,
                )
                if warm.failed:
                    raise BenchError(f"{mode.name} warm-up failed: {warm.failures}")
                mode.actions_before = ws.query(mode.server.env, ACTION_COUNT)["actions"]
            write.created.clear()
            per_round = max(1, args.requests // args.rounds)
            for round_no in range(args.rounds):
                # Alternate which mode goes first, so neither always runs after a rest.
                order = modes if round_no % 2 == 0 else list(reversed(modes))
                for mode in order:
                    sample = run_load(
                        sessions[mode.name],
                        write,
                        requests=per_round,
                        deadline=deadline,
                    )
                    mode.sample.add(sample)
                    mode.per_round.append(sample.throughput)
                    print(
                        f"round {round_no + 1} {mode.name}: {sample.ok} ok, "
                        f"{sample.failed} failed, {sample.throughput:.1f} writes/s",
                        flush=True,
                    )

        verified = True
        for mode in modes:
            after = ws.query(mode.server.env, ACTION_COUNT)["actions"]
            mode.created = after - mode.actions_before
            distinct = len(write.created.get(mode.server.port, set()))
            if not mode.created == distinct == mode.sample.ok:
                verified = False
                print(
                    f"MISMATCH {mode.name}: {mode.created} Action rows created, "
                    f"{mode.sample.ok} successful responses, "
                    f"{distinct} distinct actions redirected to",
                    file=sys.stderr,
                )

        persistent, per_request = modes
        ratio = (
            persistent.sample.throughput / per_request.sample.throughput
            if per_request.sample.throughput
            else float("nan")
        )
        rows = [
            [
                m.name,
                str(m.sample.ok),
                str(m.sample.failed),
                f"{m.sample.throughput:.1f}",
                f"{m.sample.ms(50):.1f}",
                f"{m.sample.ms(95):.1f}",
                f"{m.sample.ms(99):.1f}",
                str(m.created),
            ]
            for m in modes
        ]
        print()
        print(
            f"SQLite writes (log an action), {args.clients} clients, gunicorn "
            f"-w {args.workers} --threads {args.threads}, {args.rounds} alternating rounds, "
            f"nproc {machine['nproc']}, load {machine['loadavg_at_start']}"
        )
        print(
            format_table(
                [
                    "connections",
                    "ok",
                    "failed",
                    "writes/s",
                    "p50 ms",
                    "p95 ms",
                    "p99 ms",
                    "Action rows created",
                ],
                rows,
            )
        )
        round_ratios = [
            a / b if b else float("nan")
            for a, b in zip(persistent.per_round, per_request.per_round, strict=True)
        ]
        print(f"\npersistent / per-request throughput: {ratio:.2f}x")
        print(
            "per round: "
            + ", ".join(f"{r:.2f}x" for r in round_ratios)
            + f" (median {statistics.median(round_ratios):.2f}x)"
        )
        for mode in modes:
            if mode.sample.unsent:
                print(
                    f"  {mode.name}: {mode.sample.unsent} writes unsent (--max-seconds)"
                )
        for mode in modes:
            for failure in mode.sample.failures:
                print(f"  {mode.name} failure: {failure}")
        write_json(
            args.json,
            {
                "benchmark": "sqlite_connections",
                "machine": machine,
                "args": vars(args),
                "modes": {m.name: m.sample.summary() for m in modes},
                "ratio_persistent_over_per_request": round(ratio, 3),
                "ratio_per_round": [round(r, 3) for r in round_ratios],
                "actions_created": {m.name: m.created for m in modes},
                "rows_match_responses": verified,
            },
        )
        if not verified:
            return 1
        if any(m.sample.failed for m in modes):
            return 1
    return 0


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
