from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "alongside.accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from allauth.account import signals as account_signals
        from allauth.mfa import signals as mfa_signals
        from django.contrib.auth.signals import user_login_failed

        from alongside.accounts import receivers
        from alongside.audit.models import register_action_labels

        # allauth's signal, not Django's: Django's also fires for the test client's
        # force_login and for nothing a person did.
        account_signals.user_logged_in.connect(
            receivers.signed_in, dispatch_uid="accounts.audit_signed_in"
        )
        user_login_failed.connect(
            receivers.sign_in_failed, dispatch_uid="accounts.audit_sign_in_failed"
        )
        for signal, receiver, uid in (
            (mfa_signals.authenticator_added, receivers.mfa_added, "added"),
            (mfa_signals.authenticator_removed, receivers.mfa_removed, "removed"),
            (mfa_signals.authenticator_reset, receivers.mfa_reset, "reset"),
            (mfa_signals.authentication_failed, receivers.mfa_failed, "failed"),
        ):
            signal.connect(receiver, dispatch_uid=f"accounts.audit_mfa_{uid}")
        register_action_labels(
            {
                "account.signed_in": _("Signed in"),
                "account.sign_in_failed": _("A sign-in failed"),
                "account.mfa_activated": _("Turned on a second factor"),
                "account.mfa_deactivated": _("Turned off a second factor"),
                "account.mfa_recovery_codes_regenerated": _("Made new recovery codes"),
                "account.mfa_failed": _("Entered a wrong second-factor code"),
            }
        )
