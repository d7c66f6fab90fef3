"""Sealed values of the notifications app: queued emails and the daily safe-space mail.

AES-256-GCM with a random nonce, under a key derived (HKDF-SHA256, one label per use)
from `settings.PSEUDONYM_KEY`: the key a copy of the database does not have, the same
one that seals the link between a pseudonym and its member. A queued email about a
safe-space post is exactly as hard to read as that link. Opening tries the current key,
then each of PSEUDONYM_KEY_FALLBACKS (a rotation in progress); sealed values here live a
few days at most, so a rotation needs no re-sealing.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from functools import cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings


class SealError(Exception):
    """A sealed value did not open: the key changed or the value is damaged."""


@cache
def _key(master: str, label: bytes) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=b"alongside.notifications",
        info=label,
    ).derive(master.encode())


def _masters() -> list[str]:
    current = settings.PSEUDONYM_KEY
    return [current] + [
        old for old in settings.PSEUDONYM_KEY_FALLBACKS if old != current
    ]


def seal(plain: bytes, *, label: bytes, bound_to: str = "") -> str:
    """`plain` encrypted under the current key for `label`; `bound_to` (associated
    data) stops the value opening anywhere else."""
    nonce = secrets.token_bytes(12)
    sealed = AESGCM(_key(settings.PSEUDONYM_KEY, label)).encrypt(
        nonce, plain, bound_to.encode()
    )
    return base64.urlsafe_b64encode(nonce + sealed).decode()


def unseal(value: str, *, label: bytes, bound_to: str = "") -> bytes:
    try:
        raw = base64.urlsafe_b64decode(value.encode())
    except ValueError as e:
        raise SealError from e
    for master in _masters():
        try:
            return AESGCM(_key(master, label)).decrypt(
                raw[:12], raw[12:], bound_to.encode()
            )
        except (InvalidTag, ValueError):
            continue
    raise SealError


def keyed_token(text: str, *, label: bytes) -> str:
    """A keyed hash of `text` (hex) under the current key: equal inputs give equal
    tokens, and nobody without the key can tell which input made one."""
    return hmac.new(
        _key(settings.PSEUDONYM_KEY, label), text.encode(), hashlib.sha256
    ).hexdigest()
