"""Shared machinery of the benchmarks: a throwaway app server and a browser-like client.

Everything here talks to 127.0.0.1 only. A `Workspace` owns a temporary directory and the
gunicorn servers started in it, and removes both on exit, also on Ctrl-C, SIGTERM or an
error (and the servers die with this process even if it is killed: PR_SET_PDEATHSIG).
"""

from __future__ import annotations

import ctypes
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from pathlib import Path
from types import FrameType
from typing import Any
from urllib.parse import urlencode, urlsplit

from alongside.demo.people import DEMO_DOMAIN, DEMO_PASSWORD

REPO = Path(__file__).resolve().parent.parent
PYTHON = REPO / ".venv" / "bin" / "python"
GUNICORN = REPO / ".venv" / "bin" / "gunicorn"
HOST = "127.0.0.1"
ORG = "riverside"
ALLY_EMAIL = f"daniel@{DEMO_DOMAIN}"
ALLY_PASSWORD = DEMO_PASSWORD
SETTINGS = "bench.settings"
SETTINGS_PER_REQUEST = "bench.settings_per_request"
# Variables of alongside/settings.py that could leak in from the caller's shell and
# change what is measured; each server gets exactly the values below instead.
_CLEARED = (
    "DATABASE_URL",
    "REDIS_URL",
    "TASKS_BACKEND",
    "SMTP_HOST",
    "CSRF_TRUSTED_ORIGINS",
    "BEHIND_PROXY",
    "TRUSTED_PROXY_COUNT",
    "OLD_SECRET_KEYS",
    "MEDIA_ROOT",
)


class BenchError(RuntimeError):
    """Setup or a check failed; the message says what."""


# Process lifetime ----------------------------------------------------------------------


def _raise_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def install_signal_handlers() -> None:
    """Treat SIGTERM (and SIGHUP) like Ctrl-C, so every `finally` and `with` cleans up."""
    signal.signal(signal.SIGTERM, _raise_interrupt)
    signal.signal(signal.SIGHUP, _raise_interrupt)


def _die_with_parent() -> None:
    """Runs in the child before exec: SIGTERM it when the benchmark process dies."""
    libc = ctypes.CDLL(None, use_errno=True)
    pr_set_pdeathsig = 1
    libc.prctl(pr_set_pdeathsig, signal.SIGTERM)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        port: int = s.getsockname()[1]
        return port


def machine_description() -> dict[str, str]:
    memory = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return {
        "nproc": str(os.cpu_count()),
        "cpu": cpu,
        "memory": memory,
        "python": sys.version.split()[0],
        "loadavg_at_start": load,
    }


# Servers -------------------------------------------------------------------------------


@dataclass
class Server:
    name: str
    port: int
    process: subprocess.Popen[bytes]
    log_path: Path
    env: dict[str, str]

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def log_tail(self, lines: int = 30) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        # gunicorn runs in its own session: its process group id is its pid.
        for sig, wait in ((signal.SIGTERM, 15.0), (signal.SIGKILL, 5.0)):
            try:
                os.killpg(self.process.pid, sig)
            except ProcessLookupError:
                return
            try:
                self.process.wait(timeout=wait)
                return
            except subprocess.TimeoutExpired:
                continue


class Workspace:
    """A temporary directory, collected static files and the servers started in it."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="alongside-bench-"))
        self.static_root = self.root / "static"
        self.secret_key = secrets.token_urlsafe(50)
        self.servers: list[Server] = []
        self._static_collected = False

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        for server in reversed(self.servers):
            server.stop()
        self.servers.clear()
        shutil.rmtree(self.root, ignore_errors=True)

    def env(
        self,
        *,
        port: int,
        settings: str = SETTINGS,
        sqlite_path: Path | None = None,
        database_url: str = "",
    ) -> dict[str, str]:
        """The production configuration, by environment variables, for one server."""
        env = {k: v for k, v in os.environ.items() if k not in _CLEARED}
        env.update(
            {
                "DJANGO_SETTINGS_MODULE": settings,
                "DEBUG": "0",
                "DEMO_MODE": "0",
                "SECRET_KEY": self.secret_key,
                "PSEUDONYM_KEY": self.secret_key + "-pseudonyms",
                "ALLOWED_HOSTS": HOST,
                "SITE_URL": f"http://{HOST}:{port}",
                "SQLITE_PATH": str(sqlite_path or self.root / "unused.sqlite3"),
                "DATABASE_URL": database_url,
                "BENCH_STATIC_ROOT": str(self.static_root),
                "LOG_LEVEL": "WARNING",
                "PYTHONUNBUFFERED": "1",
            }
        )
        return env

    def manage(self, env: dict[str, str], *args: str) -> str:
        result = subprocess.run(
            [str(PYTHON), "manage.py", *args],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        if result.returncode != 0:
            raise BenchError(
                f"manage.py {' '.join(args)} failed ({result.returncode}):\n"
                f"{result.stdout[-2000:]}\n{result.stderr[-4000:]}"
            )
        return result.stdout

    def query(self, env: dict[str, str], code: str) -> Any:
        """Run Python in `manage.py shell` against the server's database; it prints JSON."""
        output = self.manage(env, "shell", "--no-imports", "-c", code)
        lines = [line for line in output.splitlines() if line.strip()]
        if not lines:
            raise BenchError(f"no output from query:\n{code}")
        return json.loads(lines[-1])

    def collect_static(self) -> None:
        if not self._static_collected:
            self.manage(self.env(port=0), "collectstatic", "--noinput", "-v", "0")
            self._static_collected = True

    def prepare_database(self, env: dict[str, str]) -> None:
        """A fresh schema, the cache table and the demo organization."""
        self.manage(env, "migrate", "--noinput", "-v", "0")
        self.manage(env, "createcachetable")
        self.manage(env, "demo", "--quiet")

    def start_server(
        self,
        name: str,
        env: dict[str, str],
        *,
        port: int,
        workers: int | None = None,
        threads: int | None = None,
        config: Path | None = None,
        options: Sequence[str] = (),
        ready_timeout: float = 60.0,
    ) -> Server:
        """Start gunicorn on 127.0.0.1:`port` and wait until /healthz answers 200.

        Without `config`, the benchmarks' own flags (`workers` and `threads` required).
        With `config` (e.g. deploy/gunicorn.conf.py), that file's settings, exactly as in
        production, except the bind address, the logs (into the workspace) and any
        `workers`/`threads` given here. `options` are more gunicorn flags, last.
        """
        self.collect_static()
        log_path = self.root / f"gunicorn-{name}.log"
        if config is None:
            if workers is None or threads is None:
                raise BenchError("start_server needs workers and threads, or a config")
            options = ["--graceful-timeout", "5", "--timeout", "60"]
        else:
            options = ["--config", str(config)]
        if workers is not None:
            options += ["--workers", str(workers)]
        if threads is not None:
            options += ["--threads", str(threads)]
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                [
                    str(GUNICORN),
                    "alongside.wsgi",
                    *options,
                    "--bind",
                    f"{HOST}:{port}",
                    "--error-logfile",
                    "-",
                    *options,
                ],
                cwd=REPO,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=_die_with_parent,  # servers start before any client thread
            )
        server = Server(name, port, process, log_path, env)
        self.servers.append(server)
        deadline = time.monotonic() + ready_timeout
        while True:
            if process.poll() is not None:
                raise BenchError(
                    f"server {name} exited with {process.returncode}:\n{server.log_tail()}"
                )
            try:
                status = Session(port).get("/healthz").status
            except OSError:
                status = 0
            if status == 200:
                return server
            if time.monotonic() > deadline:
                raise BenchError(
                    f"server {name} not healthy after {ready_timeout:.0f}s "
                    f"(last status {status}):\n{server.log_tail()}"
                )
            time.sleep(0.2)


def copy_sqlite(source: Path, target: Path) -> None:
    """A consistent copy of a SQLite database (the backup API, so WAL content is included)."""
    with (
        sqlite3.connect(source) as src,
        sqlite3.connect(target) as dst,
    ):
        src.backup(dst)
    src.close()
    dst.close()


# HTTP client ---------------------------------------------------------------------------


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes
    seconds: float

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    @property
    def location(self) -> str:
        return urlsplit(self.headers.get("Location", "")).path


_CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Session:
    """One browser: a kept-alive connection, its cookies and CSRF token. One thread each.

    Redirects are never followed, so each measured request is one server round trip.
    """

    def __init__(self, port: int, *, timeout: float = 30.0) -> None:
        self.port = port
        self.timeout = timeout
        self.cookies: dict[str, str] = {}
        self.origin = f"http://{HOST}:{port}"
        self._conn: http.client.HTTPConnection | None = None

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def get(self, path: str) -> Response:
        return self.request("GET", path)

    def post(
        self, path: str, data: dict[str, str], headers: dict[str, str] | None = None
    ) -> Response:
        return self.request(
            "POST",
            path,
            body=urlencode(data).encode(),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": self.origin,
                "Referer": self.origin + path,
                **(headers or {}),
            },
        )

    def request(
        self,
        method: str,
        path: str,
        *,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> Response:
        all_headers = {"Accept": "text/html", "User-Agent": "alongside-bench"}
        all_headers.update(headers or {})
        if self.cookies:
            all_headers["Cookie"] = "; ".join(
                f"{k}={v}" for k, v in self.cookies.items()
            )
        reused = self._conn is not None
        try:
            return self._send(method, path, body, all_headers)
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            # The server closed an idle kept-alive connection: reconnect once. Safe for
            # the POSTs here too, since every form carries its own submission key.
            self.close()
            if not reused:
                raise
            return self._send(method, path, body, all_headers)

    def _send(
        self, method: str, path: str, body: bytes | None, headers: dict[str, str]
    ) -> Response:
        if self._conn is None:
            self._conn = http.client.HTTPConnection(
                HOST, self.port, timeout=self.timeout
            )
        start = time.perf_counter()
        self._conn.request(method, path, body=body, headers=headers)
        raw = self._conn.getresponse()
        content = raw.read()
        seconds = time.perf_counter() - start
        self._remember_cookies(raw.headers.get_all("Set-Cookie") or [])
        if raw.will_close:
            self.close()
        return Response(raw.status, raw.headers, content, seconds)

    def _remember_cookies(self, set_cookies: Sequence[str]) -> None:
        for header in set_cookies:
            cookie: SimpleCookie = SimpleCookie()
            cookie.load(header)
            for name, morsel in cookie.items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value

    def log_in(self, email: str = ALLY_EMAIL, password: str = ALLY_PASSWORD) -> None:
        page = self.get("/accounts/login/")
        token = csrf_token(page)
        done = self.post(
            "/accounts/login/",
            {"csrfmiddlewaretoken": token, "login": email, "password": password},
        )
        if done.status != 302 or "sessionid" not in self.cookies:
            raise BenchError(
                f"logging in as {email} failed: HTTP {done.status} to {done.location!r}"
            )


def csrf_token(response: Response) -> str:
    match = _CSRF_RE.search(response.text)
    if response.status != 200 or match is None:
        raise BenchError(f"no form with a CSRF token (HTTP {response.status})")
    return match.group(1)


class FormReader(HTMLParser):
    """The submittable values of the first POST form of a page, and each select's options."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}
        self.options: dict[str, list[str]] = {}
        self._in_form = False
        self._done = False
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if self._done:
            return
        if tag == "form" and a.get("method", "").lower() == "post":
            # Skip the log-out form in the navigation bar.
            self._in_form = "logout" not in a.get("action", "")
            return
        if not self._in_form:
            return
        name = a.get("name", "")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind not in {"radio", "checkbox"} or "checked" in a:
                self.values[name] = a.get("value", "")
        elif tag == "select":
            self._select = name
            self.options[name] = []
        elif tag == "option" and self._select is not None:
            self.options[self._select].append(a.get("value", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "form" and self._in_form:
            self._in_form = False
            self._done = True


def read_form(response: Response) -> FormReader:
    if response.status != 200:
        raise BenchError(f"expected a form, got HTTP {response.status}")
    reader = FormReader()
    reader.feed(response.text)
    return reader


# Measuring -----------------------------------------------------------------------------


def percentile(sorted_values: Sequence[float], p: float) -> float:
    """Linear interpolation between closest ranks; p in [0, 100]."""
    if not sorted_values:
        return float("nan")
    k = (len(sorted_values) - 1) * p / 100
    lower = int(k)
    upper = min(lower + 1, len(sorted_values) - 1)
    return sorted_values[lower] + (sorted_values[upper] - sorted_values[lower]) * (
        k - lower
    )


@dataclass
class Sample:
    """Requests of one kind, possibly gathered over several rounds."""

    latencies: list[float] = field(default_factory=list)
    ok: int = 0
    failed: int = 0
    wall: float = 0.0
    unsent: int = 0  # left when the deadline passed
    failures: list[str] = field(default_factory=list)

    def add(self, other: Sample) -> None:
        self.latencies.extend(other.latencies)
        self.ok += other.ok
        self.failed += other.failed
        self.wall += other.wall
        self.unsent += other.unsent
        self.failures.extend(other.failures[: max(0, 5 - len(self.failures))])

    @property
    def throughput(self) -> float:
        """Successful requests per second of wall time."""
        return self.ok / self.wall if self.wall else 0.0

    def ms(self, p: float) -> float:
        return percentile(sorted(self.latencies), p) * 1000

    def summary(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "failed": self.failed,
            "unsent": self.unsent,
            "wall_s": round(self.wall, 3),
            "req_per_s": round(self.throughput, 2),
            "p50_ms": round(self.ms(50), 1),
            "p95_ms": round(self.ms(95), 1),
            "p99_ms": round(self.ms(99), 1),
            "max_ms": round(max(self.latencies, default=0) * 1000, 1),
            "failures": self.failures,
        }


# One request on a session: the response and whether it counts as a success.
Operation = Callable[[Session], tuple[Response, bool]]


def run_load(
    sessions: Sequence[Session],
    operation: Operation,
    *,
    requests: int,
    deadline: float,
) -> Sample:
    """Closed loop: each session's thread sends a request as soon as the last one answers,
    until `requests` are sent in total or the monotonic `deadline` passes."""
    sample = Sample()
    lock = threading.Lock()
    remaining = [requests]
    stop = threading.Event()

    def worker(session: Session) -> None:
        while not stop.is_set():
            with lock:
                if remaining[0] <= 0 or time.monotonic() > deadline:
                    return
                remaining[0] -= 1
            try:
                response, ok = operation(session)
            except Exception as e:  # a failed request is a result, not a crash
                session.close()
                with lock:
                    sample.failed += 1
                    if len(sample.failures) < 5:
                        sample.failures.append(f"{type(e).__name__}: {e}")
                continue
            with lock:
                sample.latencies.append(response.seconds)
                if ok:
                    sample.ok += 1
                else:
                    sample.failed += 1
                    if len(sample.failures) < 5:
                        sample.failures.append(
                            f"HTTP {response.status} {response.location}".strip()
                        )

    threads = [
        threading.Thread(target=worker, args=(s,), daemon=True) for s in sessions
    ]
    start = time.perf_counter()
    for t in threads:
        t.start()
    try:
        for t in threads:
            while t.is_alive():
                t.join(timeout=0.5)
    finally:
        stop.set()
    sample.wall = time.perf_counter() - start
    sample.unsent = remaining[0]
    return sample


@contextmanager
def logged_in_sessions(port: int, count: int) -> Iterator[list[Session]]:
    sessions = [Session(port) for _ in range(count)]
    try:
        for session in sessions:
            session.log_in()
        yield sessions
    finally:
        for session in sessions:
            session.close()


def format_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A Markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def write_json(path: str | None, data: dict[str, Any]) -> None:
    if path:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_text(json.dumps(data, indent=2) + "\n")
        print(f"results written to {path}")


# Open-loop (paced) load ----------------------------------------------------------------


def cpu_times() -> tuple[float, float]:
    """(this process's CPU seconds, the machine's busy CPU seconds over all cores)."""
    usage = os.times()
    mine = usage.user + usage.system
    busy = 0.0
    try:
        fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
        ticks = [int(x) for x in fields]
        idle = ticks[3] + (ticks[4] if len(ticks) > 4 else 0)  # idle + iowait
        busy = (sum(ticks[:8]) - idle) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        pass
    return mine, busy


@dataclass
class PacedSample(Sample):
    """An open-loop run: requests scheduled at a fixed rate, whether or not the server
    keeps up. `latencies` run from each request's SCHEDULED time to its complete
    response, so a server (or client) that falls behind shows as latency instead of
    silently lowering the rate (no coordinated omission). `service` runs from the actual
    send; `lags` is actual send minus scheduled time."""

    offered_rate: float = 0.0
    service: list[float] = field(default_factory=list)
    lags: list[float] = field(default_factory=list)
    statuses: dict[str, int] = field(default_factory=dict)
    client_cpu_s: float = 0.0
    machine_busy_s: float = 0.0

    def lag_ms(self, p: float) -> float:
        return percentile(sorted(self.lags), p) * 1000

    @property
    def client_cores(self) -> float:
        """Cores used by this process (the client threads) on average."""
        return self.client_cpu_s / self.wall if self.wall else 0.0

    @property
    def machine_cores(self) -> float:
        """Cores busy on the whole machine (server, database, client, others)."""
        return self.machine_busy_s / self.wall if self.wall else 0.0

    def summary(self) -> dict[str, Any]:
        return {
            **super().summary(),
            "offered_rate": round(self.offered_rate, 2),
            "service_p50_ms": round(percentile(sorted(self.service), 50) * 1000, 1),
            "service_p99_ms": round(percentile(sorted(self.service), 99) * 1000, 1),
            "send_lag_p99_ms": round(self.lag_ms(99), 1),
            "statuses": dict(self.statuses),
            "client_cores": round(self.client_cores, 2),
            "machine_cores": round(self.machine_cores, 2),
        }


def run_paced(
    sessions: Sequence[Session],
    operation: Operation,
    *,
    rate: float,
    seconds: float,
    deadline: float,
) -> PacedSample:
    """Open loop: `rate * seconds` requests scheduled at even intervals, each sent by
    whichever session's thread is free (so at most len(sessions) are in flight). Stops
    early at the monotonic `deadline`; requests not sent by then count as unsent."""
    total = max(1, round(rate * seconds))
    sample = PacedSample(offered_rate=rate)
    lock = threading.Lock()
    next_index = [0]
    start = time.perf_counter() + 0.05

    def record(
        scheduled: float, sent: float, response: Response | None, ok: bool, failure: str
    ) -> None:
        done = time.perf_counter()
        with lock:
            sample.latencies.append(done - scheduled)
            sample.lags.append(sent - scheduled)
            key = str(response.status) if response is not None else "error"
            sample.statuses[key] = sample.statuses.get(key, 0) + 1
            if response is not None:
                sample.service.append(response.seconds)
            if ok:
                sample.ok += 1
            else:
                sample.failed += 1
                if len(sample.failures) < 5:
                    sample.failures.append(failure)

    def worker(session: Session) -> None:
        while True:
            with lock:
                index = next_index[0]
                if index >= total or time.monotonic() > deadline:
                    return
                next_index[0] += 1
            scheduled = start + index / rate
            delay = scheduled - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            sent = time.perf_counter()
            try:
                response, ok = operation(session)
            except Exception as e:  # a failed request is a result, not a crash
                session.close()
                record(scheduled, sent, None, False, f"{type(e).__name__}: {e}")
                continue
            failure = (
                "" if ok else f"HTTP {response.status} {response.location}".strip()
            )
            record(scheduled, sent, response, ok, failure)

    threads = [
        threading.Thread(target=worker, args=(s,), daemon=True) for s in sessions
    ]
    cpu_before, busy_before = cpu_times()
    for t in threads:
        t.start()
    for t in threads:
        while t.is_alive():
            t.join(timeout=0.5)
    sample.wall = time.perf_counter() - start
    cpu_after, busy_after = cpu_times()
    sample.client_cpu_s = cpu_after - cpu_before
    sample.machine_busy_s = busy_after - busy_before
    sample.unsent = total - next_index[0]
    return sample
