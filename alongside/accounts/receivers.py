"""Sign-ins and second-factor changes leave a row in the audit log.

allauth and Django announce them by signals; each receiver records who (when known),
what, and the client's address (audit_record reads it behind our proxies). Nothing
secret is stored: never a password, a code, a secret or a recovery code, and for a
failed sign-in not even the address typed (it is sometimes a password typed in the
wrong box): only whether it named an existing account, which becomes the row's actor.
These rows belong to no organization: they are the operator's trail of the account.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.http import HttpRequest

from alongside.audit.services import audit_record

if TYPE_CHECKING:
    from allauth.mfa.models import Authenticator

    from alongside.accounts.models import User


def _methods(request: HttpRequest | None, user: User) -> list[str]:
    """How this session authenticated (password, mfa), by name only."""
    if request is None or not hasattr(request, "session"):
        return []
    from allauth.account.authentication import get_authentication_records

    return [
        str(record.get("method", ""))
        for record in get_authentication_records(request, user)
        if isinstance(record, dict)
    ]


def signed_in(
    sender: object, request: HttpRequest | None, user: User, **kwargs: Any
) -> None:
    audit_record(
        action="account.signed_in",
        actor=user,
        data={"methods": sorted(set(_methods(request, user)))},
        request=request,
    )


def sign_in_failed(
    sender: object,
    credentials: dict[str, Any],
    request: HttpRequest | None = None,
    **kwargs: Any,
) -> None:
    from alongside.accounts.models import User

    login = credentials.get("email") or credentials.get("username") or ""
    user = (
        User.objects.filter(emailaddress__email__iexact=login).first()
        or User.objects.filter(email__iexact=login).first()
        if isinstance(login, str) and login
        else None
    )
    audit_record(
        action="account.sign_in_failed",
        actor=user,
        data={"known_account": user is not None},
        request=request,
    )


def _mfa(
    action: str, request: HttpRequest | None, authenticator: Authenticator
) -> None:
    audit_record(
        action=action,
        actor=authenticator.user,
        data={"type": str(authenticator.type)},
        request=request,
    )


def mfa_added(
    sender: object,
    request: HttpRequest | None,
    authenticator: Authenticator,
    **kwargs: Any,
) -> None:
    _mfa("account.mfa_activated", request, authenticator)


def mfa_removed(
    sender: object,
    request: HttpRequest | None,
    authenticator: Authenticator,
    **kwargs: Any,
) -> None:
    _mfa("account.mfa_deactivated", request, authenticator)


def mfa_reset(
    sender: object,
    request: HttpRequest | None,
    authenticator: Authenticator,
    **kwargs: Any,
) -> None:
    _mfa("account.mfa_recovery_codes_regenerated", request, authenticator)


def mfa_failed(
    sender: object,
    request: HttpRequest | None,
    authenticator: Authenticator,
    **kwargs: Any,
) -> None:
    _mfa("account.mfa_failed", request, authenticator)
