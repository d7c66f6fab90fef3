"""Writes of the core loop that span models, send email or fire signals.

Business rules live here (and in model methods); views, commands and the API call these.
Refusals raise `django.core.exceptions.ValidationError` with a message meant for people.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from alongside.audit.services import audit_record
from alongside.lib.tokens import new_token
from alongside.notifications.email import queue_email
from alongside.notifications.models import Notification
from alongside.notifications.services import notification_send
from alongside.pledges import periods, signals
from alongside.pledges.models import (
    Action,
    CommitmentTemplate,
    ConfirmationRequest,
    Pledge,
    PledgeCommitment,
    RecipientOptOut,
    confirmer_digest,
    email_digest,
    is_own_address,
    normalize_email,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from django.dispatch import Signal
    from django.http import HttpRequest

    from alongside.accounts.models import User
    from alongside.organizations.models import Organization

MAX_COMMITMENTS = 5
_OPT_OUT_SALT = "alongside.pledges.opt-out"


def _send_after_commit(signal: Signal, sender: type, **kwargs: object) -> None:
    """Send a pledges signal once the transaction commits.

    Listeners (recognition) are a side concern: send_robust logs their failures
    (logger "django.dispatch") and never lets them break the ally's request.
    """
    transaction.on_commit(lambda: signal.send_robust(sender=sender, **kwargs))


# Catalogue ---------------------------------------------------------------------------


@transaction.atomic
def commitment_template_save(
    *,
    template: CommitmentTemplate,
    actor: User,
    request: HttpRequest | None = None,
) -> CommitmentTemplate:
    """Add or edit a catalogue entry (program admins), with an audit record."""
    adding = template.pk is None
    template.full_clean()
    template.save()
    audit_record(
        action="pledges.catalogue_added" if adding else "pledges.catalogue_edited",
        actor=actor,
        organization=template.organization,
        target=template,
        data={"title": template.title},
        request=request,
    )
    return template


@transaction.atomic
def commitment_template_set_active(
    *,
    template: CommitmentTemplate,
    active: bool,
    actor: User,
    request: HttpRequest | None = None,
) -> None:
    template.set_active(active)
    audit_record(
        action="pledges.catalogue_reactivated"
        if active
        else "pledges.catalogue_deactivated",
        actor=actor,
        organization=template.organization,
        target=template,
        data={"title": template.title},
        request=request,
    )


@transaction.atomic
def commitment_template_delete(
    *, template: CommitmentTemplate, actor: User, request: HttpRequest | None = None
) -> None:
    """Delete an entry no pledge ever used; a used entry can only be deactivated."""
    if template.is_used():
        raise ValidationError(
            _(
                "Pledges already use this commitment, so it can't be deleted. Deactivate it instead."
            )
        )
    audit_record(
        action="pledges.catalogue_deleted",
        actor=actor,
        organization=template.organization,
        target=template,
        data={"title": template.title},
        request=request,
    )
    template.delete()


# Pledges -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CommitmentInput:
    """One commitment of a new pledge: a catalogue entry or the ally's own title."""

    template: CommitmentTemplate | None
    title: str
    specifics: str


def pledge_create(
    *,
    organization: Organization,
    member: User,
    statement: str,
    commitments: list[CommitmentInput],
    cadence: str,
    visibility: str,
    target_date: date | None = None,
    submission_key: uuid.UUID | None = None,
) -> Pledge:
    """Create a pledge and its commitments in one transaction.

    With a `submission_key`, submitting the same form again returns the pledge the
    first submission created (double clicks, retries, concurrent duplicates).
    """
    if submission_key is not None:
        existing = Pledge.objects.filter(
            member=member, submission_key=submission_key
        ).first()
        if existing is not None:
            return existing
    try:
        with transaction.atomic():
            pledge = _pledge_create(
                organization=organization,
                member=member,
                statement=statement,
                commitments=commitments,
                cadence=cadence,
                visibility=visibility,
                target_date=target_date,
                submission_key=submission_key,
            )
    except IntegrityError:
        if submission_key is None:
            raise
        # A simultaneous submit of the same form won the race: return its pledge.
        return Pledge.objects.get(member=member, submission_key=submission_key)
    return pledge


def _pledge_create(
    *,
    organization: Organization,
    member: User,
    statement: str,
    commitments: list[CommitmentInput],
    cadence: str,
    visibility: str,
    target_date: date | None,
    submission_key: uuid.UUID | None,
) -> Pledge:
    if not 1 <= len(commitments) <= MAX_COMMITMENTS:
        raise ValidationError(_("A pledge has between one and five commitments."))
    titles = [c.template.title if c.template else c.title for c in commitments]
    if len({t.strip().casefold() for t in titles}) != len(titles):
        raise ValidationError(_("Each commitment can appear only once."))
    for c in commitments:
        if c.template is not None and (
            c.template.organization_id != organization.pk or not c.template.is_active
        ):
            raise ValidationError(_("Choose commitments from the current catalogue."))
    if target_date is not None and target_date < timezone.localdate():
        raise ValidationError(
            {"target_date": _("The target date can't be in the past.")}
        )
    pledge = Pledge(
        organization=organization,
        member=member,
        statement=statement.strip(),
        cadence=cadence,
        visibility=visibility,
        target_date=target_date,
        submission_key=submission_key,
    )
    pledge.full_clean(exclude=("submission_key",))
    pledge.save()
    for position, (c, title) in enumerate(zip(commitments, titles, strict=True)):
        commitment = PledgeCommitment(
            pledge=pledge,
            template=c.template,
            title=title.strip(),
            specifics=c.specifics.strip(),
            position=position,
        )
        commitment.full_clean(exclude=("pledge",))
        commitment.save()
    return pledge


def commitment_end(
    *, commitment: PledgeCommitment, outcome: str, reflection: str = ""
) -> PledgeCommitment:
    """End one commitment honestly; recognition hears of it after commit."""
    with transaction.atomic():
        commitment.end(outcome, reflection)
        _send_after_commit(
            signals.commitment_ended, PledgeCommitment, commitment=commitment
        )
    return commitment


def pledge_complete(*, pledge: Pledge, outcomes: dict[int, tuple[str, str]]) -> Pledge:
    """End every open commitment with its (outcome, reflection), then close the pledge.

    All or nothing: one refused ending leaves the pledge and its commitments unchanged.
    """
    ended: list[PledgeCommitment] = []
    with transaction.atomic():
        for commitment in pledge.open_commitments().select_for_update():
            if commitment.pk not in outcomes:
                raise ValidationError(
                    _("Say how each commitment went before completing the pledge.")
                )
            outcome, reflection = outcomes[commitment.pk]
            commitment.end(outcome, reflection)
            ended.append(commitment)
        pledge.complete()
        for commitment in ended:
            _send_after_commit(
                signals.commitment_ended, PledgeCommitment, commitment=commitment
            )
    return pledge


# Actions -----------------------------------------------------------------------------


def action_log(
    *,
    commitment: PledgeCommitment,
    member: User,
    occurred_on: date,
    description: str,
    visibility: str,
    submission_key: uuid.UUID | None = None,
) -> Action:
    """Log what the ally did toward an open commitment of his active pledge."""
    if submission_key is not None:
        existing = Action.objects.filter(
            member=member, submission_key=submission_key
        ).first()
        if existing is not None:
            return existing
    pledge = commitment.pledge
    if pledge.member_id != member.pk:
        raise ValidationError(_("You can log actions only on your own pledge."))
    if not pledge.is_active:
        raise ValidationError(
            _("This pledge is not active: resume it to log actions.")
            if pledge.is_paused
            else _("This pledge is completed: actions can no longer be logged.")
        )
    if not commitment.is_open:
        raise ValidationError(
            {"commitment": _("This commitment has ended: choose an open one.")}
        )
    if occurred_on > timezone.localdate():
        raise ValidationError({"occurred_on": _("The date can't be in the future.")})
    if occurred_on < pledge.started_on:
        raise ValidationError(
            {
                "occurred_on": _(
                    "The date can't be before the pledge started (%(date)s)."
                )
                % {"date": pledge.started_on.isoformat()}
            }
        )
    action = Action(
        organization=pledge.organization,
        member=member,
        commitment=commitment,
        occurred_on=occurred_on,
        description=description.strip(),
        visibility=visibility,
        submission_key=submission_key,
    )
    action.full_clean(exclude=("submission_key",))
    try:
        with transaction.atomic():
            action.save()
            _send_after_commit(signals.action_logged, Action, action=action)
    except IntegrityError:
        if submission_key is None:
            raise
        return Action.objects.get(member=member, submission_key=submission_key)
    return action


# Confirmation requests ---------------------------------------------------------------


class ConfirmationRefused(ValidationError):
    """A request the rules don't allow; `too_many` marks the caps (HTTP 429)."""

    def __init__(self, message: str, *, too_many: bool = False) -> None:
        super().__init__(message)
        self.too_many = too_many


def own_address_refusal() -> str:
    return _(
        "Ask someone else: you can't confirm your own action, and this address "
        "reaches an inbox of your own account. A confirmation has to come from "
        "another person: the one it helped, or someone who saw it."
    )


def opt_out_link(email: str) -> str:
    """A permanent link that lets the owner of `email` refuse all future requests.

    The link carries a signed digest of the address, never the address itself.
    """
    signed = signing.Signer(salt=_OPT_OUT_SALT).sign(email_digest(email))
    return settings.SITE_URL + reverse("pledges:opt_out", kwargs={"signed": signed})


def confirm_link(token: str) -> str:
    return settings.SITE_URL + reverse("pledges:confirm", kwargs={"token": token})


def confirmation_request_create(
    *,
    action: Action,
    requester: User,
    recipient_email: str,
    recipient_name: str = "",
) -> ConfirmationRequest:
    """Ask one person to confirm one action, by email, under the caps.

    Refusals (own address, opt-out, caps) raise ConfirmationRefused and create nothing.
    """
    email = normalize_email(recipient_email)
    with transaction.atomic():
        # Serialize one requester's requests so that simultaneous ones can't slip
        # past the caps together.
        get_user_model().objects.select_for_update().filter(pk=requester.pk).first()
        action = Action.objects.select_related(
            "organization", "commitment", "member"
        ).get(pk=action.pk)
        if action.member_id != requester.pk:
            raise ConfirmationRefused(
                _("You can ask for confirmation of your own actions only.")
            )
        if not action.can_request_confirmation():
            raise ConfirmationRefused(
                _("You have already asked someone to confirm this action.")
            )
        # Case, plus tags and (where the provider ignores them) dots make no
        # difference: alongside.lib.emailaddr.mailbox_key.
        if is_own_address(requester, email):
            raise ConfirmationRefused(own_address_refusal())
        if RecipientOptOut.covers(email):
            raise ConfirmationRefused(
                _("This person can't receive confirmation requests.")
            )
        now = timezone.now()
        # One inbox, however its address is spelled (plus tags, dots).
        pending_to_recipient = (
            ConfirmationRequest.objects.unanswered_and_valid(now)
            .filter(requester=requester, recipient_digest=confirmer_digest(email))
            .count()
        )
        if pending_to_recipient >= settings.CONFIRMATION_MAX_PENDING_PER_RECIPIENT:
            raise ConfirmationRefused(
                _(
                    "You already have %(count)d requests waiting with this person. "
                    "Wait for an answer or for them to expire before asking again."
                )
                % {"count": pending_to_recipient},
                too_many=True,
            )
        sent_today = ConfirmationRequest.objects.filter(
            requester=requester, created_at__gt=now - timedelta(days=1)
        ).count()
        if sent_today >= settings.CONFIRMATION_MAX_PER_DAY:
            raise ConfirmationRefused(
                _(
                    "You have sent %(count)d requests in the last 24 hours, the most "
                    "allowed. Try again tomorrow."
                )
                % {"count": sent_today},
                too_many=True,
            )
        token, digest = new_token()
        request = ConfirmationRequest(
            action=action,
            requester=requester,
            recipient_email=email,
            recipient_name=recipient_name.strip(),
            token_digest=digest,
            created_at=now,
            expires_at=ConfirmationRequest.link_expiry(),
        )
        request.full_clean(exclude=("action", "requester"))
        request.save()
        # For abuse investigations: who asked, when, for which action; never the
        # address (who an action was meant to help stays between the two of them).
        audit_record(
            action="pledges.confirmation_requested",
            actor=requester,
            organization=action.organization,
            target=request,
        )
        _queue_request_email(request, token, template="confirmation_request")
    return request


def _queue_request_email(
    request: ConfirmationRequest, token: str, *, template: str
) -> None:
    action = request.action
    optout = opt_out_link(request.recipient_email)
    queue_email(
        to=request.recipient_email,
        template=f"pledges/email/{template}",
        context={
            "recipient_name": request.recipient_name,
            "ally_name": action.member.name,
            "organization_name": action.organization.name,
            "commitment_title": action.commitment.title,
            "occurred_on": action.occurred_on,
            "description": action.description,
            "confirm_url": confirm_link(token),
            "opt_out_url": optout,
            "expires_at": request.expires_at,
        },
        headers={"List-Unsubscribe": f"<{optout}>"},
    )


class LinkInvalid(Exception):
    """A confirmation link that can't be used; `reason` is unknown, expired or used."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def confirmation_request_for_token(token: str) -> ConfirmationRequest:
    """The request a link opens, if it can still be answered; raises LinkInvalid."""
    request = (
        ConfirmationRequest.objects.for_token(token)
        .select_related("action__commitment", "action__member", "action__organization")
        .first()
    )
    if request is None:
        raise LinkInvalid("unknown")
    if request.status != ConfirmationRequest.Status.PENDING:
        raise LinkInvalid("used")
    if request.is_expired:
        raise LinkInvalid("expired")
    return request


CONFIRM = "confirm"
DECLINE = "decline"


def confirmation_respond(
    *,
    token: str,
    decision: str,
    note: str = "",
    responder: User | AnonymousUser | None = None,
) -> ConfirmationRequest:
    """Record the recipient's answer: exactly once, however many times it is sent.

    A conditional UPDATE (status still pending) decides which of several simultaneous
    answers wins; the others get LinkInvalid("used"). A decline changes nothing the
    ally can see, and nobody is told about it.

    A confirmation is refused (ConfirmationRefused, nothing changes) when the address
    the request went to has since turned out to reach one of the ally's inboxes, or
    when `responder`, whoever is signed in on the page, is the ally himself.
    """
    if decision not in {CONFIRM, DECLINE}:
        raise ValueError(f"unknown decision {decision!r}")
    note = note.strip() if decision == CONFIRM else ""
    if len(note) > 1000:
        raise ValidationError({"note": _("Keep the note under 1,000 characters.")})
    with transaction.atomic():
        request = confirmation_request_for_token(token)
        if decision == CONFIRM:
            _refuse_self_confirmation(request, responder)
        now = timezone.now()
        won = ConfirmationRequest.objects.filter(
            pk=request.pk,
            status=ConfirmationRequest.Status.PENDING,
            expires_at__gt=now,
        ).update(
            status=ConfirmationRequest.Status.CONFIRMED
            if decision == CONFIRM
            else ConfirmationRequest.Status.DECLINED,
            responded_at=now,
        )
        if not won:
            raise LinkInvalid("used")
        request.refresh_from_db()
        if decision == CONFIRM:
            _action_confirm(request, note=note, now=now)
    return request


def _refuse_self_confirmation(
    request: ConfirmationRequest, responder: User | AnonymousUser | None
) -> None:
    ally = request.action.member
    if responder is not None and responder.is_authenticated and responder.pk == ally.pk:
        raise ConfirmationRefused(
            _(
                "You are signed in as the person who asked: you can't confirm your "
                "own action. A confirmation has to come from someone else."
            )
        )
    if is_own_address(ally, request.recipient_email):
        raise ConfirmationRefused(
            _(
                "This confirmation can't be counted: the address this request was "
                "sent to belongs to the account of the person who asked. A "
                "confirmation has to come from someone else."
            )
        )


def _action_confirm(request: ConfirmationRequest, *, note: str, now: datetime) -> None:
    action = request.action
    Action.objects.filter(pk=action.pk, confirmed_at__isnull=True).update(
        confirmed_at=now, confirmation_note=note
    )
    action.refresh_from_db()
    who = request.recipient_name or _("The person you asked")
    notification_send(
        user=action.member,
        organization=action.organization,
        kind=Notification.Kind.CONFIRMATION,
        message=_("%(who)s confirmed your action of %(date)s.")
        % {"who": who, "date": action.occurred_on.isoformat()},
        url=action.get_absolute_url(),
        email_template="pledges/email/action_confirmed",
        email_context={
            "who": who,
            "action": action,
            "commitment_title": action.commitment.title,
            "note": note,
            "action_url": settings.SITE_URL + action.get_absolute_url(),
        },
    )
    _send_after_commit(signals.action_confirmed, Action, action=action)


def opt_out_digest(signed: str) -> str:
    """The email digest an opt-out link carries; raises BadSignature when forged."""
    return signing.Signer(salt=_OPT_OUT_SALT).unsign(signed)


def recipient_opt_out(*, signed: str) -> None:
    """Honor a recipient's opt-out forever: store the digest of the address only."""
    digest = opt_out_digest(signed)
    RecipientOptOut.objects.get_or_create(email_digest=digest)


def confirmation_send_reminders(*, now: datetime | None = None) -> int:
    """Remind each unanswered request once, after CONFIRMATION_REMINDER_DAYS.

    Never after an answer (a decline included), after expiry, or after an opt-out.
    Each reminder carries a fresh link, as only digests of links are stored.
    """
    now = now or timezone.now()
    due = ConfirmationRequest.objects.filter(
        status=ConfirmationRequest.Status.PENDING,
        reminded_at__isnull=True,
        expires_at__gt=now,
        created_at__lte=now - timedelta(days=settings.CONFIRMATION_REMINDER_DAYS),
    ).values_list("pk", flat=True)
    sent = 0
    for pk in list(due):
        with transaction.atomic():
            request = (
                ConfirmationRequest.objects.select_for_update()
                .filter(
                    pk=pk,
                    status=ConfirmationRequest.Status.PENDING,
                    reminded_at__isnull=True,
                )
                .first()
            )
            if request is None or RecipientOptOut.covers(request.recipient_email):
                continue
            request = ConfirmationRequest.objects.select_related(
                "action__commitment", "action__member", "action__organization"
            ).get(pk=pk)
            token, digest = new_token()
            request.reminder_token_digest = digest
            request.reminded_at = now
            request.save(update_fields=("reminder_token_digest", "reminded_at"))
            _queue_request_email(request, token, template="confirmation_reminder")
            sent += 1
    return sent


# Check-in reminders ------------------------------------------------------------------


def pledge_send_checkin_reminders(*, today: date | None = None) -> int:
    """Nudge allies whose active pledge has no action yet in the current period.

    At most one reminder per pledge and cadence period (Pledge.checkin_reminded_for).
    """
    today = today or timezone.localdate()
    sent = 0
    pledges = Pledge.objects.active().filter(
        started_on__lte=today, member__is_active=True
    )
    for pledge in pledges.select_related("member", "organization").iterator():
        start = periods.period_start(pledge.cadence, today)
        if pledge.checkin_reminded_for == start:
            continue
        if pledge.has_action_in_current_period(today):
            continue
        with transaction.atomic():
            updated = (
                Pledge.objects.filter(pk=pledge.pk)
                .exclude(checkin_reminded_for=start)
                .update(checkin_reminded_for=start)
            )
            if not updated:
                continue
            notification_send(
                user=pledge.member,
                organization=pledge.organization,
                kind=Notification.Kind.REMINDER,
                message=_(
                    "Time to check in: nothing logged yet this %(period)s for your pledge."
                )
                % {"period": period_noun(pledge.cadence)},
                url=pledge.get_absolute_url(),
                email_template="pledges/email/checkin_reminder",
                email_context={
                    "pledge": pledge,
                    "period": period_noun(pledge.cadence),
                    "period_ends": periods.period_end(pledge.cadence, today),
                    "pledge_url": settings.SITE_URL + pledge.get_absolute_url(),
                },
            )
        sent += 1
    return sent


def period_noun(cadence: str) -> str:
    return {
        "weekly": _("week"),
        "monthly": _("month"),
        "quarterly": _("quarter"),
    }[cadence]
