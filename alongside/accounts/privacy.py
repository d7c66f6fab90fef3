"""The account's own data: profile, email addresses and two-factor methods (never secrets)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from alongside.accounts.models import User


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def export_user_data(user: User) -> dict[str, Any]:
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator

    return {
        "profile": {
            "email": user.email,
            "display_name": user.display_name,
            "pronouns": user.pronouns,
            "pronouns_visibility": user.pronouns_visibility,
            "gender": user.gender,
            "gender_visibility": user.gender_visibility,
            "bio": user.bio,
            "bio_visibility": user.bio_visibility,
            "why_ally": user.why_ally,
            "why_ally_visibility": user.why_ally_visibility,
            "date_joined": _iso(user.date_joined),
            "last_login": _iso(user.last_login),
        },
        "email_addresses": [
            {"email": e.email, "verified": e.verified, "primary": e.primary}
            for e in EmailAddress.objects.filter(user=user).order_by("id")
        ],
        # Which second factors are set up, never their secrets or codes.
        "two_factor_methods": [
            {
                "type": a.type,
                "created_at": _iso(a.created_at),
                "last_used_at": _iso(a.last_used_at),
            }
            for a in Authenticator.objects.filter(user=user).order_by("id")
        ],
    }


def erase_user_data(user: User) -> None:
    """Remove allauth's rows about the user (they would also go with the User row)."""
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator

    Authenticator.objects.filter(user=user).delete()
    EmailAddress.objects.filter(user=user).delete()
