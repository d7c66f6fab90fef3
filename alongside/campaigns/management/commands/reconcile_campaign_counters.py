"""Periodic: check every campaign's stored counter against its confirmed signatures.

Drift (which the transactional updates should never produce) is logged and fixed.
Also deletes unconfirmed signatures whose link expired CAMPAIGN_PENDING_RETENTION_DAYS
ago: they never counted, and keeping the address would keep data nobody consented to;
and the signing rate limit's rows of addresses not seen for a window (signing requests
delete them too, in small batches). Idempotent; safe to run while people sign.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from alongside.campaigns import ratelimit, services


class Command(BaseCommand):
    help = "Reconcile campaigns' stored counters with their confirmed signatures."

    def handle(self, *args: Any, **options: Any) -> None:
        drifts = services.reconcile_counters()
        for drift in drifts:
            self.stdout.write(
                f"campaign {drift.campaign_id}: stored {drift.stored}, "
                f"actual {drift.actual}: fixed"
            )
        purged = services.purge_stale_pending()
        limits = ratelimit.purge_expired()
        self.stdout.write(
            f"{len(drifts)} counter(s) fixed; {purged} stale unconfirmed signature(s) "
            f"deleted; {limits} expired rate-limit row(s) deleted"
        )
