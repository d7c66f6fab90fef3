"""Opaque addresses: where notices about pseudonymous content are sent instead of a user.

A lower app cannot know what a pseudonym is, so the apps that have them register, in
their AppConfig.ready, a function that lists a user's addresses (dialogue: the ids of
his pseudonyms, found through their keyed hashes). Only the owner's own session, with
the keys, turns a user into his addresses; nothing turns an address into a user here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from alongside.accounts.models import User

AddressProvider = Callable[["User"], list[str]]

_providers: list[AddressProvider] = []


def register_address_provider(provider: AddressProvider) -> None:
    if provider not in _providers:
        _providers.append(provider)


def addresses_of(user: User) -> list[str]:
    """Every opaque address of `user`."""
    return sorted({a for provider in _providers for a in provider(user)})
