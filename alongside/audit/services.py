from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from django.db import models
from django.http import HttpRequest

from alongside.audit.models import AuditEvent

if TYPE_CHECKING:
    from alongside.accounts.models import User
    from alongside.organizations.models import Organization

logger = logging.getLogger("alongside.audit")


def audit_record(
    *,
    action: str,
    actor: User | None = None,
    organization: Organization | None = None,
    target: models.Model | None = None,
    data: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
) -> AuditEvent:
    event = AuditEvent.objects.create(
        action=action,
        actor=actor if actor is not None and actor.pk else None,
        organization=organization,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        data=data or {},
        ip=request.META.get("REMOTE_ADDR") or None if request is not None else None,
    )
    logger.info(
        "audit action=%s actor=%s org=%s target=%s:%s",
        action,
        event.actor_id,
        event.organization_id,
        event.target_type,
        event.target_id,
    )
    return event
