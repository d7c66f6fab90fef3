"""What the campaign load test sends, and the database queries that check its results.

Every request goes through the public doors of the campaigns app, as documented in
alongside/campaigns/README.md: the campaign page (for the CSRF cookie and token), the
signing form, the emailed confirmation link (rendered from the queued email task as the
worker would, since no worker runs during a benchmark), the counter fragment. The baseline is
bench/baseline's bare insert view.
"""

from __future__ import annotations

import itertools
import re
import threading
import time
from dataclasses import dataclass, field

from bench.harness import BenchError, Operation, Response, Session, csrf_token

EMAIL_DOMAIN = "bench.example.org"
SIGNED_MARKER = 'data-signing="received"'
UNAVAILABLE_MARKER = "Back in a moment"  # templates/503.html
LEAK_MARKERS = ("Traceback", "OperationalError", "psycopg", 'File "/')
_COUNT_RE = re.compile(r'id="campaign-counter"[^>]*data-count="(\d+)"')
_COUNT_RE_ANY = re.compile(r'data-count="(\d+)"[^>]*id="campaign-counter"')

CREATE_CAMPAIGN = """
import json
from datetime import timedelta
from django.utils import timezone
from alongside.campaigns.models import Campaign
from alongside.organizations.models import Organization
org = Organization.objects.get(slug={org!r})
campaign = Campaign.objects.create(
    organization=org,
    slug={slug!r},
    title="Benchmark pledge: I will speak up",
    statement="I will **speak up** when a colleague is talked over.",
    goal=1_000_000,
    starts_at=timezone.now() - timedelta(days=1),
    ask_name=True,
    ask_country=True,
    ask_gender=True,
    consent_text="I agree that the organization keeps my signature for this campaign.",
    privacy_notice="We keep your email to confirm your signature, and nothing else.",
    status=Campaign.Status.PUBLISHED,
    published_at=timezone.now(),
)
print(json.dumps({{"campaign": campaign.pk, "slug": campaign.slug}}))
"""

# The confirm link of each queued email for one campaign, by address. No worker runs,
# so every signature's email is still in the queue; its task holds only the signature's
# id (and a language), so the email is rendered here exactly as the worker would render
# it (`services.signature_email`, with the server's SECRET_KEY), and its link read.
CONFIRM_LINKS = r"""
import json, re
from django_tasks_db.models import DBTaskResult
from alongside.campaigns import services
from alongside.campaigns.models import Signature
link = re.compile("/c/" + re.escape({slug!r}) + r"/confirm/([A-Za-z0-9_-]+)/")
tokens = {{}}
emails = {{}}
ids = [
    args["args"][0]
    for args in DBTaskResult.objects.filter(
        task_path__endswith="send_signature_email"
    ).values_list("args_kwargs", flat=True)
]
signatures = Signature.objects.select_related(
    "campaign", "campaign__organization"
).filter(campaign__slug={slug!r}).in_bulk(set(ids))
for pk in ids:
    signature = signatures.get(pk)
    if signature is None:
        continue
    to = signature.normalized_email
    emails[to] = emails.get(to, 0) + 1
    message = services.signature_email(signature)
    match = link.search(message.body) if message else None
    if match:
        tokens.setdefault(to, []).append(match.group(1))
print(json.dumps({{"tokens": tokens, "emails": emails}}))
"""

STATE = """
import json
from django.db.models import Count
from alongside.campaigns.models import Campaign, Signature
from bench.baseline.models import BaselineRow
campaign = Campaign.objects.get(slug={slug!r})
signatures = Signature.objects.filter(campaign=campaign)
print(json.dumps({{
    "signatures": list(signatures.values_list("normalized_email", flat=True)),
    "confirmed": signatures.filter(confirmed_at__isnull=False).count(),
    "duplicates": signatures.values("normalized_email").annotate(n=Count("id"))
        .filter(n__gt=1).count(),
    "counter": campaign.confirmed_count,
    "baseline_rows": list(BaselineRow.objects.values_list("email", flat=True)),
}}))
"""


def client_address(n: int) -> dict[str, str]:
    """The X-Forwarded-For header of simulated client number `n` (a private address)."""
    return {"X-Forwarded-For": f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}"}


def counter_value(response: Response) -> int | None:
    match = _COUNT_RE.search(response.text) or _COUNT_RE_ANY.search(response.text)
    return int(match.group(1)) if match else None


@dataclass
class Outcome:
    """One request's result, kept for the checks after the run."""

    key: str  # the email address (or token) it was about
    status: int  # 0: no HTTP response (connection error, timeout)
    at: float  # monotonic time the response (or error) came
    retry_after: str = ""
    leak: str = ""  # a traceback marker found in the body
    unavailable_page: bool = False
    error: str = ""


@dataclass
class Recorder:
    """Thread-safe list of outcomes."""

    outcomes: list[Outcome] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, outcome: Outcome) -> None:
        with self.lock:
            self.outcomes.append(outcome)

    def acked(self) -> set[str]:
        return {o.key for o in self.outcomes if o.status == 200}

    def attempted(self) -> set[str]:
        return {o.key for o in self.outcomes}


def _outcome(key: str, response: Response) -> Outcome:
    text = response.text
    return Outcome(
        key=key,
        status=response.status,
        at=time.monotonic(),
        retry_after=response.headers.get("Retry-After", ""),
        leak=next((m for m in LEAK_MARKERS if m in text), ""),
        unavailable_page=UNAVAILABLE_MARKER in text,
    )


class _Form:
    """A CSRF token per session, read once from the campaign page."""

    def __init__(self, slug: str) -> None:
        self.slug = slug
        self.page = f"/c/{slug}/"
        self.tokens: dict[int, str] = {}

    def prepare(self, sessions: list[Session]) -> None:
        for session in sessions:
            response = session.get(self.page)
            if response.status != 200:
                raise BenchError(f"GET {self.page}: HTTP {response.status}")
            self.tokens[id(session)] = csrf_token(response)


class Signer(_Form):
    """Signs with a new address each call (the campaign asks name, country, gender)."""

    def __init__(self, slug: str, run: str, recorder: Recorder | None = None) -> None:
        super().__init__(slug)
        self.path = f"/c/{slug}/sign/"
        self.run = run
        self.counter = itertools.count(1)
        self.addresses = itertools.count(1)  # one address per request
        self.recorder = recorder or Recorder()

    def next_email(self) -> str:
        return f"s{next(self.counter)}-{self.run}@{EMAIL_DOMAIN}"

    def sign(self, session: Session, email: str) -> tuple[Response, bool]:
        n = len(email)
        data = {
            "csrfmiddlewaretoken": self.tokens[id(session)],
            "email": email,
            "first_name": "Sam",
            "country": ("GB", "KE", "IN", "BR")[n % 4],
            "gender": ("man", "woman", "another", "undisclosed", "")[n % 5],
            "consent": "on",
            "website": "",
        }
        if n % 3 == 0:
            data["show_name"] = "on"
        try:
            response = session.post(
                self.path, data, headers=client_address(next(self.addresses))
            )
        except Exception as e:
            self.recorder.add(
                Outcome(email, 0, time.monotonic(), error=f"{type(e).__name__}: {e}")
            )
            raise
        self.recorder.add(_outcome(email, response))
        return response, response.status == 200 and SIGNED_MARKER in response.text

    def __call__(self, session: Session) -> tuple[Response, bool]:
        return self.sign(session, self.next_email())


class BaselineInserter(_Form):
    """POSTs a new address to bench/baseline's bare insert view."""

    path = "/bench/baseline/insert/"

    def __init__(self, slug: str, run: str) -> None:
        super().__init__(slug)
        self.run = run
        self.counter = itertools.count(1)
        self.recorder = Recorder()

    def __call__(self, session: Session) -> tuple[Response, bool]:
        n = next(self.counter)
        email = f"b{n}-{self.run}@{EMAIL_DOMAIN}"
        response = session.post(
            self.path,
            {"csrfmiddlewaretoken": self.tokens[id(session)], "email": email},
            headers=client_address(n),
        )
        self.recorder.add(_outcome(email, response))
        return response, response.status == 200 and response.body == b"stored\n"


class Confirmer:
    """Confirms through the emailed link: GET it (a page with a button), POST it."""

    def __init__(self, slug: str, tokens: list[tuple[str, str]]) -> None:
        self.slug = slug
        self.pending = list(tokens)  # (email, token)
        self.lock = threading.Lock()
        self.recorder = Recorder()

    def __call__(self, session: Session) -> tuple[Response, bool]:
        with self.lock:
            email, token = self.pending.pop()
        path = f"/c/{self.slug}/confirm/{token}/"
        page = session.get(path)
        if page.status != 200:
            self.recorder.add(_outcome(email, page))
            return page, False
        response = session.post(path, {"csrfmiddlewaretoken": csrf_token(page)})
        response.seconds += page.seconds
        self.recorder.add(_outcome(email, response))
        return response, response.status == 200


def getter(path: str, *, expect: str = "") -> Operation:
    def operation(session: Session) -> tuple[Response, bool]:
        response = session.get(path)
        return response, response.status == 200 and expect in response.text

    return operation


class MemberReader:
    """A logged-in member reading the organization home (the session and the user are
    loaded from the database by middleware, before any view runs)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.recorder = Recorder()

    def __call__(self, session: Session) -> tuple[Response, bool]:
        try:
            response = session.get(self.path)
        except Exception as e:
            self.recorder.add(
                Outcome(
                    self.path, 0, time.monotonic(), error=f"{type(e).__name__}: {e}"
                )
            )
            raise
        self.recorder.add(_outcome(self.path, response))
        return response, response.status == 200
