"""Load and fault test of public campaigns: the signing endpoint, its confirmation links
and the counter, against a bare one-row insert view in the same server.

Starts the real app (gunicorn with the production configuration, deploy/gunicorn.conf.py,
DEBUG off) on 127.0.0.1, on a fresh temporary SQLite database and/or a fresh local
PostgreSQL database that this script creates and drops. A published campaign is created
in the demo organization; then, on each database:

1. ratio: signing (POST /c/<slug>/sign/, a new address each time) and the baseline
   (bench/baseline: a bare view inserting one row under a unique constraint), measured
   closed-loop in alternating rounds; signing's throughput / the baseline's (goal >= 0.7);
2. PostgreSQL only: the sustained signing rate, open-loop: the offered rate is stepped up
   and the highest rate with p99 < 100 ms (latency from each request's scheduled time),
   no failure and the rate achieved is kept, then held for longer; the counter fragment
   and the campaign page are then offered three times that rate;
3. 50 concurrent identical signatures for each of 5 addresses (must store one each);
4. confirmation of a sample of signatures through the emailed links (read from the
   queued emails: no worker runs during the benchmark);
5. checks: signatures stored = successful responses, no duplicates, one email each,
   counter = confirmed signatures = successful confirmations (also as the fragment shows
   it), baseline rows = its successful responses; exit 1 on any mismatch.

With --fault (PostgreSQL only) it instead signs at a steady rate while the machine's
PostgreSQL cluster is RESTARTED mid-run (pg_ctlcluster ... restart, which cuts every
other user of that cluster too), then checks that every acknowledged signature survived,
that the app recovered by itself, and that every error was a 503 with Retry-After and
no traceback, in the responses and in the server log.

Usage, from the repository root (see docs/performance.md):

    .venv/bin/python -m bench.campaigns                      # SQLite and PostgreSQL
    .venv/bin/python -m bench.campaigns --backends sqlite    # SQLite only
    .venv/bin/python -m bench.campaigns --fault              # restart PostgreSQL mid-run
"""

from __future__ import annotations

import argparse
import json
import re
import secrets
import shutil
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench import campaigns_pg
from bench.campaigns_ops import (
    CONFIRM_LINKS,
    CREATE_CAMPAIGN,
    STATE,
    BaselineInserter,
    Confirmer,
    MemberReader,
    Outcome,
    Recorder,
    Signer,
    counter_value,
    getter,
)
from bench.harness import (
    ORG,
    REPO,
    BenchError,
    PacedSample,
    Sample,
    Server,
    Session,
    Workspace,
    format_table,
    free_port,
    install_signal_handlers,
    machine_description,
    run_load,
    run_paced,
    write_json,
)

SETTINGS = "bench.settings_campaigns"
CONFIG = REPO / "deploy" / "gunicorn.conf.py"
P99_GOAL_MS = 100.0
RATIO_GOAL = 0.7
COUNTER_FACTOR = 3.0
MEMBER_RATE = 5.0  # member page requests/s during the fault run
SETTINGS_CHECK = """
import json
from django.conf import settings
db = settings.DATABASES["default"]
print(json.dumps({
    "engine": db["ENGINE"].rsplit(".", 1)[-1],
    "conn_max_age": db["CONN_MAX_AGE"],
    "health_checks": db.get("CONN_HEALTH_CHECKS", False),
    "debug": settings.DEBUG,
    "sign_rate_limit": settings.CAMPAIGN_SIGN_RATE_LIMIT,
    "trusted_proxy_count": settings.TRUSTED_PROXY_COUNT,
}))
"""
TABLES = """
import json
from django.db import connection
print(json.dumps(connection.introspection.table_names()))
"""
_ACCESS_STATUS = re.compile(r'" (\d{3}) ')


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--backends", default="sqlite,postgres", help="sqlite,postgres")
    p.add_argument("--fault", action="store_true", help="the PostgreSQL restart run")
    p.add_argument("--workers", type=int, help="override the config's workers")
    p.add_argument("--threads", type=int, help="override the config's threads")
    g = p.add_argument_group("ratio to the baseline (closed loop)")
    # 1,000 per mode and round: about a second each (300 lasted 0.3 s, too short to
    # average out a garbage collection or a checkpoint).
    g.add_argument("--requests", type=int, default=3000, help="per mode and database")
    g.add_argument("--rounds", type=int, default=3)
    g.add_argument("--clients", type=int, default=4, help="concurrent sessions")
    # With 30, the first measured round's baseline (the first mode measured) ran
    # 40-60 % below the later rounds', a cold start that inflated the ratio; with 300
    # the first round is like the others (docs/performance.md).
    g.add_argument("--warmup", type=int, default=300, help="unmeasured, per mode")
    g = p.add_argument_group("sustained rate (open loop, PostgreSQL)")
    g.add_argument("--start-rate", type=float, default=20.0, help="requests/s")
    g.add_argument("--rate-factor", type=float, default=1.2, help="step multiplier")
    # High enough to find this machine's limit: the search stops after two misses in
    # a row (600 until 2026-12-07, which capped it at 534/s).
    g.add_argument("--max-rate", type=float, default=2000.0, help="stop the steps here")
    g.add_argument("--step-seconds", type=float, default=10.0)
    g.add_argument("--sustain-seconds", type=float, default=30.0)
    g.add_argument(
        "--paced-clients", type=int, default=32, help="most requests in flight"
    )
    g = p.add_argument_group("checks")
    g.add_argument("--confirm", type=int, default=600, help="signatures to confirm")
    g = p.add_argument_group("fault run")
    g.add_argument("--fault-rate", type=float, default=30.0, help="signatures/s")
    g.add_argument("--fault-seconds", type=float, default=40.0)
    g.add_argument("--restart-after", type=float, default=10.0, help="seconds in")
    p.add_argument(
        "--max-seconds",
        type=float,
        default=900,
        help="stop loading this long after the first measured request",
    )
    p.add_argument("--json", help="also write the results to this file")
    p.add_argument("--logs", help="copy the server logs into this directory")
    return p.parse_args(argv)


@dataclass
class Backend:
    name: str
    server: Server
    slug: str
    settings: dict[str, Any]
    signer: Signer
    baseline: BaselineInserter
    results: dict[str, Any] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    confirmed_ok: int = 0
    burst: dict[str, list[int]] = field(default_factory=dict)


def start_backend(
    ws: Workspace, name: str, url: str, args: argparse.Namespace, run: str
) -> Backend:
    port = free_port()
    env = ws.env(
        port=port,
        settings=SETTINGS,
        sqlite_path=ws.root / f"{name.lower()}.sqlite3",
        database_url=url,
    )
    if url and ws.query(env, TABLES):
        raise BenchError(f"{url} is not empty")
    ws.prepare_database(env)
    slug = f"bench-{run}"
    ws.query(env, CREATE_CAMPAIGN.format(org=ORG, slug=slug))
    settings = ws.query(env, SETTINGS_CHECK)
    if settings["debug"]:
        raise BenchError("the server would run with DEBUG on")
    server = ws.start_server(
        name, env, port=port, workers=args.workers, threads=args.threads, config=CONFIG
    )
    print(
        f"{name}: gunicorn -c {CONFIG.relative_to(REPO)} on {server.base_url}, "
        f"{settings}",
        flush=True,
    )
    return Backend(
        name, server, slug, settings, Signer(slug, run), BaselineInserter(slug, run)
    )


def sessions_for(backend: Backend, count: int) -> list[Session]:
    sessions = [Session(backend.server.port) for _ in range(count)]
    backend.signer.prepare(sessions)
    backend.baseline.prepare(sessions)
    return sessions


def close_all(sessions: list[Session]) -> None:
    for s in sessions:
        s.close()


def ratio_phase(b: Backend, args: argparse.Namespace, deadline: float) -> None:
    sessions = sessions_for(b, args.clients)
    try:
        for op in (b.baseline, b.signer):
            warm = run_load(sessions, op, requests=args.warmup, deadline=deadline)
            if warm.failed:
                raise BenchError(f"{b.name} warm-up failed: {warm.failures}")
        modes: dict[str, Any] = {"baseline": b.baseline, "sign": b.signer}
        samples = {m: Sample() for m in modes}
        per_round: list[float] = []
        for r in range(args.rounds):
            order = list(modes) if r % 2 == 0 else list(reversed(modes))
            got: dict[str, float] = {}
            for mode in order:
                s = run_load(
                    sessions,
                    modes[mode],
                    requests=max(1, args.requests // args.rounds),
                    deadline=deadline,
                )
                samples[mode].add(s)
                got[mode] = s.throughput
            per_round.append(got["sign"] / got["baseline"] if got["baseline"] else 0)
            print(
                f"{b.name} round {r + 1}: baseline {got['baseline']:.1f}/s, "
                f"sign {got['sign']:.1f}/s, ratio {per_round[-1]:.2f}",
                flush=True,
            )
    finally:
        close_all(sessions)
    base, sign = samples["baseline"], samples["sign"]
    ratio = sign.throughput / base.throughput if base.throughput else 0.0
    b.results["ratio"] = {
        "baseline": base.summary(),
        "sign": sign.summary(),
        "ratio": round(ratio, 3),
        "per_round": [round(x, 3) for x in per_round],
    }
    for mode, s in samples.items():
        if s.failed:
            b.problems.append(f"{b.name} ratio phase: {s.failed} {mode} failures")


def paced(
    b: Backend, op: Any, rate: float, seconds: float, clients: int, deadline: float
) -> PacedSample:
    sessions = sessions_for(b, clients)
    try:
        return run_paced(sessions, op, rate=rate, seconds=seconds, deadline=deadline)
    finally:
        close_all(sessions)


def meets_goal(s: PacedSample) -> bool:
    return (
        s.failed == 0
        and s.unsent == 0
        and s.ms(99) < P99_GOAL_MS
        and s.throughput >= 0.95 * s.offered_rate
    )


def paced_row(label: str, s: PacedSample) -> list[str]:
    return [
        label,
        f"{s.offered_rate:.0f}",
        f"{s.throughput:.1f}",
        f"{s.ms(50):.0f} / {s.ms(95):.0f} / {s.ms(99):.0f}",
        f"{s.lag_ms(99):.0f}",
        str(s.failed),
        f"{s.client_cores:.2f}",
        f"{s.machine_cores:.2f}",
        "yes" if meets_goal(s) else "no",
    ]


PACED_HEADER = [
    "what",
    "offered/s",
    "achieved/s",
    "p50 / p95 / p99 ms",
    "send lag p99 ms",
    "failed",
    "client cores",
    "machine cores",
    "p99 < 100 ms",
]


def rate_phase(b: Backend, args: argparse.Namespace, deadline: float) -> None:
    steps: list[PacedSample] = []
    rate = args.start_rate
    misses = 0
    best = 0.0
    while rate <= args.max_rate and time.monotonic() < deadline:
        s = paced(b, b.signer, rate, args.step_seconds, args.paced_clients, deadline)
        steps.append(s)
        print(f"{b.name} step: " + " | ".join(paced_row("sign", s)), flush=True)
        if meets_goal(s):
            best = rate
            misses = 0
        elif not best:
            # Nothing met the goal yet (a busy machine): halve the rate, down to 2/s.
            if rate / 2 < 2:
                break
            rate = round(rate / 2, 1)
            continue
        else:
            misses += 1
            if misses >= 2:  # one miss may be noise from the shared machine
                break
        rate = round(rate * args.rate_factor, 1)
    if not best:
        b.problems.append(f"{b.name}: no signing rate met p99 < {P99_GOAL_MS} ms")
        b.results["rate"] = {"steps": [s.summary() for s in steps]}
        return
    # Hold the best step for longer; if the hold misses (a step can pass by luck on a
    # shared machine), try the next lower passing step, at most three in all.
    passing = sorted({s.offered_rate for s in steps if meets_goal(s)}, reverse=True)
    holds: list[PacedSample] = []
    for candidate in passing[:3]:
        sustain = paced(
            b, b.signer, candidate, args.sustain_seconds, args.paced_clients, deadline
        )
        holds.append(sustain)
        print(
            f"{b.name} hold at {candidate}/s for {args.sustain_seconds:.0f} s: "
            f"p99 {sustain.ms(99):.0f} ms, {sustain.failed} failed",
            flush=True,
        )
        best = candidate
        if meets_goal(sustain):
            break
    counter_rate = COUNTER_FACTOR * best
    fragment = paced(
        b,
        getter(f"/c/{b.slug}/counter/", expect='id="campaign-counter"'),
        counter_rate,
        args.step_seconds,
        args.paced_clients,
        deadline,
    )
    page = paced(
        b,
        getter(f"/c/{b.slug}/", expect='id="campaign-counter"'),
        counter_rate,
        args.step_seconds,
        args.paced_clients,
        deadline,
    )
    closed: dict[str, Sample] = {}
    sessions = sessions_for(b, args.clients)
    try:
        for label, path in (
            ("counter fragment", f"/c/{b.slug}/counter/"),
            ("campaign page", f"/c/{b.slug}/"),
        ):
            closed[label] = run_load(
                sessions, getter(path), requests=600, deadline=deadline
            )
    finally:
        close_all(sessions)
    b.results["rate"] = {
        "steps": [s.summary() for s in steps],
        "highest_step_meeting_goal": passing[0],
        "holds": [h.summary() for h in holds],
        "sustained_rate": best if meets_goal(sustain) else None,
        "counter_fragment_at_3x": fragment.summary(),
        "campaign_page_at_3x": page.summary(),
        "closed_loop_max": {k: v.summary() for k, v in closed.items()},
    }
    b.results["_paced"] = {
        "steps": steps,
        "holds": holds,
        "fragment": fragment,
        "page": page,
        "closed": closed,
    }
    if not meets_goal(sustain):
        b.problems.append(
            f"{b.name}: signing at {best}/s for {args.sustain_seconds:.0f} s missed "
            f"the goal (p99 {sustain.ms(99):.0f} ms, {sustain.failed} failed)"
        )
    for label, s in (("counter fragment", fragment), ("campaign page", page)):
        if not meets_goal(s):
            b.problems.append(
                f"{b.name}: {label} at {counter_rate:.0f}/s missed the goal "
                f"(p99 {s.ms(99):.0f} ms, {s.throughput:.1f}/s, {s.failed} failed)"
            )


def identical_signatures(b: Backend, email: str, copies: int) -> list[int]:
    """`copies` sessions POST the same signature at the same moment; their statuses."""
    sessions = sessions_for(b, copies)
    statuses: list[int] = []
    lock = threading.Lock()
    gate = threading.Barrier(copies)

    def one(session: Session) -> None:
        gate.wait()
        try:
            status = b.signer.sign(session, email)[0].status
        except Exception:
            status = 0
        with lock:
            statuses.append(status)

    threads = [threading.Thread(target=one, args=(s,)) for s in sessions]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    close_all(sessions)
    return statuses


def burst_phase(b: Backend, copies: int = 50, addresses: int = 5) -> None:
    """`copies` identical signatures at once for each address: one row, one email."""
    for _ in range(addresses):
        email = b.signer.next_email()
        statuses = identical_signatures(b, email, copies)
        b.burst[email] = statuses
        if set(statuses) != {200}:
            b.problems.append(f"{b.name} burst {email}: statuses {Counter(statuses)}")


def confirm_phase(
    ws: Workspace, b: Backend, args: argparse.Namespace, deadline: float
) -> dict[str, Any]:
    links: dict[str, Any] = ws.query(b.server.env, CONFIRM_LINKS.format(slug=b.slug))
    acked = b.signer.recorder.acked()
    candidates = sorted(
        (email, tokens[-1])
        for email, tokens in links["tokens"].items()
        if email in acked
    )
    # Every k-th, so every phase of the run is represented.
    step = max(1, len(candidates) // max(1, args.confirm))
    chosen = candidates[::step][: args.confirm]
    confirmer = Confirmer(b.slug, chosen)
    sessions = [Session(b.server.port) for _ in range(args.clients)]
    try:
        sample = run_load(sessions, confirmer, requests=len(chosen), deadline=deadline)
    finally:
        close_all(sessions)
    b.confirmed_ok = sample.ok
    if sample.failed:
        b.problems.append(
            f"{b.name}: {sample.failed} confirmations failed: {sample.failures}"
        )
    b.results["confirm"] = sample.summary()
    print(
        f"{b.name}: confirmed {sample.ok} of {len(chosen)} "
        f"({sample.throughput:.1f} confirmations/s)",
        flush=True,
    )
    return links


def fragment_count(b: Backend, expected: int) -> int | None:
    """The count the fragment shows; waits out its max-age before giving up."""
    session = Session(b.server.port)
    value: int | None = None
    try:
        for _ in range(10):
            value = counter_value(session.get(f"/c/{b.slug}/counter/"))
            if value == expected:
                break
            time.sleep(1)
    finally:
        session.close()
    return value


def log_problems(server: Server) -> tuple[Counter[str], list[str]]:
    """HTTP status counts from the access log, and traceback lines from the server log."""
    text = server.log_path.read_text(errors="replace")
    statuses: Counter[str] = Counter(_ACCESS_STATUS.findall(text))
    leaks = [
        line
        for line in text.splitlines()
        if "Traceback" in line or "Internal Server Error" in line
    ]
    return statuses, leaks


def verify(ws: Workspace, b: Backend, links: dict[str, Any], *, fault: bool) -> None:
    problems_before = len(b.problems)
    state = ws.query(b.server.env, STATE.format(slug=b.slug))
    stored = state["signatures"]
    stored_set = set(stored)
    rec: Recorder = b.signer.recorder
    acked = rec.acked()
    attempted = rec.attempted()
    single = {o.key for o in rec.outcomes if o.key not in b.burst}
    ok_responses = sum(
        1 for o in rec.outcomes if o.status == 200 and o.key not in b.burst
    )
    emails_queued: dict[str, int] = links["emails"]
    checks: dict[str, Any] = {
        "signatures_stored": len(stored),
        "successful_sign_responses": ok_responses,
        "burst_addresses": len(b.burst),
        "duplicates": state["duplicates"],
        "confirmed_signatures": state["confirmed"],
        "stored_counter": state["counter"],
        "successful_confirmations": b.confirmed_ok,
    }

    def problem(text: str) -> None:
        b.problems.append(f"{b.name}: {text}")

    if state["duplicates"] or len(stored) != len(stored_set):
        problem(f"{state['duplicates']} duplicated addresses")
    missing = acked - stored_set
    if missing:
        problem(f"{len(missing)} acknowledged signatures missing, e.g. {min(missing)}")
    extra = stored_set - attempted
    if extra:
        problem(f"{len(extra)} stored signatures nobody sent, e.g. {min(extra)}")
    for email in b.burst:
        if stored.count(email) != 1 or emails_queued.get(email) != 1:
            problem(
                f"burst {email}: {stored.count(email)} rows, "
                f"{emails_queued.get(email, 0)} emails"
            )
    no_email = [e for e in stored_set if not emails_queued.get(e)]
    checks["stored_without_queued_email"] = len(no_email)
    if fault:
        unacked_stored = stored_set - acked
        checks["stored_but_not_acknowledged"] = len(unacked_stored)
        if no_email:
            problem(
                f"{len(no_email)} stored signatures have no queued email "
                f"(e.g. {min(no_email)}): the signer was told to retry, but may "
                "never get a confirmation link"
            )
    else:
        if len(stored) - len(b.burst) != ok_responses or (
            single & stored_set
        ) != acked - set(b.burst):
            problem(
                f"{len(stored) - len(b.burst)} signatures stored for "
                f"{ok_responses} successful responses"
            )
        if no_email:
            problem(f"{len(no_email)} stored signatures have no queued email")
        many = [e for e, n in emails_queued.items() if n != 1]
        if many:
            problem(f"{len(many)} addresses got more than one email")
    if not state["counter"] == state["confirmed"] == b.confirmed_ok:
        problem(
            f"counter {state['counter']}, confirmed signatures {state['confirmed']}, "
            f"successful confirmations {b.confirmed_ok}"
        )
    shown = fragment_count(b, state["confirmed"])
    checks["fragment_shows"] = shown
    if shown != state["confirmed"]:
        problem(f"the counter fragment shows {shown}, not {state['confirmed']}")
    base_rows = state["baseline_rows"]
    base_ok = b.baseline.recorder.acked()
    checks["baseline_rows"] = len(base_rows)
    if set(base_rows) != base_ok or len(base_rows) != len(set(base_rows)):
        problem(f"{len(base_rows)} baseline rows for {len(base_ok)} successes")
    statuses, leaks = log_problems(b.server)
    checks["access_log_statuses"] = dict(statuses)
    checks["log_tracebacks"] = len(leaks)
    if leaks:
        problem(f"server log has {len(leaks)} traceback lines: {leaks[:2]}")
    if any(s.startswith("5") and s != "503" for s in statuses) or (
        not fault and "503" in statuses
    ):
        problem(f"server answered {dict(statuses)}")
    checks["passed"] = len(b.problems) == problems_before
    b.results["checks"] = checks


def keep_log(server: Server, args: argparse.Namespace) -> None:
    if args.logs and server.log_path.exists():
        Path(args.logs).mkdir(parents=True, exist_ok=True)
        target = Path(args.logs) / f"{server.name.replace(' ', '-')}.log"
        shutil.copyfile(server.log_path, target)
        print(f"server log copied to {target}")


def load_run(
    ws: Workspace, name: str, url: str, args: argparse.Namespace, run: str
) -> Backend:
    b = start_backend(ws, name, url, args, run)
    try:
        deadline = time.monotonic() + args.max_seconds
        ratio_phase(b, args, deadline)
        if url:
            rate_phase(b, args, deadline)
        burst_phase(b)
        links = confirm_phase(ws, b, args, deadline)
        verify(ws, b, links, fault=False)
    finally:
        b.server.stop()
        keep_log(b.server, args)
    return b


def outage_analysis(
    outcomes: list[Outcome], timings: dict[str, float]
) -> tuple[dict[str, Any], list[Outcome], bool]:
    """Errors around the restart: were they all clean 503s, and did the app recover?"""
    outcomes = sorted(outcomes, key=lambda o: o.at)
    restart_at = timings["restart_at"]
    errors = [o for o in outcomes if o.status != 200]
    bad = [
        o
        for o in errors
        if o.status != 503 or not o.retry_after or o.leak or not o.unavailable_page
    ]
    after = [o for o in outcomes if o.at > restart_at + timings["ready_s"] + 5]
    recovered = bool(after) and all(o.status == 200 for o in after)
    return (
        {
            "requests": len(outcomes),
            "errors": len(errors),
            "error_statuses": dict(Counter(o.status for o in errors)),
            "first_error_s_after_restart": round(errors[0].at - restart_at, 2)
            if errors
            else None,
            "last_error_s_after_restart": round(errors[-1].at - restart_at, 2)
            if errors
            else None,
            "not_503_with_retry_after": len(bad),
            "bad_examples": [vars(o) for o in bad[:3]],
            "requests_later_than_5s_after_ready": len(after),
            "recovered_by_itself": recovered,
        },
        bad,
        recovered,
    )


def fault_run(ws: Workspace, url: str, args: argparse.Namespace, run: str) -> Backend:
    b = start_backend(ws, "PostgreSQL restart", url, args, run)
    try:
        deadline = time.monotonic() + args.max_seconds
        sessions = sessions_for(b, args.paced_clients)
        members = [Session(b.server.port) for _ in range(4)]
        for m in members:
            m.log_in()
        reader = MemberReader(f"/o/{ORG}/")
        timings: dict[str, float] = {}
        member_sample: list[PacedSample] = []

        def restart() -> None:
            time.sleep(args.restart_after)
            timings["restart_at"] = time.monotonic()
            print(f"restarting PostgreSQL {campaigns_pg.cluster()}", flush=True)
            timings.update(campaigns_pg.restart_cluster())
            print(f"PostgreSQL back: {timings}", flush=True)

        def read() -> None:
            member_sample.append(
                run_paced(
                    members,
                    reader,
                    rate=MEMBER_RATE,
                    seconds=args.fault_seconds,
                    deadline=deadline,
                )
            )

        started = time.monotonic()
        threads = [
            threading.Thread(target=restart, daemon=True),
            threading.Thread(target=read, daemon=True),
        ]
        for t in threads:
            t.start()
        try:
            sample = run_paced(
                sessions,
                b.signer,
                rate=args.fault_rate,
                seconds=args.fault_seconds,
                deadline=deadline,
            )
        finally:
            for t in threads:
                t.join()
            close_all(sessions)
            close_all(members)
        signing, bad, recovered = outage_analysis(b.signer.recorder.outcomes, timings)
        member, member_bad, member_recovered = outage_analysis(
            reader.recorder.outcomes, timings
        )
        b.results["fault"] = {
            "restart": timings,
            "restart_at_s_into_run": round(timings["restart_at"] - started, 1),
            "signing": {"load": sample.summary(), **signing},
            "member_page": {"load": member_sample[0].summary(), **member},
        }
        for label, errs, ok in (
            ("signing", bad, recovered),
            (f"member page /o/{ORG}/", member_bad, member_recovered),
        ):
            if errs:
                b.problems.append(
                    f"{label}: {len(errs)} errors were not a clean 503 with "
                    f"Retry-After, e.g. {vars(errs[0])}"
                )
            if not ok:
                b.problems.append(f"{label}: no recovery within 5 s of PostgreSQL")
        print(
            f"fault run: signing {signing['error_statuses']}, member page "
            f"{member['error_statuses']}, recovered: {recovered and member_recovered}",
            flush=True,
        )
        burst_phase(b)
        links = confirm_phase(ws, b, args, deadline)
        verify(ws, b, links, fault=True)
    finally:
        b.server.stop()
        keep_log(b.server, args)
    return b


def report(backends: list[Backend], args: argparse.Namespace) -> None:
    for b in backends:
        print(f"\n## {b.name}")
        if "ratio" in b.results:
            r = b.results["ratio"]
            rows = []
            for mode in ("baseline", "sign"):
                s = r[mode]
                rows.append(
                    [
                        mode,
                        str(s["ok"]),
                        str(s["failed"]),
                        f"{s['req_per_s']:.1f}",
                        f"{s['p50_ms']:.0f} / {s['p95_ms']:.0f} / {s['p99_ms']:.0f}",
                    ]
                )
            print(
                format_table(
                    ["closed loop", "ok", "failed", "req/s", "p50 / p95 / p99 ms"],
                    rows,
                )
            )
            print(
                f"sign / baseline: {r['ratio']:.2f} (rounds "
                + ", ".join(f"{x:.2f}" for x in r["per_round"])
                + f"; goal >= {RATIO_GOAL})"
            )
        paced_results = b.results.get("_paced")
        if paced_results:
            rows = [paced_row("sign step", s) for s in paced_results["steps"]]
            rows += [paced_row("sign, held", h) for h in paced_results["holds"]]
            rows.append(paced_row("counter fragment", paced_results["fragment"]))
            rows.append(paced_row("campaign page", paced_results["page"]))
            print(format_table(PACED_HEADER, rows))
            best = b.results["rate"]["sustained_rate"]
            print(f"signing rate held with p99 < 100 ms: {best}/s")
            for label, s in paced_results["closed"].items():
                print(
                    f"{label}, closed loop {args.clients} clients: "
                    f"{s.throughput:.1f}/s, p99 {s.ms(99):.0f} ms"
                )
        if "fault" in b.results:
            print(json.dumps(b.results["fault"], indent=2, default=str))
        if "confirm" in b.results:
            c = b.results["confirm"]
            print(f"confirmations: {c['ok']} ok, {c['failed']} failed")
        print("checks: " + json.dumps(b.results.get("checks", {})))
        for p in b.problems:
            print(f"PROBLEM {p}", file=sys.stderr)
        if not b.problems:
            print("all checks passed")


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    install_signal_handlers()
    machine = machine_description()
    print(f"load average at start: {machine['loadavg_at_start']}", flush=True)
    run = secrets.token_hex(3)
    backends: list[Backend] = []
    wanted = {x.strip() for x in args.backends.split(",") if x.strip()}
    with Workspace() as ws:
        print(f"workspace {ws.root}", flush=True)
        if args.fault:
            campaigns_pg.cluster()
            with campaigns_pg.fresh_database() as url:
                machine["postgresql"] = campaigns_pg.server_version()
                backends.append(fault_run(ws, url, args, run))
        else:
            if "sqlite" in wanted:
                backends.append(load_run(ws, "SQLite", "", args, run))
            if "postgres" in wanted:
                with campaigns_pg.fresh_database() as url:
                    machine["postgresql"] = campaigns_pg.server_version()
                    backends.append(load_run(ws, "PostgreSQL", url, args, run))
    report(backends, args)
    write_json(
        args.json,
        {
            "benchmark": "campaigns",
            "machine": machine,
            "args": vars(args),
            "results": {
                b.name: {k: v for k, v in b.results.items() if not k.startswith("_")}
                | {"problems": b.problems}
                for b in backends
            },
        },
    )
    return 1 if any(b.problems for b in backends) else 0


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
