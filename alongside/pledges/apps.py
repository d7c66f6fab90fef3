from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PledgesConfig(AppConfig):
    name = "alongside.pledges"
    verbose_name = "Pledges"

    def ready(self) -> None:
        from alongside.audit.models import register_action_labels

        register_action_labels(
            {
                "pledges.catalogue_added": _("Added a commitment to the catalogue"),
                "pledges.catalogue_edited": _("Edited a commitment in the catalogue"),
                "pledges.catalogue_deactivated": _(
                    "Deactivated a commitment in the catalogue"
                ),
                "pledges.catalogue_reactivated": _(
                    "Reactivated a commitment in the catalogue"
                ),
                "pledges.catalogue_deleted": _(
                    "Deleted a commitment from the catalogue"
                ),
                "pledges.confirmation_requested": _(
                    "Asked someone to confirm an action"
                ),
            }
        )
