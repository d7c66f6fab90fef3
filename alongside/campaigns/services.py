"""Writes of the campaigns app: campaigns' lifecycle, signing, confirming, withdrawing.

The stored counter `Campaign.confirmed_count` changes only here, with F() in the same
transaction as the signature row it counts, so it is exact under concurrency;
`reconcile_counters` checks it against the rows and fixes (and logs) any drift.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from base64 import urlsafe_b64encode
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import connections, router, transaction
from django.db.models import F
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from alongside.audit.services import audit_record
from alongside.campaigns import public_cache
from alongside.campaigns.models import Campaign, Gender, Signature
from alongside.lib.emailaddr import normalize_email
from alongside.lib.tokens import token_digest
from alongside.notifications.tasks import send_email

if TYPE_CHECKING:
    from alongside.accounts.models import User
    from alongside.campaigns.fastinsert import PreparedTask
    from alongside.pledges.models import Pledge

logger = logging.getLogger(__name__)

CONVERSION_SALT = "alongside.campaigns.conversion"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def confirm_days() -> int:
    return settings.CAMPAIGN_CONFIRM_DAYS


def resend_minutes() -> int:
    return settings.CAMPAIGN_RESEND_MINUTES


def pending_retention_days() -> int:
    return settings.CAMPAIGN_PENDING_RETENTION_DAYS


def conversion_days() -> int:
    return settings.CAMPAIGN_CONVERSION_DAYS


class LinkInvalid(Exception):
    """An emailed link that can't be used: `reason` is unknown, expired, used or closed."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class CampaignNotOpen(Exception):
    """Signing refused: `state` is Campaign.signing_state() (closed, ended, not_started)."""

    def __init__(self, state: str) -> None:
        super().__init__(state)
        self.state = state


# Campaign lifecycle ------------------------------------------------------------------


def campaign_save(
    *, campaign: Campaign, actor: User, request: HttpRequest | None = None
) -> Campaign:
    """Create or update a campaign (the form has validated it), with an audit event."""
    created = campaign.pk is None
    with transaction.atomic():
        if created:
            campaign.created_by = actor
        campaign.save()
        audit_record(
            action="campaign.created" if created else "campaign.updated",
            actor=actor,
            organization=campaign.organization,
            target=campaign,
            data={"title": campaign.title},
            request=request,
        )
    return campaign


def campaign_publish(
    *, campaign: Campaign, actor: User, request: HttpRequest | None = None
) -> None:
    if not campaign.is_draft:
        raise ValidationError(_("Only a draft can be published."))
    with transaction.atomic():
        updated = Campaign.objects.filter(
            pk=campaign.pk, status=Campaign.Status.DRAFT
        ).update(status=Campaign.Status.PUBLISHED, published_at=timezone.now())
        if not updated:
            raise ValidationError(_("Only a draft can be published."))
        public_cache.invalidate_all()
        campaign.refresh_from_db()
        audit_record(
            action="campaign.published",
            actor=actor,
            organization=campaign.organization,
            target=campaign,
            request=request,
        )


def campaign_close(
    *, campaign: Campaign, actor: User, request: HttpRequest | None = None
) -> None:
    """Stop signing and confirming; the page stays up with the final count."""
    if not campaign.is_published:
        raise ValidationError(_("Only a published campaign can be closed."))
    with transaction.atomic():
        updated = Campaign.objects.filter(
            pk=campaign.pk, status=Campaign.Status.PUBLISHED
        ).update(status=Campaign.Status.CLOSED, closed_at=timezone.now())
        if not updated:
            raise ValidationError(_("Only a published campaign can be closed."))
        public_cache.invalidate_all()
        campaign.refresh_from_db()
        audit_record(
            action="campaign.closed",
            actor=actor,
            organization=campaign.organization,
            target=campaign,
            data={"confirmed": campaign.confirmed_count},
            request=request,
        )


# Signing -----------------------------------------------------------------------------


@dataclass(frozen=True)
class SignResult:
    signature: Signature | None  # None only when a honeypot hit was dropped
    created: bool
    email_sent: bool


def _link(name: str, campaign_slug: str, token: str) -> str:
    path = reverse(name, kwargs={"campaign": campaign_slug, "token": token})
    return f"{settings.SITE_URL}{path}"


# Emailed links ----------------------------------------------------------------------
#
# The confirm and withdraw tokens of a signature are derived, with a keyed HMAC, from
# what its row already holds: the campaign, the normalized address and the time its
# last email was queued (`email_sent_at`, changed by every re-send, so each re-send has
# fresh links and the older ones stop working). Only their SHA-256 digests are stored,
# as before, so the database alone reveals no usable link; recreating one takes
# SECRET_KEY. That lets the signing request queue just the signature's id: the worker
# renders the email and recreates the links (`signature_email`), so no template is
# rendered on the request path and no link sits in the task queue.

LINK_SALT = "alongside.campaigns.links"


def _microseconds(moment: datetime) -> int:
    """`moment` as whole microseconds since the epoch (exact: no float rounding)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return (moment - EPOCH) // timedelta(microseconds=1)


# SECRET_KEY (or a fallback) -> the HMAC keyed as `salted_hmac(LINK_SALT, ...,
# secret=..., algorithm="sha256")` keys it, ready to be copied: deriving the key and
# the HMAC's pads once per key, not twice per signature.
_LINK_MACS: dict[str, hmac.HMAC] = {}


def _link_mac(secret: str | None) -> hmac.HMAC:
    secret = settings.SECRET_KEY if secret is None else secret
    mac = _LINK_MACS.get(secret)
    if mac is None:
        key = hashlib.sha256(LINK_SALT.encode() + secret.encode()).digest()
        mac = hmac.new(key, digestmod=hashlib.sha256)
        if len(_LINK_MACS) >= 8:
            _LINK_MACS.clear()
        _LINK_MACS[secret] = mac
    return mac.copy()


def link_token(
    purpose: str,
    *,
    campaign_id: int,
    normalized_email: str,
    sent_at: datetime,
    secret: str | None = None,
) -> str:
    """The token of a signature's `purpose` ("confirm" or "withdraw") link.

    43 characters of [A-Za-z0-9_-], like `secrets.token_urlsafe(32)`: the
    `salted_hmac(LINK_SALT, ..., secret=secret, algorithm="sha256")` of the link's
    purpose, campaign, address and `sent_at`.
    """
    mac = _link_mac(secret)
    mac.update(
        f"{purpose}:{campaign_id}:{normalized_email}:{_microseconds(sent_at)}".encode()
    )
    return urlsafe_b64encode(mac.digest()).rstrip(b"=").decode()


def _link_tokens(
    campaign_id: int, normalized_email: str, sent_at: datetime
) -> tuple[str, str]:
    """(confirm token, withdraw token) with the current SECRET_KEY."""
    return (
        link_token(
            "confirm",
            campaign_id=campaign_id,
            normalized_email=normalized_email,
            sent_at=sent_at,
        ),
        link_token(
            "withdraw",
            campaign_id=campaign_id,
            normalized_email=normalized_email,
            sent_at=sent_at,
        ),
    )


@dataclass(frozen=True)
class SignatureEmail:
    to: str
    subject: str
    body: str
    confirm_url: str | None  # None in the "already confirmed" email
    withdraw_url: str


def _current_tokens(signature: Signature) -> tuple[str | None, str] | None:
    """The signature's live (confirm, withdraw) tokens, recreated from its row.

    Tries SECRET_KEY, then SECRET_KEY_FALLBACKS (a key rotated between the request and
    the worker). The confirm token is None once the signature is confirmed. None when
    no key recreates the stored digests (then the caller issues fresh links).
    """
    for secret in [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]:

        def token(purpose: str, secret: str = secret) -> str:
            return link_token(
                purpose,
                campaign_id=signature.campaign_id,
                normalized_email=signature.normalized_email,
                sent_at=signature.email_sent_at,
                secret=secret,
            )

        withdraw = token("withdraw")
        if token_digest(withdraw) != signature.withdraw_token_digest:
            continue
        if signature.is_confirmed:
            return None, withdraw
        confirm = token("confirm")
        if token_digest(confirm) == signature.confirm_token_digest:
            return confirm, withdraw
    return None


def _reissue_tokens(signature: Signature) -> tuple[str | None, str] | None:
    """New links under the current key, for a row no key recreates; None if it changed
    meanwhile (a re-send or a confirmation: its own email carries the right links)."""
    confirm, withdraw = _link_tokens(
        signature.campaign_id, signature.normalized_email, signature.email_sent_at
    )
    changes: dict[str, Any] = {"withdraw_token_digest": token_digest(withdraw)}
    if not signature.is_confirmed:
        changes["confirm_token_digest"] = token_digest(confirm)
    updated = Signature.objects.filter(
        pk=signature.pk,
        email_sent_at=signature.email_sent_at,
        confirmed_at=signature.confirmed_at,
        confirm_token_digest=signature.confirm_token_digest,
        withdraw_token_digest=signature.withdraw_token_digest,
    ).update(**changes)
    if not updated:
        return None
    logger.warning(
        "campaign signature %s: links reissued (SECRET_KEY changed since queued)",
        signature.pk,
    )
    return (None if signature.is_confirmed else confirm), withdraw


def signature_email(
    signature: Signature, *, now: datetime | None = None
) -> SignatureEmail | None:
    """The email a signature's queued task sends, with its links recreated.

    A pending signature gets the confirm email (confirm and withdraw links), a confirmed
    one the "already signed" note with a withdraw link. None when there is nothing to
    send: its confirm link has expired (the signer signs again for a new one).
    """
    now = now or timezone.now()
    if not signature.is_confirmed and signature.confirm_expires_at <= now:
        return None
    tokens = _current_tokens(signature) or _reissue_tokens(signature)
    if tokens is None:
        return None
    confirm, withdraw = tokens
    campaign = signature.campaign
    context: dict[str, Any] = {
        "campaign": campaign,
        "organization_name": campaign.organization.name,
        "withdraw_url": _link("campaigns:withdraw", campaign.slug, withdraw),
        "SITE_NAME": settings.SITE_NAME,
        "SITE_URL": settings.SITE_URL,
    }
    if confirm is None:
        template = "campaigns/email/signature_again"
        confirm_url = None
    else:
        template = "campaigns/email/signature_confirm"
        confirm_url = _link("campaigns:confirm", campaign.slug, confirm)
        context.update(confirm_url=confirm_url, expires_at=signature.confirm_expires_at)
    subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
    body = render_to_string(f"{template}_body.txt", context)
    return SignatureEmail(
        to=signature.normalized_email,
        subject=subject,
        body=body,
        confirm_url=confirm_url,
        withdraw_url=context["withdraw_url"],
    )


def signature_email_send(signature_id: int, language: str = "") -> bool:
    """Send a signature's queued email (the task `send_signature_email`); False when
    there is nothing to send (withdrawn, or its link expired)."""
    signature = (
        Signature.objects.select_related("campaign", "campaign__organization")
        .filter(pk=signature_id)
        .first()
    )
    if signature is None:
        return False  # withdrawn (deleted) before the worker got to it
    with translation.override(language or settings.LANGUAGE_CODE):
        message = signature_email(signature)
    if message is None:
        logger.info("campaign signature %s: nothing to send", signature_id)
        return False
    send_email.call(
        to=[message.to],
        subject=message.subject,
        body=message.body,
        html=None,
        headers={},
    )
    return True


def _signature_email_task() -> PreparedTask:
    """The signature's email task, made ready outside the transaction: its row (on the
    database backend) wants only the signature's id to be written
    (`_queue_signature_email`)."""
    from alongside.campaigns.fastinsert import PreparedTask
    from alongside.campaigns.tasks import send_signature_email

    return PreparedTask(send_signature_email)


def _queue_signature_email(signature_id: int, task: PreparedTask | None = None) -> None:
    """Enqueue the signature's email in the caller's transaction.

    `notifications.email.queue_email` enqueues after commit, in a transaction of its
    own: a second commit per signature, and a signature whose email is lost if the
    database drops between the two. The database task backend writes to the same
    database, so enqueuing here commits the signature and its email together (or
    neither). The task carries the signature's id and the language to write in, never
    the address, the links or the text: the worker renders them.
    """
    task = task or _signature_email_task()
    task.enqueue(signature_id, translation.get_language() or "")


_INSERT_COLUMNS = (
    "campaign",
    "normalized_email",
    "first_name",
    "show_name",
    "country",
    "gender",
    "created_at",
    "confirm_token_digest",
    "confirm_expires_at",
    "withdraw_token_digest",
    "email_sent_at",
)
_INSERT_SQL: dict[tuple[str, str], str] = {}


def _insert_sql(alias: str, gate: str = "") -> str:
    """The statement of `_insert_if_open`, built once per database alias; `gate`, if
    given, is one more SQL condition the insert needs (`pgsign`: the rate limit)."""
    sql = _INSERT_SQL.get((alias, gate))
    if sql is None:
        qn = connections[alias].ops.quote_name
        opts, campaign_opts = Signature._meta, Campaign._meta

        def column(meta: Any, name: str) -> str:
            return str(qn(meta.get_field(name).column))

        columns = ", ".join(column(opts, name) for name in _INSERT_COLUMNS)
        c = {
            name: column(campaign_opts, name)
            for name in ("id", "status", "starts_at", "ends_at")
        }
        sql = (
            f"INSERT INTO {qn(opts.db_table)} ({columns}) "
            f"SELECT {', '.join(['%s'] * len(_INSERT_COLUMNS))} "
            f"FROM {qn(campaign_opts.db_table)} "
            f"WHERE {c['id']} = %s AND {c['status']} = %s AND {c['starts_at']} <= %s "
            f"AND ({c['ends_at']} IS NULL OR {c['ends_at']} > %s) "
            + (f"AND {gate} " if gate else "")
            + f"ON CONFLICT ({column(opts, 'campaign')}, "
            f"{column(opts, 'normalized_email')}) DO NOTHING "
            f"RETURNING {column(opts, 'id')}"
        )
        _INSERT_SQL[alias, gate] = sql
    return sql


_DATETIME_COLUMNS = frozenset(("created_at", "confirm_expires_at", "email_sent_at"))


def _insert_params(values: dict[str, Any], now: datetime, alias: str) -> list[Any]:
    """The parameters of `_insert_sql` for a drafted row's `values` at `now`."""
    adapt = connections[alias].ops.adapt_datetimefield_value
    adapted: dict[datetime, Any] = {}  # a draft's times are mostly `now`: adapt once

    def param(name: str) -> Any:
        value = values[name]
        if name not in _DATETIME_COLUMNS:
            return value
        if value not in adapted:
            adapted[value] = adapt(value)
        return adapted[value]

    if now not in adapted:
        adapted[now] = adapt(now)
    return [
        *(param(name) for name in _INSERT_COLUMNS),
        values["campaign"],
        Campaign.Status.PUBLISHED.value,
        adapted[now],
        adapted[now],
    ]


def _insert_if_open(values: dict[str, Any], now: datetime) -> int | None:
    """INSERT the drafted row `values` if its campaign is open now and the address is
    new.

    One statement: `INSERT ... SELECT ... FROM campaign WHERE <open> ON CONFLICT
    (campaign, normalized_email) DO NOTHING RETURNING id`, so the campaign's state is
    checked in the database, in the same statement as the insert (a campaign closed a
    moment ago takes nothing, even if the caller's copy of it is a second old), and an
    existing signature is a row count of 0 instead of an IntegrityError in a
    savepoint. The id, or None if nothing was inserted (the campaign isn't open, or
    the address has signed).
    """
    alias = router.db_for_write(Signature)
    with connections[alias].cursor() as cursor:
        cursor.execute(_insert_sql(alias), _insert_params(values, now, alias))
        row = cursor.fetchone()
    return int(row[0]) if row else None


_GENDERS = frozenset(Gender.values)


@dataclass
class SignatureDraft:
    """A signature ready to be stored: everything `signature_store` writes that needs
    no database (the address normalized, the links' digests, the email task's row),
    so the signing view does it before it writes. `values` are the row's columns
    (`_INSERT_COLUMNS`, the campaign as its id)."""

    campaign: Campaign
    values: dict[str, Any]
    now: datetime
    email_task: PreparedTask

    @property
    def normalized_email(self) -> str:
        return str(self.values["normalized_email"])

    def signature(self, pk: int) -> Signature:
        """The stored signature `pk`, as the model instance the draft describes."""
        values = {k: v for k, v in self.values.items() if k != "campaign"}
        signature = Signature(pk=pk, campaign=self.campaign, **values)
        signature._state.adding = False
        return signature


def signature_draft(
    *,
    campaign: Campaign,
    email: str,
    first_name: str = "",
    country: str = "",
    gender: str = "",
    show_name: bool = False,
    now: datetime | None = None,
    email_is_normalized: bool = False,
) -> SignatureDraft:
    """The signature `signature_store` will write; no database access.

    CampaignNotOpen if `campaign` (possibly a cached copy) is not open at `now`,
    ValidationError for an unusable address or gender. `email_is_normalized` skips
    normalizing again an address the signing form has already normalized.
    """
    now = now or timezone.now()
    normalized = email if email_is_normalized else normalize_email(email)
    state = campaign.signing_state(now)
    if state != "open":
        raise CampaignNotOpen(state)
    if gender and gender not in _GENDERS:
        raise ValidationError({"gender": _("Choose one of the options, or none.")})
    confirm, withdraw = _link_tokens(campaign.pk, normalized, now)
    first_name = first_name.strip()
    return SignatureDraft(
        campaign=campaign,
        values={
            "campaign": campaign.pk,
            "normalized_email": normalized,
            "first_name": first_name[:60] if campaign.ask_name else "",
            "show_name": bool(show_name and campaign.ask_name and first_name),
            "country": country if campaign.ask_country else "",
            "gender": gender if campaign.ask_gender else "",
            "created_at": now,
            "confirm_token_digest": token_digest(confirm),
            "confirm_expires_at": now + timedelta(days=confirm_days()),
            "withdraw_token_digest": token_digest(withdraw),
            "email_sent_at": now,
        },
        now=now,
        email_task=_signature_email_task(),
    )


def signature_store(draft: SignatureDraft) -> SignResult:
    """Write a drafted signature; idempotent per normalized address.

    The first submit inserts the row and queues the double opt-in email, in one
    transaction. Any later or simultaneous one meets the unique constraint (ON CONFLICT
    DO NOTHING), which we treat as "already signed": it may re-send the email (at most
    once per `CAMPAIGN_RESEND_MINUTES`) and returns the existing signature. A repeat
    keeps the first submission's details. The draft's campaign may be a cached copy:
    whether it is open is checked again by the INSERT itself (CampaignNotOpen if not).
    """
    # No savepoint: nothing in here is expected to fail and be caught (a conflict is a
    # row count of 0), so inside the signing view's transaction this adds no statement.
    with transaction.atomic(savepoint=False):
        pk = _insert_if_open(draft.values, draft.now)
        if pk is not None:
            _queue_signature_email(pk, draft.email_task)
            return SignResult(
                signature=draft.signature(pk), created=True, email_sent=True
            )
        return signature_not_inserted(draft)


def signature_store_after_hit(
    draft: SignatureDraft, hit: tuple[str, list[Any]], *, hit_alias: str
) -> bool:
    """In one transaction: a submission's rate-limit hit (`ratelimit.statement`, on the
    database `hit_alias`) and, if it is allowed, `signature_store`'s writes. False
    when the hit is refused (nothing else written).

    Every statement and its parameters are made before the transaction begins, and the
    writes share one cursor: on SQLite the transaction holds the database's write lock
    from BEGIN IMMEDIATE to COMMIT, and every other signer waits for it.
    """
    alias = router.db_for_write(Signature)
    insert_sql = _insert_sql(alias)
    insert_params = _insert_params(draft.values, draft.now, alias)
    language = translation.get_language() or ""
    task = draft.email_task
    with transaction.atomic(using=alias):
        with connections[alias].cursor() as cursor:
            if hit_alias == alias:
                cursor.execute(*hit)
                allowed = cursor.rowcount == 1
            else:
                allowed = _hit_elsewhere(hit, hit_alias)
            if not allowed:
                return False
            cursor.execute(insert_sql, insert_params)
            row = cursor.fetchone()
            if row is not None:
                shared = getattr(task, "using", None) == alias
                task.enqueue(row[0], language, cursor=cursor if shared else None)
        if row is None:
            signature_not_inserted(draft)
    return True


def _hit_elsewhere(hit: tuple[str, list[Any]], alias: str) -> bool:
    """The rate-limit hit, when its table lives in another database."""
    with transaction.atomic(using=alias), connections[alias].cursor() as cursor:
        cursor.execute(*hit)
        return bool(cursor.rowcount == 1)


def signature_not_inserted(draft: SignatureDraft) -> SignResult:
    """A drafted signature whose INSERT wrote nothing: the campaign is not open
    (CampaignNotOpen), or the address has signed (the repeat, maybe re-sending its
    email). In the caller's transaction."""
    campaign, now = draft.campaign, draft.now
    normalized = draft.normalized_email
    fresh = Campaign.objects.filter(pk=campaign.pk).first()
    if fresh is None:
        raise CampaignNotOpen("closed")  # deleted
    state = fresh.signing_state(now)
    if state != "open":
        raise CampaignNotOpen(state)
    existing = Signature.objects.filter(
        campaign=campaign, normalized_email=normalized
    ).first()
    if existing is None:  # withdrawn in between: nothing to do, same answer
        return SignResult(signature=None, created=False, email_sent=False)
    return SignResult(
        signature=existing,
        created=False,
        email_sent=_resend(existing, fresh, now=now),
    )


def signature_create(
    *,
    campaign: Campaign,
    email: str,
    first_name: str = "",
    country: str = "",
    gender: str = "",
    show_name: bool = False,
    now: datetime | None = None,
    email_is_normalized: bool = False,
) -> SignResult:
    """Sign `campaign` as `email`: `signature_draft` then `signature_store`."""
    return signature_store(
        signature_draft(
            campaign=campaign,
            email=email,
            first_name=first_name,
            country=country,
            gender=gender,
            show_name=show_name,
            now=now,
            email_is_normalized=email_is_normalized,
        )
    )


def _resend(signature: Signature, campaign: Campaign, *, now: datetime) -> bool:
    """Re-send the email of a repeated signature, at most once per window.

    The links are derived from `email_sent_at`, so moving it to now gives fresh links
    (the older ones stop working). A conditional UPDATE claims the re-send: of many
    simultaneous repeats, at most one sends.
    """
    cutoff = now - timedelta(minutes=resend_minutes())
    if signature.email_sent_at > cutoff:
        return False  # sent recently (a double click): no write at all
    confirm, withdraw = _link_tokens(campaign.pk, signature.normalized_email, now)
    with transaction.atomic():
        if signature.is_confirmed:
            claimed = Signature.objects.filter(
                pk=signature.pk, email_sent_at__lte=cutoff
            ).update(email_sent_at=now, withdraw_token_digest=token_digest(withdraw))
        else:
            claimed = Signature.objects.filter(
                pk=signature.pk, email_sent_at__lte=cutoff, confirmed_at__isnull=True
            ).update(
                email_sent_at=now,
                confirm_token_digest=token_digest(confirm),
                confirm_expires_at=now + timedelta(days=confirm_days()),
                withdraw_token_digest=token_digest(withdraw),
            )
        if claimed:
            _queue_signature_email(signature.pk)
        return bool(claimed)


# Confirming and withdrawing ------------------------------------------------------------


def signature_for_confirm_token(
    token: str, *, now: datetime | None = None
) -> Signature:
    """The signature a confirm link opens, if it can still be confirmed."""
    now = now or timezone.now()
    signature = (
        Signature.objects.select_related("campaign", "campaign__organization")
        .filter(confirm_token_digest=token_digest(token))
        .first()
    )
    if signature is None:
        raise LinkInvalid("unknown")
    if signature.is_confirmed:
        raise LinkInvalid("used")
    if signature.confirm_expires_at <= now:
        raise LinkInvalid("expired")
    if not signature.campaign.is_published:
        raise LinkInvalid("closed")
    return signature


def signature_confirm(*, token: str, now: datetime | None = None) -> Signature:
    """Count the signature: exactly once, however many times the link is posted.

    A conditional UPDATE (still unconfirmed, same token) decides which of several
    simultaneous confirmations wins; the counter moves in the same transaction.
    """
    now = now or timezone.now()
    with transaction.atomic():
        signature = signature_for_confirm_token(token, now=now)
        won = Signature.objects.filter(
            pk=signature.pk,
            confirm_token_digest=token_digest(token),
            confirmed_at__isnull=True,
        ).update(confirmed_at=now)
        if not won:
            raise LinkInvalid("used")
        Campaign.objects.filter(pk=signature.campaign_id).update(
            confirmed_count=F("confirmed_count") + 1
        )
    public_cache.invalidate_pages(signature.campaign_id)
    signature.confirmed_at = now
    return signature


def signature_for_withdraw_token(token: str) -> Signature:
    signature = (
        Signature.objects.select_related("campaign", "campaign__organization")
        .filter(withdraw_token_digest=token_digest(token))
        .first()
    )
    if signature is None:
        raise LinkInvalid("unknown")
    return signature


def signature_withdraw(*, token: str) -> Campaign:
    """Delete the signature (nothing of it is kept) and uncount it if it was counted.

    Withdraw links never expire: withdrawing consent must stay as easy as giving it.
    The row is locked first, so a simultaneous confirmation either happened before
    (and is uncounted here) or finds no row (and counts nothing).
    """
    with transaction.atomic():
        signature = (
            Signature.objects.select_for_update()
            .filter(withdraw_token_digest=token_digest(token))
            .first()
        )
        if signature is None:
            raise LinkInvalid("unknown")
        campaign_id = signature.campaign_id
        was_confirmed = signature.is_confirmed
        signature.delete()
        if was_confirmed:
            Campaign.objects.filter(pk=campaign_id).update(
                confirmed_count=F("confirmed_count") - 1
            )
    public_cache.invalidate_pages(campaign_id)
    return Campaign.objects.select_related("organization").get(pk=campaign_id)


# Turning a signature into a pledge -----------------------------------------------------


def conversion_token(signature: Signature) -> str:
    """A signed, expiring reference to a confirmed signature (nothing stored)."""
    return signing.dumps(signature.pk, salt=CONVERSION_SALT)


def signature_for_conversion(token: str, campaign: Campaign) -> Signature:
    try:
        pk = signing.loads(
            token, salt=CONVERSION_SALT, max_age=timedelta(days=conversion_days())
        )
    except signing.SignatureExpired:
        raise LinkInvalid("expired") from None
    except signing.BadSignature:
        raise LinkInvalid("unknown") from None
    signature = Signature.objects.filter(
        pk=pk, campaign=campaign, confirmed_at__isnull=False
    ).first()
    if signature is None:
        raise LinkInvalid("unknown")
    return signature


def signature_mark_converted(*, signature: Signature, pledge: Pledge) -> bool:
    """Record that `pledge` was made from `signature` (the first pledge only)."""
    if pledge.organization_id != signature.campaign.organization_id:
        raise ValueError("the pledge belongs to another organization")
    return bool(
        Signature.objects.filter(pk=signature.pk, converted_pledge__isnull=True).update(
            converted_pledge=pledge, converted_at=timezone.now()
        )
    )


# Housekeeping --------------------------------------------------------------------------


@dataclass(frozen=True)
class Drift:
    campaign_id: int
    stored: int
    actual: int


def reconcile_counters(*, campaign_ids: list[int] | None = None) -> list[Drift]:
    """Compare each stored counter with its confirmed rows; fix and log any drift.

    The campaign row is locked while counting: a confirmation updates its signature and
    then the campaign row in one transaction, so every committed confirmation is both
    in the COUNT and in the stored value, and an uncommitted one in neither.
    """
    ids = campaign_ids or list(Campaign.objects.values_list("pk", flat=True))
    drifts = []
    for pk in ids:
        with transaction.atomic():
            stored = (
                Campaign.objects.select_for_update()
                .filter(pk=pk)
                .values_list("confirmed_count", flat=True)
                .first()
            )
            if stored is None:
                continue
            actual = Signature.objects.filter(
                campaign_id=pk, confirmed_at__isnull=False
            ).count()
            if actual != stored:
                Campaign.objects.filter(pk=pk).update(confirmed_count=actual)
                logger.warning(
                    "campaign %s counter drift: stored %s, actual %s (fixed)",
                    pk,
                    stored,
                    actual,
                )
                drifts.append(Drift(campaign_id=pk, stored=stored, actual=actual))
    if drifts:
        public_cache.invalidate_all()
    return drifts


def purge_stale_pending(*, now: datetime | None = None) -> int:
    """Delete unconfirmed signatures whose link expired `CAMPAIGN_PENDING_RETENTION_DAYS` ago.

    They never counted and their owner never confirmed them: keeping the address would
    be keeping personal data without consent.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(days=pending_retention_days())
    deleted, _by_model = Signature.objects.filter(
        confirmed_at__isnull=True, confirm_expires_at__lt=cutoff
    ).delete()
    return deleted


def export_row(signature: Signature) -> dict[str, Any]:
    """One signature as the CSV export and the member's data export show it."""
    return {
        "campaign": signature.campaign.slug,
        "email": signature.normalized_email,
        "first_name": signature.first_name,
        "show_name": signature.show_name,
        "country": signature.country,
        "gender": signature.gender,
        "signed_at": signature.created_at.isoformat(),
        "confirmed_at": signature.confirmed_at.isoformat()
        if signature.confirmed_at
        else None,
        "converted_at": signature.converted_at.isoformat()
        if signature.converted_at
        else None,
    }


def signatures_delete_for_emails(emails: list[str]) -> int:
    """Delete every signature made with these (normalized) addresses, uncounting them.

    Used when a member erases their account: like a withdrawal, nothing is kept.
    """
    deleted = 0
    with transaction.atomic():
        signatures = list(
            Signature.objects.select_for_update().filter(normalized_email__in=emails)
        )
        for signature in signatures:
            if signature.is_confirmed:
                Campaign.objects.filter(pk=signature.campaign_id).update(
                    confirmed_count=F("confirmed_count") - 1
                )
            signature.delete()
            deleted += 1
    if deleted:
        public_cache.invalidate_all()
    return deleted
