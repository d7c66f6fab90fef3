"""The 48-hour alert: moderators hear of queue items that have waited too long,
once per item (an audit row records the alert)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Min
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from alongside.audit.models import AuditEvent
from alongside.audit.services import audit_record
from alongside.dialogue import safespace
from alongside.dialogue.models import Appeal, Flag, Post, Space
from alongside.dialogue.moderation.appeals import appeal_space
from alongside.dialogue.moderation.common import audit_key, tell
from alongside.dialogue.moderation.moderators import (
    moderators_of,
    organization_moderators,
)

if TYPE_CHECKING:
    from alongside.organizations.models import Organization


SLA = timedelta(hours=48)


@dataclass(frozen=True)
class Waiting:
    target: Post | Appeal
    organization: Organization
    # None: an organization-wide sanction's appeal (the organization's moderators).
    space: Space | None
    since: datetime
    what: str


def waiting_items(now: datetime) -> list[Waiting]:
    """Queue items that have waited SLA or longer and not been alerted since."""
    cutoff = now - SLA
    found: list[Waiting] = []
    for post in Post.objects.filter(
        state=Post.State.HELD, deleted_at__isnull=True, created_at__lte=cutoff
    ).select_related("thread__space__organization", "thread__space__circle"):
        found.append(
            Waiting(
                post,
                post.thread.space.organization,
                post.thread.space,
                post.created_at,
                _("A held post"),
            )
        )
    flagged = (
        Flag.objects.filter(outcome=Flag.Outcome.OPEN, post__deleted_at__isnull=True)
        .values("post_id")
        .annotate(first=Min("created_at"))
        .filter(first__lte=cutoff)
    )
    firsts = {row["post_id"]: row["first"] for row in flagged}
    for post in Post.objects.filter(pk__in=firsts).select_related(
        "thread__space__organization", "thread__space__circle"
    ):
        found.append(
            Waiting(
                post,
                post.thread.space.organization,
                post.thread.space,
                firsts[post.pk],
                _("A flagged post"),
            )
        )
    for appeal in Appeal.objects.filter(
        outcome=Appeal.Outcome.OPEN, created_at__lte=cutoff
    ).select_related(
        "post__thread__space__organization",
        "sanction__space__organization",
        "organization",
    ):
        found.append(
            Waiting(
                appeal,
                appeal.organization,
                appeal_space(appeal),
                appeal.created_at,
                _("An appeal"),
            )
        )
    return [item for item in found if not _alerted(item)]


def _alerted(item: Waiting) -> bool:
    due = item.since + SLA
    if item.space is not None and item.space.is_safe:
        # Safe-space rows are dated to their day (audit_record(day_only=True)).
        due = safespace.day_start(due)
    return (
        AuditEvent.objects.for_organization(item.organization)
        .filter(
            action="dialogue.mod_queue_alert",
            target_type=item.target._meta.label_lower,
            # By uid for a post (audit_key); rows written before 0006 named the pk.
            target_id__in={
                audit_key(item.target) or str(item.target.pk),
                str(item.target.pk),
            },
            created_at__gte=due,
        )
        .exists()
    )


def send_alerts(now: datetime | None = None) -> int:
    """Tell the moderators of each item waiting 48 hours, once per item (an audit row
    records the alert). Returns the number of items alerted."""
    moment = now or timezone.now()
    sent = 0
    for item in waiting_items(moment):
        with transaction.atomic():
            space, organization = item.space, item.organization
            url = reverse("dialogue:moderation", kwargs={"org": organization.slug})
            if isinstance(item.target, Post):
                url = reverse(
                    "dialogue:moderate_post",
                    kwargs={"org": organization.slug, "post_uid": item.target.uid},
                )
            moderators = (
                moderators_of(space)
                if space is not None
                else organization_moderators(organization)
            )
            for user in moderators:
                tell(
                    user,
                    organization,
                    _(
                        "%(what)s has waited more than 48 hours in the moderation "
                        "queue of %(org)s."
                    )
                    % {"what": item.what, "org": organization.name},
                    url,
                )
            safe = space is not None and space.is_safe
            audit_record(
                action="dialogue.mod_queue_alert",
                organization=organization,
                target=item.target,
                target_key=audit_key(item.target),
                data={
                    "space": space.name if space else "",
                    "space_id": space.pk if space else None,
                    "since": (
                        safespace.coarse_iso(item.since)
                        if safe
                        else item.since.isoformat()
                    ),
                },
                day_only=safe,
            )
            sent += 1
    return sent
