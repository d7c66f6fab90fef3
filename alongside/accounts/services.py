"""Data export and account erasure, across every app that stores personal data.

Each app that stores personal data has `alongside/<app>/privacy.py` with
`export_user_data(user) -> dict` and `erase_user_data(user) -> None`. They are found
through the app registry, so a new app takes part by adding that module. A privacy
module may also name what stands in the way of erasure (`erase_blockers(user)`) and
what goes with the account (`erased_with_user(user)`): accounts sits below the apps
that hold those rules (organizations), so it asks them through this hook instead of
importing them.
"""

from __future__ import annotations

from importlib import import_module
from types import ModuleType
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from alongside.audit.services import audit_record

if TYPE_CHECKING:
    from alongside.accounts.models import User
    from alongside.organizations.models import Organization

EXPORT_FORMAT_VERSION = 1


class ErasureBlocked(Exception):
    """The user is the only program admin of organizations that have other members."""

    def __init__(self, organizations: list[Organization]) -> None:
        super().__init__(", ".join(o.name for o in organizations))
        self.organizations = organizations


def privacy_modules() -> list[tuple[str, ModuleType]]:
    """(app label, privacy module) for every installed Alongside app that has one."""
    modules: list[tuple[str, ModuleType]] = []
    for app_config in apps.get_app_configs():
        if not app_config.name.startswith("alongside."):
            continue
        name = f"{app_config.name}.privacy"
        try:
            module = import_module(name)
        except ModuleNotFoundError as e:
            if e.name != name:  # the module exists but one of its imports is missing
                raise
            continue
        modules.append((app_config.label, module))
    return modules


def user_data_export(user: User) -> dict[str, Any]:
    """Everything the platform stores about the user, by app, ready for JSON."""
    data: dict[str, Any] = {
        "export": {
            "format": "alongside-personal-data",
            "version": EXPORT_FORMAT_VERSION,
            "site": settings.SITE_URL,
            "created_at": timezone.now().isoformat(),
        }
    }
    for label, module in privacy_modules():
        data[label] = module.export_user_data(user)
    return data


def erased_user_reference(user: User) -> str:
    """A stable pseudonymous id for audit events about an erased account (no email)."""
    return salted_hmac(
        "alongside.accounts.erased-user", str(user.pk), algorithm="sha256"
    ).hexdigest()[:32]


def _privacy_hook(name: str, user: User) -> list[Any]:
    """What every privacy module that defines `name(user)` answers, in app order."""
    found: list[Any] = []
    for _label, module in privacy_modules():
        hook = getattr(module, name, None)
        if hook is not None:
            found.extend(hook(user))
    return found


def user_erase_blockers(user: User) -> list[Organization]:
    """Organizations the user must hand over first (the privacy modules' `erase_blockers`)."""
    return _privacy_hook("erase_blockers", user)


def user_erase_casualties(user: User) -> list[Organization]:
    """Organizations erased along with the user (the privacy modules' `erased_with_user`)."""
    return _privacy_hook("erased_with_user", user)


def user_erase(*, user: User) -> None:
    """Erase the account: every app removes or anonymizes its data, then the User goes.

    Raises ErasureBlocked when the user must first hand over a program admin role.
    """
    with transaction.atomic():
        blockers = user_erase_blockers(user)
        if blockers:
            raise ErasureBlocked(blockers)
        reference = erased_user_reference(user)
        # Apps listed later usually depend on earlier ones, so they clean up first.
        # (organizations records "membership.account_erased" in each organization.)
        for _label, module in reversed(privacy_modules()):
            module.erase_user_data(user)
        audit_record(action="account.erased", data={"user": reference})
        user.delete()
