from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DialogueConfig(AppConfig):
    name = "alongside.dialogue"
    verbose_name = "Dialogue"

    def ready(self) -> None:
        from alongside.audit.models import register_action_labels
        from alongside.dialogue.services import (
            notification_addresses,
            notification_readdress,
        )
        from alongside.notifications.addresses import (
            register_address_provider,
            register_readdresser,
        )

        # Safe-space notices are addressed to pseudonyms; their owner finds them.
        register_address_provider(notification_addresses)
        register_readdresser(notification_readdress)

        register_action_labels(
            {
                "dialogue.space_created": _("Opened a discussion space"),
                "dialogue.guidelines_changed": _(
                    "Changed a discussion space's guidelines (members accept again)"
                ),
                # Break-glass reveal of a safe-space pseudonym (safespace.py)
                "dialogue.reveal_requested": _(
                    "Asked to reveal who is behind a safe-space pseudonym"
                ),
                "dialogue.reveal_approved": _(
                    "Approved revealing who is behind a safe-space pseudonym"
                ),
                "dialogue.reveal_declined": _(
                    "Declined revealing who is behind a safe-space pseudonym"
                ),
                "dialogue.reveal_approval_refused": _(
                    "Tried to approve a reveal and was refused (too new an admin, "
                    "a role from the requester, or no second factor)"
                ),
                "dialogue.reveal_key_used": _(
                    "Opened the sealed link of a pseudonym for an approved reveal"
                ),
                "dialogue.pseudonyms_rekeyed": _(
                    "Moved the safe-space pseudonyms to a new pseudonym key"
                ),
                "dialogue.listening_phase_changed": _(
                    "Moved a listening round to its next phase"
                ),
                # Moderation (the moderation package)
                "dialogue.mod_post_hidden": _("Hid a post"),
                "dialogue.mod_post_auto_hidden": _(
                    "A post was hidden by flags from several members"
                ),
                "dialogue.mod_post_restored": _("Restored a hidden post"),
                "dialogue.mod_flags_dismissed": _("Kept a flagged post"),
                "dialogue.mod_post_approved": _("Approved a held post"),
                "dialogue.mod_post_rejected": _("Rejected a held post"),
                "dialogue.mod_post_removed": _("Deleted a post as a moderator"),
                "dialogue.mod_thread_locked": _("Locked a conversation"),
                "dialogue.mod_thread_unlocked": _("Unlocked a conversation"),
                "dialogue.mod_member_warned": _("Warned a member"),
                "dialogue.mod_member_suspended": _("Suspended a member"),
                "dialogue.mod_member_banned": _("Banned a member"),
                "dialogue.mod_sanction_lifted": _("Lifted a sanction"),
                "dialogue.mod_appeal_filed": _("An appeal was filed"),
                "dialogue.mod_appeal_decided": _("Decided an appeal"),
                "dialogue.mod_trust_set": _("Set a member's trust level"),
                "dialogue.mod_settings_changed": _("Changed the moderation settings"),
                "dialogue.mod_queue_alert": _(
                    "Told moderators of an item waiting 48 hours"
                ),
            }
        )
