from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EquityConfig(AppConfig):
    name = "alongside.equity"
    verbose_name = "Workplace equity"

    def ready(self) -> None:
        from alongside.audit.models import register_action_labels

        register_action_labels(
            {
                "equity.analyst_granted": _("Made someone an HR analyst"),
                "equity.analyst_revoked": _("Removed someone's HR analyst role"),
                "equity.settings_changed": _("Changed the workplace equity settings"),
                "equity.payroll_uploaded": _("Uploaded a payroll file"),
                "equity.report_created": _("Computed a pay-gap report"),
                "equity.report_deleted": _("Deleted a pay-gap report"),
                "equity.report_exported": _("Downloaded a pay-gap report as PDF"),
                "equity.uploads_cleaned": _("Deleted abandoned payroll uploads"),
            }
        )
