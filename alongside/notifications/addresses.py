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

# provider(user, everywhere): his addresses in the organizations he belongs to now (his
# inbox, read on every page), or everywhere he ever had one (his export and erasure).
AddressProvider = Callable[["User", bool], list[str]]
# For a notification stored before notices existed: the address of the news it
# carries, "" when it is about pseudonymous content but none is found (it is dropped),
# None when it is not about pseudonymous content (it stays).
Readdresser = Callable[["User", str], "str | None"]

_providers: list[AddressProvider] = []
_readdressers: list[Readdresser] = []


def register_address_provider(provider: AddressProvider) -> None:
    if provider not in _providers:
        _providers.append(provider)


def addresses_of(user: User, *, everywhere: bool = False) -> list[str]:
    """The opaque addresses of `user`: those of his current organizations, or with
    `everywhere` every one he has (for his export and erasure)."""
    return sorted({a for provider in _providers for a in provider(user, everywhere)})


def register_readdresser(readdresser: Readdresser) -> None:
    if readdresser not in _readdressers:
        _readdressers.append(readdresser)


def readdress(user: User, url: str) -> str | None:
    for readdresser in _readdressers:
        found = readdresser(user, url)
        if found is not None:
            return found
    return None
