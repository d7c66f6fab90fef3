from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CirclesConfig(AppConfig):
    name = "alongside.circles"
    verbose_name = "Circles"

    def ready(self) -> None:
        from django.db.models.signals import post_delete

        from alongside.audit.models import register_action_labels
        from alongside.circles import receivers
        from alongside.organizations.models import Membership

        post_delete.connect(
            receivers.organization_membership_deleted,
            sender=Membership,
            dispatch_uid="circles.organization_membership_deleted",
        )
        register_action_labels(
            {
                "circle.created": _("Started a circle"),
                "circle.edited": _("Edited a circle"),
                "circle.archived": _("Archived a circle"),
                "circle.reopened": _("Reopened an archived circle"),
                "circle.request_approved": _("Approved a request to join a circle"),
                "circle.request_declined": _("Declined a request to join a circle"),
                "circle.member_invited": _("Invited a member to a circle"),
                "circle.invitation_withdrawn": _("Withdrew an invitation to a circle"),
                "circle.member_removed": _("Removed a member from a circle"),
                "circle.role_changed": _("Changed a member's role in a circle"),
                "circle.facilitator_handed_over": _(
                    "A circle's longest-standing member became its facilitator"
                ),
            }
        )
