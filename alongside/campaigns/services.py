"""Writes of the campaigns app: campaigns' lifecycle, signing, confirming, withdrawing.

The stored counter `Campaign.confirmed_count` changes only here, with F() in the same
transaction as the signature row it counts, so it is exact under concurrency;
`reconcile_counters` checks it against the rows and fixes (and logs) any drift.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from alongside.audit.services import audit_record
from alongside.campaigns.emails import normalize_email
from alongside.campaigns.models import Campaign, Gender, Signature
from alongside.lib.tokens import new_token, token_digest
from alongside.notifications.tasks import send_email

if TYPE_CHECKING:
    from alongside.accounts.models import User
    from alongside.pledges.models import Pledge

logger = logging.getLogger(__name__)

CONVERSION_SALT = "alongside.campaigns.conversion"


def confirm_days() -> int:
    return int(getattr(settings, "CAMPAIGN_CONFIRM_DAYS", 7))


def resend_minutes() -> int:
    return int(getattr(settings, "CAMPAIGN_RESEND_MINUTES", 10))


def pending_retention_days() -> int:
    return int(getattr(settings, "CAMPAIGN_PENDING_RETENTION_DAYS", 30))


def conversion_days() -> int:
    return int(getattr(settings, "CAMPAIGN_CONVERSION_DAYS", 60))


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


def _link(name: str, campaign: Campaign, token: str) -> str:
    path = reverse(name, kwargs={"campaign": campaign.slug, "token": token})
    return f"{settings.SITE_URL}{path}"


def _queue_email(*, to: str, template: str, context: dict[str, Any]) -> None:
    """Render the email now and enqueue it in the caller's transaction.

    `notifications.email.queue_email` enqueues after commit, in a transaction of its
    own: a second commit per signature, and a signature whose email is lost if the
    database drops between the two. The database task backend writes to the same
    database, so enqueuing here commits the signature and its email together (or
    neither). Must be called inside `transaction.atomic()`.
    """
    context = {
        **context,
        "SITE_NAME": settings.SITE_NAME,
        "SITE_URL": settings.SITE_URL,
    }
    subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
    body = render_to_string(f"{template}_body.txt", context)
    send_email.enqueue(to=[to], subject=subject, body=body, html=None, headers={})


def _queue_confirm_email(
    signature: Signature, campaign: Campaign, *, confirm: str, withdraw: str
) -> None:
    _queue_email(
        to=signature.normalized_email,
        template="campaigns/email/signature_confirm",
        context={
            "campaign": campaign,
            "organization_name": campaign.organization.name,
            "confirm_url": _link("campaigns:confirm", campaign, confirm),
            "withdraw_url": _link("campaigns:withdraw", campaign, withdraw),
            "expires_at": signature.confirm_expires_at,
        },
    )


def _queue_already_signed_email(
    signature: Signature, campaign: Campaign, *, withdraw: str
) -> None:
    _queue_email(
        to=signature.normalized_email,
        template="campaigns/email/signature_again",
        context={
            "campaign": campaign,
            "organization_name": campaign.organization.name,
            "withdraw_url": _link("campaigns:withdraw", campaign, withdraw),
        },
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
) -> SignResult:
    """Sign `campaign` as `email`; idempotent per normalized address.

    The first submit inserts the row and queues the double opt-in email. Any later or
    simultaneous one hits the unique constraint, which we treat as "already signed":
    it may re-send the email (at most once per `CAMPAIGN_RESEND_MINUTES`) and returns
    the existing signature. A repeat keeps the first submission's details.
    """
    now = now or timezone.now()
    normalized = normalize_email(email)
    state = campaign.signing_state(now)
    if state != "open":
        raise CampaignNotOpen(state)
    if gender and gender not in Gender.values:
        raise ValidationError({"gender": _("Choose one of the options, or none.")})
    confirm, confirm_digest = new_token()
    withdraw, withdraw_digest = new_token()
    try:
        with transaction.atomic():
            signature = Signature.objects.create(
                campaign=campaign,
                normalized_email=normalized,
                first_name=first_name.strip()[:60] if campaign.ask_name else "",
                show_name=bool(show_name and campaign.ask_name and first_name.strip()),
                country=country if campaign.ask_country else "",
                gender=gender if campaign.ask_gender else "",
                created_at=now,
                confirm_token_digest=confirm_digest,
                confirm_expires_at=now + timedelta(days=confirm_days()),
                withdraw_token_digest=withdraw_digest,
                email_sent_at=now,
            )
            _queue_confirm_email(
                signature, campaign, confirm=confirm, withdraw=withdraw
            )
    except IntegrityError:
        pass  # already signed (or signing at this very moment): see below
    else:
        return SignResult(signature=signature, created=True, email_sent=True)
    existing = Signature.objects.filter(
        campaign=campaign, normalized_email=normalized
    ).first()
    if existing is None:  # withdrawn in between: nothing to do, same answer
        return SignResult(signature=None, created=False, email_sent=False)
    return SignResult(
        signature=existing,
        created=False,
        email_sent=_resend(existing, campaign, now=now),
    )


def _resend(signature: Signature, campaign: Campaign, *, now: datetime) -> bool:
    """Re-send the email of a repeated signature, at most once per window.

    Only digests are stored, so a re-send carries fresh tokens (the older links stop
    working). A conditional UPDATE claims the re-send: of many simultaneous repeats,
    at most one sends.
    """
    cutoff = now - timedelta(minutes=resend_minutes())
    if signature.email_sent_at > cutoff:
        return False  # sent recently (a double click): no write at all
    withdraw, withdraw_digest = new_token()
    with transaction.atomic():
        if signature.is_confirmed:
            claimed = Signature.objects.filter(
                pk=signature.pk, email_sent_at__lte=cutoff
            ).update(email_sent_at=now, withdraw_token_digest=withdraw_digest)
            if claimed:
                _queue_already_signed_email(signature, campaign, withdraw=withdraw)
            return bool(claimed)
        confirm, confirm_digest = new_token()
        expires = now + timedelta(days=confirm_days())
        claimed = Signature.objects.filter(
            pk=signature.pk, email_sent_at__lte=cutoff, confirmed_at__isnull=True
        ).update(
            email_sent_at=now,
            confirm_token_digest=confirm_digest,
            confirm_expires_at=expires,
            withdraw_token_digest=withdraw_digest,
        )
        if claimed:
            signature.confirm_expires_at = expires
            _queue_confirm_email(
                signature, campaign, confirm=confirm, withdraw=withdraw
            )
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
    return deleted
