from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    name = "alongside.campaigns"
    verbose_name = "Campaigns"

    def ready(self) -> None:
        from alongside.audit.models import register_action_labels
        from alongside.campaigns.public_cache import connect_signals

        connect_signals()

        register_action_labels(
            {
                "campaign.created": _("Created a campaign"),
                "campaign.updated": _("Edited a campaign"),
                "campaign.published": _("Published a campaign"),
                "campaign.closed": _("Closed a campaign"),
                "campaign.exported": _("Exported a campaign's signatures"),
            }
        )
