from __future__ import annotations

import ipaddress
import logging
from typing import TYPE_CHECKING, Any

from django.db import models
from django.http import HttpRequest
from django.utils import timezone

from alongside.audit.models import AuditEvent
from alongside.lib.http import client_ip

if TYPE_CHECKING:
    from alongside.accounts.models import User
    from alongside.organizations.models import Organization

logger = logging.getLogger("alongside.audit")


def _ip(request: HttpRequest | None) -> str | None:
    """The client's address (behind our proxies, from X-Forwarded-For as far as
    TRUSTED_PROXY_COUNT allows: the same helper as the rate limits), never the
    proxy's; None when unknown."""
    if request is None:
        return None
    address = client_ip(request)
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def audit_record(
    *,
    action: str,
    actor: User | None = None,
    organization: Organization | None = None,
    target: models.Model | None = None,
    data: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
    target_key: str | None = None,
    day_only: bool = False,
) -> AuditEvent:
    """Append an audit row. `target_key` names the target instead of its pk (a random
    uid for safe-space content, never a sequential id); `day_only` dates the row to
    the start of its day (rows about safe-space content: no time finer than the day
    to match against other records)."""
    created_at = timezone.now()
    if day_only:
        created_at = timezone.localtime(created_at).replace(
            hour=0, minute=0, second=0, microsecond=0
        )
    event = AuditEvent.objects.create(
        created_at=created_at,
        action=action,
        actor=actor if actor is not None and actor.pk else None,
        organization=organization,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=(
            target_key
            if target_key is not None
            else str(target.pk)
            if target is not None
            else ""
        ),
        data=data or {},
        ip=_ip(request),
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
