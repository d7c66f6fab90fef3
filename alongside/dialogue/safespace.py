"""Safe spaces: each member posts under a stable pseudonym of his own in each safe space.

Nothing in the database links a pseudonym to its member in the clear:

- `Pseudonym.owner_digest` = HMAC-SHA256(digest key, "space:member"). It answers "which
  pseudonym is mine here?" for the member himself, and cannot be reversed without the
  key: guessing a member means computing a keyed hash per member and space.
- `Pseudonym.owner_sealed` = AES-256-GCM(sealing key, member id), bound to the
  pseudonym's id and space as associated data, with a random nonce. AES-GCM rather than
  Fernet: a Fernet token carries its creation time in clear, which would date the
  pseudonym. It is opened (`owner_of`) only to notify the member, and by the two-admin
  reveal (views/reveal.py), which audits each opening as a key use.

Both keys derive from `settings.PSEUDONYM_KEY` (kept outside the database, and separate
from SECRET_KEY) through HKDF with a label per use. Pseudonym ids are random UUIDv4 and
no creation time is stored. Handles are friendly random names ("Steady Heron 27"),
unique in their space, drawn with `secrets`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from alongside.audit.services import audit_record
from alongside.dialogue.models import Pseudonym, RevealRequest, Space

if TYPE_CHECKING:
    from alongside.accounts.models import User

# Posting, reacting and following in a safe space need a sign-in (or a password
# confirmation) this recent: a stolen session alone cannot act as the pseudonym.
REAUTHENTICATION_SECONDS = 10 * 60

ADJECTIVES = (
    "Amber", "Bold", "Brave", "Bright", "Calm", "Candid", "Careful", "Cheerful",
    "Clear", "Curious", "Daring", "Earnest", "Easy", "Even", "Fair", "Faithful",
    "Frank", "Gentle", "Genuine", "Glad", "Golden", "Good", "Grateful", "Green",
    "Hardy", "Honest", "Hopeful", "Humble", "Kind", "Level", "Lively", "Loyal",
    "Mellow", "Mindful", "Modest", "Noble", "Open", "Patient", "Peaceful", "Plain",
    "Quiet", "Ready", "Sincere", "Sound", "Spirited", "Steady", "Still", "Sturdy",
    "Sunny", "Thoughtful", "True", "Trusty", "Upright", "Warm", "Willing", "Wise",
)  # fmt: skip
NOUNS = (
    "Alder", "Badger", "Beech", "Birch", "Bittern", "Brook", "Cedar", "Comet",
    "Crane", "Curlew", "Dipper", "Dove", "Falcon", "Fern", "Finch", "Fox",
    "Harbor", "Hare", "Hazel", "Heron", "Hill", "Kestrel", "Lantern", "Lark",
    "Linnet", "Maple", "Marten", "Meadow", "Otter", "Owl", "Pebble", "Pine",
    "Plover", "Quail", "Raven", "Ridge", "River", "Robin", "Rowan", "Sparrow",
    "Spruce", "Starling", "Stone", "Swallow", "Swift", "Teal", "Thrush", "Tide",
    "Valley", "Willow", "Wren",
)  # fmt: skip


class PseudonymKeyError(Exception):
    """A sealed link could not be opened: the key changed or the value is damaged."""


# Keys --------------------------------------------------------------------------------


@cache
def _keys(master: str) -> tuple[bytes, bytes]:
    """The digest key and the sealing key that `master` (a PSEUDONYM_KEY) derives."""

    def derive(label: bytes) -> bytes:
        return HKDF(
            algorithm=hashes.SHA256(),
            length=32,
            salt=b"alongside.dialogue.safespace",
            info=label,
        ).derive(master.encode())

    return derive(b"owner-digest"), derive(b"owner-seal")


@cache
def _window_key(master: str) -> bytes:
    """The key of a pseudonym's rate-limit window in the cache (see
    `window_cache_key`), derived from `master` (a PSEUDONYM_KEY)."""
    return HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=b"alongside.dialogue.safespace",
        info=b"rate-window",
    ).derive(master.encode())


def window_cache_key(pseudonym_id: uuid.UUID) -> str:
    """The cache key of a pseudonym's last minutes of posting (trust.py): a keyed
    hash, so a cache entry does not name its pseudonym without PSEUDONYM_KEY."""
    digest = hmac.new(
        _window_key(settings.PSEUDONYM_KEY), str(pseudonym_id).encode(), hashlib.sha256
    ).hexdigest()
    return f"dialogue:window:{digest}"


def seal_window(pseudonym_id: uuid.UUID, plain: bytes) -> str:
    """Encrypt a pseudonym's rate-limit window for the cache (its exact times and
    threads are readable only with PSEUDONYM_KEY)."""
    nonce = secrets.token_bytes(12)
    sealed = AESGCM(_window_key(settings.PSEUDONYM_KEY)).encrypt(
        nonce, plain, str(pseudonym_id).encode()
    )
    return base64.urlsafe_b64encode(nonce + sealed).decode()


def open_window(pseudonym_id: uuid.UUID, value: str) -> bytes | None:
    """A window sealed by `seal_window`, or None (damaged, or sealed under a former
    key: a rotation forgets at most a few minutes of limits)."""
    try:
        raw = base64.urlsafe_b64decode(value.encode())
        return AESGCM(_window_key(settings.PSEUDONYM_KEY)).decrypt(
            raw[:12], raw[12:], str(pseudonym_id).encode()
        )
    except (InvalidTag, ValueError):
        return None


def _current() -> tuple[bytes, bytes]:
    return _keys(settings.PSEUDONYM_KEY)


def _all_keys() -> list[tuple[bytes, bytes]]:
    """The current keys first, then those of PSEUDONYM_KEY_FALLBACKS (a rotation in
    progress: read with them, never write)."""
    return [_current()] + [
        _keys(old)
        for old in settings.PSEUDONYM_KEY_FALLBACKS
        if old != settings.PSEUDONYM_KEY
    ]


def _digest(key: bytes, space_id: int, user_id: int) -> str:
    return hmac.new(key, f"{space_id}:{user_id}".encode(), hashlib.sha256).hexdigest()


def owner_digest(space_id: int, user_id: int) -> str:
    """The keyed hash that finds a member's pseudonym in a space (64 hex digits)."""
    return _digest(_current()[0], space_id, user_id)


def owner_digests(space_id: int, user_id: int) -> list[str]:
    """That hash under the current key and under each former one still configured."""
    return [_digest(keys[0], space_id, user_id) for keys in _all_keys()]


def _associated(pseudonym_id: uuid.UUID, space_id: int) -> bytes:
    return f"{pseudonym_id}:{space_id}".encode()


def seal(user_id: int, *, pseudonym_id: uuid.UUID, space_id: int) -> str:
    """The member's id, encrypted for this one pseudonym (copied to another row, it
    does not open)."""
    nonce = secrets.token_bytes(12)
    sealed = AESGCM(_current()[1]).encrypt(
        nonce, str(user_id).encode(), _associated(pseudonym_id, space_id)
    )
    return base64.urlsafe_b64encode(nonce + sealed).decode()


def unseal(value: str, *, pseudonym_id: uuid.UUID, space_id: int) -> int:
    """The member id sealed in `value`, opened with the current key or a former one."""
    try:
        raw = base64.urlsafe_b64decode(value.encode())
    except ValueError as e:
        raise PseudonymKeyError from e
    for _digest_key, seal_key in _all_keys():
        try:
            plain = AESGCM(seal_key).decrypt(
                raw[:12], raw[12:], _associated(pseudonym_id, space_id)
            )
            return int(plain.decode())
        except (InvalidTag, ValueError):
            continue
    raise PseudonymKeyError


# Pseudonyms --------------------------------------------------------------------------


def random_handle() -> str:
    """ "Steady Heron 27": an adjective, a creature or place of nature, a number."""
    return (
        f"{secrets.choice(ADJECTIVES)} {secrets.choice(NOUNS)} "
        f"{10 + secrets.randbelow(90)}"
    )


def pseudonym_for(space: Space, user: User, create: bool = True) -> Pseudonym | None:
    """The member's pseudonym in safe space `space`; made on first use when `create`.

    Concurrent first uses settle on one row: the unique (space, owner_digest)
    constraint refuses the second insert, which then reads the first one's row."""
    if not space.is_safe:
        raise ValueError("Only a safe space has pseudonyms.")
    digests = owner_digests(space.pk, user.pk)
    digest = digests[0]
    found = Pseudonym.objects.filter(space=space, owner_digest__in=digests).first()
    if found is not None or not create:
        return found
    for _attempt in range(20):
        pseudonym_id = uuid.uuid4()
        try:
            with transaction.atomic():
                return Pseudonym.objects.create(
                    id=pseudonym_id,
                    space=space,
                    handle=random_handle(),
                    owner_digest=digest,
                    owner_sealed=seal(
                        user.pk, pseudonym_id=pseudonym_id, space_id=space.pk
                    ),
                )
        except IntegrityError:
            # Either another request made his pseudonym just now, or the handle is
            # taken in this space: read his, or draw another name.
            found = Pseudonym.objects.filter(
                space=space, owner_digest__in=digests
            ).first()
            if found is not None:
                return found
    raise RuntimeError("No free pseudonym handle after 20 draws.")  # pragma: no cover


def owner_id_of(pseudonym: Pseudonym) -> int | None:
    """The id of the member behind `pseudonym`, or None once he erased his account."""
    if not pseudonym.owner_sealed:
        return None
    return unseal(
        pseudonym.owner_sealed, pseudonym_id=pseudonym.pk, space_id=pseudonym.space_id
    )


def owner_of(pseudonym: Pseudonym) -> User | None:
    """The member behind `pseudonym`: only to notify him (and for the approved reveal,
    which audits each use). Never shown, never logged."""
    from alongside.accounts.models import User

    try:
        user_id = owner_id_of(pseudonym)
    except PseudonymKeyError:
        return None
    if user_id is None:
        return None
    return User.objects.filter(pk=user_id).first()


def is_owner(pseudonym: Pseudonym, user: User | None) -> bool:
    """Whether `user` is the member behind `pseudonym` (by the digest: no unsealing)."""
    if user is None or user.pk is None or not pseudonym.owner_digest:
        return False
    stored = pseudonym.owner_digest
    return any(
        hmac.compare_digest(stored, digest)
        for digest in owner_digests(pseudonym.space_id, user.pk)
    )


def pseudonyms_of(
    user: User, *, current_organizations: bool = False
) -> list[Pseudonym]:
    """Every pseudonym of the member, in every safe space (for his export and erasure),
    or only in the safe spaces of organizations he belongs to now (for his notices,
    read on every page: a cost that grows with his organizations, not the instance's).

    One digest per safe space: the digest cannot be searched any other way."""
    from alongside.organizations.models import Membership

    spaces = Space.objects.filter(is_safe=True)
    if current_organizations:
        spaces = spaces.filter(
            organization_id__in=Membership.objects.of_user(user).values(
                "organization_id"
            )
        )
    pairs = list(spaces.values_list("pk", flat=True))
    if not pairs:
        return []
    digests = Q()
    for space_id in pairs:
        digests |= Q(
            space_id=space_id, owner_digest__in=owner_digests(space_id, user.pk)
        )
    return list(Pseudonym.objects.filter(digests).select_related("space__organization"))


def forget_owner(user: User) -> int:
    """Erasure: cut the link of each of the member's pseudonyms. The pseudonyms and
    their posts stay in their conversations; nothing can lead back to him."""
    from alongside.dialogue.models import Subscription

    ids = [p.pk for p in pseudonyms_of(user)]
    Subscription.objects.filter(pseudonym_id__in=ids).delete()
    return Pseudonym.objects.filter(pk__in=ids).update(
        owner_digest=None, owner_sealed=""
    )


# Key rotation ------------------------------------------------------------------------


@dataclass(frozen=True)
class RekeyResult:
    rekeyed: int
    current: int
    # Sealed under no configured key: left as they are (see docs/deploy.md).
    unopenable: int
    # The member has another pseudonym in the same space under the current key (made
    # while the former key was not configured): left under the former key.
    conflicts: int


def rekey_pseudonyms(batch: int = 500) -> RekeyResult:
    """Move every linked pseudonym to the current PSEUDONYM_KEY: its digest and sealed
    id are computed again under it, from the id the current or a former key opens.

    Safe to interrupt and to run again; rows already under the current key are left
    alone. Audited with the counts only."""
    rekeyed = current = unopenable = conflicts = 0
    last: uuid.UUID | None = None
    while True:
        rows = Pseudonym.objects.exclude(owner_sealed="").order_by("pk")
        if last is not None:
            rows = rows.filter(pk__gt=last)
        page = list(rows[:batch])
        if not page:
            break
        last = page[-1].pk
        for pseudonym in page:
            try:
                user_id = unseal(
                    pseudonym.owner_sealed,
                    pseudonym_id=pseudonym.pk,
                    space_id=pseudonym.space_id,
                )
            except PseudonymKeyError:
                unopenable += 1
                continue
            digest = owner_digest(pseudonym.space_id, user_id)
            if pseudonym.owner_digest == digest and _opens_with_current(pseudonym):
                current += 1
                continue
            pseudonym.owner_digest = digest
            pseudonym.owner_sealed = seal(
                user_id, pseudonym_id=pseudonym.pk, space_id=pseudonym.space_id
            )
            try:
                with transaction.atomic():
                    pseudonym.save(update_fields=("owner_digest", "owner_sealed"))
            except IntegrityError:
                conflicts += 1
                continue
            rekeyed += 1
    result = RekeyResult(rekeyed, current, unopenable, conflicts)
    if rekeyed or unopenable or conflicts:
        audit_record(
            action="dialogue.pseudonyms_rekeyed",
            data={
                "rekeyed": rekeyed,
                "unopenable": unopenable,
                "conflicts": conflicts,
            },
        )
    return result


def _opens_with_current(pseudonym: Pseudonym) -> bool:
    raw = base64.urlsafe_b64decode(pseudonym.owner_sealed.encode())
    try:
        AESGCM(_current()[1]).decrypt(
            raw[:12], raw[12:], _associated(pseudonym.pk, pseudonym.space_id)
        )
    except InvalidTag:
        return False
    return True


# Coarse time and recent sign-in ------------------------------------------------------


def day_start(moment: datetime | None = None) -> datetime:
    """The start (00:00, the site's time zone) of `moment`'s day (today by default): what a record
    about safe-space content stores instead of an exact time, where an exact time
    could be matched against another record (a guidelines acceptance seconds before
    a pseudonym's first post, a follow or a reaction against a session)."""
    moment = moment or timezone.now()
    return timezone.localtime(moment).replace(hour=0, minute=0, second=0, microsecond=0)


def coarse_iso(moment: datetime | None) -> str | None:
    """A time about safe-space content as an export or audit row writes it: its date
    (ISO 8601, local to the site), never finer."""
    if moment is None:
        return None
    return timezone.localtime(moment).date().isoformat()


def coarse_date(moment: datetime) -> str:
    """How a safe space shows a time: the date only."""
    return date_format(timezone.localtime(moment), "j F Y")


def recently_authenticated(request: HttpRequest) -> bool:
    """Whether the member signed in or confirmed his password (or a second factor) in
    the last ten minutes, by allauth's record of this session's authentications."""
    from allauth.account.authentication import get_authentication_records

    records = get_authentication_records(request, request.user)
    times = [float(r.get("at", 0)) for r in records if isinstance(r, dict)]
    if not times:
        return False
    return bool(timezone.now().timestamp() - max(times) < REAUTHENTICATION_SECONDS)


def require_recent_authentication(request: HttpRequest) -> None:
    """Raise allauth's ReauthenticationRequired: its middleware keeps the POST, asks
    for the password and then replays the request."""
    from allauth.core.exceptions import ReauthenticationRequired

    if not recently_authenticated(request):
        raise ReauthenticationRequired


# Break-glass reveal ------------------------------------------------------------------

REVEAL_WINDOW = timedelta(hours=72)


class RevealRefused(Exception):
    """The reveal step is not allowed as asked; `message` says why (shown to the admin)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _require_program_admin(organization_id: int, user: User) -> None:
    from alongside.organizations.models import Membership

    membership = Membership.objects.of(user, organization_id).first()
    if membership is None or not membership.is_program_admin:
        raise PermissionDenied


def _reveal_audit(action: str, actor: User, reveal: RevealRequest, **data: str) -> None:
    pseudonym = reveal.pseudonym
    audit_record(
        action=action,
        actor=actor,
        organization=pseudonym.space.organization,
        target=reveal,
        # The pseudonym and the space, never the member behind them: the audit log is
        # read by every program admin, and only the two who decided may learn who it is.
        data={"space": pseudonym.space.name, "pseudonym": pseudonym.handle, **data},
    )


def reveal_is_expired(reveal: RevealRequest, now: datetime | None = None) -> bool:
    moment = now or timezone.now()
    return (
        reveal.status == RevealRequest.Status.PENDING
        and moment - reveal.requested_at > REVEAL_WINDOW
    )


def expire_reveals(organization_id: int, now: datetime | None = None) -> int:
    """Mark the organization's pending requests older than 72 hours as expired."""
    moment = now or timezone.now()
    return RevealRequest.objects.filter(
        pseudonym__space__organization_id=organization_id,
        status=RevealRequest.Status.PENDING,
        requested_at__lt=moment - REVEAL_WINDOW,
    ).update(status=RevealRequest.Status.EXPIRED)


@transaction.atomic
def reveal_request(
    *, pseudonym: Pseudonym, requester: User, reason: str
) -> RevealRequest:
    """A program admin asks who is behind `pseudonym`. Nothing is revealed yet."""
    space = pseudonym.space
    _require_program_admin(space.organization_id, requester)
    reason = reason.strip()
    if not reason:
        raise RevealRefused(_("Say why this reveal is needed."))
    expire_reveals(space.organization_id)
    if RevealRequest.objects.filter(
        pseudonym=pseudonym, status=RevealRequest.Status.PENDING
    ).exists():
        raise RevealRefused(
            _("A request to reveal this pseudonym is already waiting for a decision.")
        )
    reveal = RevealRequest.objects.create(
        pseudonym=pseudonym, reason=reason, requested_by=requester
    )
    _reveal_audit("dialogue.reveal_requested", requester, reveal)
    return reveal


def recently_passed_mfa(request: HttpRequest) -> bool:
    """Whether this session passed its second factor (at sign-in or again) in the last
    ten minutes, by allauth's record of this session's authentications."""
    from allauth.account.authentication import get_authentication_records

    records = get_authentication_records(request, request.user)
    times = [
        float(r.get("at", 0))
        for r in records
        if isinstance(r, dict) and r.get("method") == "mfa"
    ]
    if not times:
        return False
    return bool(timezone.now().timestamp() - max(times) < REAUTHENTICATION_SECONDS)


def _grant_chain(granted_by: dict[int, int | None], user_id: int) -> list[int]:
    """Who gave `user_id` his current role, who gave that person hers, and so on, as
    far as the organization's memberships record it (a self-grant, an unknown granter
    or a loop ends the chain)."""
    chain: list[int] = []
    seen = {user_id}
    current = granted_by.get(user_id)
    while current is not None and current not in seen:
        chain.append(current)
        seen.add(current)
        current = granted_by.get(current)
    return chain


def reveal_approval_refusal(
    reveal: RevealRequest, approver: User, *, mfa_passed: bool
) -> str | None:
    """Why `approver` may not approve `reveal`, in words for him; None if he may.

    Two administrators must be two people. One person can hold several accounts (a
    second one joins by email domain and is made admin), so an approver:
    - must have held the program admin role for REVEAL_APPROVER_TENURE_DAYS before the
      request was made (and every grant is announced to all admins meanwhile);
    - must not have received the role from the requester, directly or through a
      chain of grants, nor have given the requester theirs (the same trick the other
      way round);
    - must have passed his second factor in the last ten minutes.
    """
    from alongside.organizations.access import user_has_mfa
    from alongside.organizations.models import Membership

    if reveal.requested_by_id == approver.pk:
        return _("A second administrator must decide: you made this request yourself.")
    memberships = {
        m.user_id: m
        for m in Membership.objects.for_organization(
            reveal.pseudonym.space.organization_id
        ).select_related("user", "role_granted_by")
    }
    mine = memberships.get(approver.pk)
    if mine is None or not mine.is_program_admin:
        return _("Only a program admin of this organization can decide.")
    days = settings.REVEAL_APPROVER_TENURE_DAYS
    if mine.role_granted_at > reveal.requested_at - timedelta(days=days):
        return _(
            "You cannot approve this request: you have been a program admin since "
            "%(since)s, and an approver must have held the role for %(days)d days "
            "before the request was made (%(requested)s). Another administrator must "
            "approve."
        ) % {
            "since": date_format(timezone.localtime(mine.role_granted_at), "j F Y"),
            "days": days,
            "requested": date_format(timezone.localtime(reveal.requested_at), "j F Y"),
        }
    granted_by = {uid: m.role_granted_by_id for uid, m in memberships.items()}
    requester = reveal.requested_by
    mine_chain = _grant_chain(granted_by, approver.pk)
    if mine_chain[:1] == [requester.pk]:
        return _(
            "You cannot approve this request: %(requester)s, who made it, gave you "
            "your role. Another administrator must approve."
        ) % {"requester": requester.name}
    if requester.pk in mine_chain:
        granter = memberships[approver.pk].role_granted_by
        return _(
            "You cannot approve this request: your role was given by %(granter)s, "
            "whose own role goes back to %(requester)s, who made the request. Another "
            "administrator must approve."
        ) % {"granter": granter.name if granter else "", "requester": requester.name}
    if approver.pk in _grant_chain(granted_by, requester.pk):
        return _(
            "You cannot approve this request: %(requester)s, who made it, received "
            "the role from you (directly or through someone you made an "
            "administrator), so you two do not count as two separate administrators. "
            "Another administrator must approve."
        ) % {"requester": requester.name}
    if not user_has_mfa(approver):
        return _(
            "You cannot approve this request yet: approving a reveal needs "
            "two-factor authentication. Set up an authenticator app first."
        )
    if not mfa_passed:
        return _(
            "Approving a reveal needs your second factor again: enter a code from "
            "your authenticator app, then approve."
        )
    return None


def reveal_decide(
    reveal: RevealRequest, *, approver: User, approve: bool, mfa_passed: bool = False
) -> RevealRequest:
    """A second, different program admin approves or declines within 72 hours. On
    approval the member is told (in the app and by email).

    Approving follows reveal_approval_refusal's rules; `mfa_passed` says whether the
    approver's session passed its second factor in the last ten minutes (the view
    reads it from the session, see recently_passed_mfa). Declining reveals nothing
    and needs only another program admin."""
    # Expired requests are marked first, in their own transaction, so the refusal
    # below does not roll the marking back.
    expire_reveals(reveal.pseudonym.space.organization_id)
    if approve:
        # A refused approval is recorded, so it is checked (and audited) here, outside
        # the decision's transaction, whose refusal would roll the record back.
        current = RevealRequest.objects.select_related(
            "pseudonym__space", "requested_by"
        ).get(pk=reveal.pk)
        if (
            current.status == RevealRequest.Status.PENDING
            and not reveal_is_expired(current)
            and current.requested_by_id != approver.pk
        ):
            _require_program_admin(current.pseudonym.space.organization_id, approver)
            refusal = reveal_approval_refusal(current, approver, mfa_passed=mfa_passed)
            if refusal is not None:
                _reveal_audit("dialogue.reveal_approval_refused", approver, current)
                raise RevealRefused(refusal)
    return _reveal_decide(
        reveal, approver=approver, approve=approve, mfa_passed=mfa_passed
    )


@transaction.atomic
def _reveal_decide(
    reveal: RevealRequest, *, approver: User, approve: bool, mfa_passed: bool
) -> RevealRequest:
    reveal = (
        RevealRequest.objects.select_for_update(of=("self",))
        .select_related("pseudonym__space__organization", "requested_by")
        .get(pk=reveal.pk)
    )
    space = reveal.pseudonym.space
    _require_program_admin(space.organization_id, approver)
    if reveal.status == RevealRequest.Status.EXPIRED or reveal_is_expired(reveal):
        raise RevealRefused(
            _("This request expired: it was not decided within 72 hours.")
        )
    if reveal.status != RevealRequest.Status.PENDING:
        raise RevealRefused(_("This request was already decided."))
    if reveal.requested_by_id == approver.pk:
        raise RevealRefused(
            _("A second administrator must decide: you made this request yourself.")
        )
    if approve:
        refusal = reveal_approval_refusal(reveal, approver, mfa_passed=mfa_passed)
        if refusal is not None:
            raise RevealRefused(refusal)
    reveal.status = (
        RevealRequest.Status.APPROVED if approve else RevealRequest.Status.DECLINED
    )
    reveal.decided_by = approver
    reveal.decided_at = timezone.now()
    reveal.save(update_fields=("status", "decided_by", "decided_at"))
    if not approve:
        _reveal_audit("dialogue.reveal_declined", approver, reveal)
        return reveal
    _reveal_audit("dialogue.reveal_approved", approver, reveal)
    owner = _unseal_for_reveal(reveal, approver)
    if owner is not None and owner.is_active:
        _tell_revealed(reveal, owner)
    return reveal


def _unseal_for_reveal(reveal: RevealRequest, viewer: User) -> User | None:
    """Open the sealed link for an approved reveal: one audited key use."""
    owner = owner_of(reveal.pseudonym)
    _reveal_audit(
        "dialogue.reveal_key_used",
        viewer,
        reveal,
        found="yes" if owner is not None else "no",
    )
    return owner


def revealed_owner(reveal: RevealRequest, viewer: User) -> User | None:
    """The member behind an approved request, for its requester and its approver only
    (each look is an audited key use); None for anyone else or any other state."""
    if reveal.status != RevealRequest.Status.APPROVED:
        return None
    if viewer.pk not in (reveal.requested_by_id, reveal.decided_by_id):
        return None
    return _unseal_for_reveal(reveal, viewer)


def _tell_revealed(reveal: RevealRequest, owner: User) -> None:
    """The member learns that two administrators now know who he is in the space. The
    message names the space and the two administrators, never the pseudonym itself
    (an email is not the place to tie his name to it)."""
    from alongside.notifications.models import Notification
    from alongside.notifications.services import notice_send

    space = reveal.pseudonym.space
    assert reveal.decided_by is not None
    # Addressed to the pseudonym, mailed only as the daily "news in a safe space".
    notice_send(
        address=str(reveal.pseudonym.pk),
        user=owner,
        organization=space.organization,
        kind=Notification.Kind.ORGANIZATION,
        message=_(
            "Two administrators, %(first)s and %(second)s, now know who writes under "
            "your pseudonym in the safe space “%(space)s”, for a safety case. Ask "
            "them if you want to know more."
        )
        % {
            "first": reveal.requested_by.name,
            "second": reveal.decided_by.name,
            "space": space.name,
        },
        url=reverse(
            "dialogue:space",
            kwargs={"org": space.organization.slug, "space_id": space.pk},
        ),
    )
