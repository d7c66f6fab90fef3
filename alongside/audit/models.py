from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# Human descriptions of audit actions for the organization's audit log page. Apps add
# theirs with register_action_labels(); unknown actions are shown by their code.
ACTION_LABELS: dict[str, str | Promise] = {
    "organization.created": _("Created the organization"),
    "organization.settings_changed": _("Changed the organization's settings"),
    "membership.role_changed": _("Changed a member's role"),
    "membership.removed": _("Removed a member"),
    "membership.joined_by_domain": _("Joined through their email domain"),
    "membership.account_erased": _("A member erased their account"),
    "invitation.sent": _("Sent an invitation"),
    "invitation.resent": _("Sent an invitation again"),
    "invitation.revoked": _("Withdrew an invitation"),
    "invitation.imported": _("Invited people from a CSV file"),
    "invitation.accepted": _("Accepted an invitation"),
}


def register_action_labels(labels: dict[str, str | Promise]) -> None:
    ACTION_LABELS.update(labels)


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def for_organization(self, organization: Any) -> AuditEventQuerySet:
        """The events of one organization (the model or its id), newest first."""
        if isinstance(organization, int):
            return self.filter(organization_id=organization)
        return self.filter(organization=organization)

    def update(self, **kwargs: Any) -> int:
        raise PermissionError("Audit events are append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("Audit events are append-only.")


class AuditEvent(models.Model):
    """An append-only record of a security- or trust-relevant act.

    Never store secrets, tokens, salaries or pseudonym links in `data`.
    """

    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    action = models.CharField(max_length=60)
    target_type = models.CharField(max_length=60, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    data = models.JSONField(default=dict, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = (
            models.Index(fields=("organization", "-created_at"), name="audit_by_org"),
        )

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise PermissionError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("Audit events are append-only.")

    @property
    def action_label(self) -> str:
        label = ACTION_LABELS.get(self.action)
        return str(label) if label is not None else self.action.replace("_", " ")
