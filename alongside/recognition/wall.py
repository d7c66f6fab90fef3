"""The recognition wall: confirmed actions and kudos of one organization, newest first.

Both kinds are paginated together through one UNION of (kind, id, time) rows, then the
page's objects are loaded with two queries, so a page costs the same number of queries
whatever its length.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from django.core.paginator import Page
from django.db.models import CharField, Count, F, Value
from django.http import HttpRequest

from alongside.lib.pagination import paginate
from alongside.pledges.models import Action, ActionQuerySet
from alongside.recognition.models import Kudos, KudosQuerySet
from alongside.recognition.visibility import SHARED

if TYPE_CHECKING:
    from alongside.accounts.models import User
    from alongside.organizations.models import Organization

WALL_PAGE_SIZE = 20


@dataclass
class WallEntry:
    kind: Literal["action", "kudos"]
    at: datetime
    action: Action | None = None
    kudos: Kudos | None = None
    # For actions: whether the viewer already gave kudos, and how many it has.
    kudos_given: bool = False
    kudos_count: int = 0


def wall_actions(organization: Organization) -> ActionQuerySet:
    """Confirmed actions every member may see, whose ally is still active."""
    return (
        Action.objects.for_organization(organization)
        .confirmed()
        .filter(
            visibility__in=SHARED,
            commitment__pledge__visibility__in=SHARED,
            member__is_active=True,
        )
    )


def wall_kudos(organization: Organization) -> KudosQuerySet:
    return (
        Kudos.objects.for_organization(organization)
        .on_shared_targets()
        .filter(giver__is_active=True, receiver__is_active=True)
    )


def wall_page(
    request: HttpRequest, *, organization: Organization, viewer: User
) -> Page[WallEntry]:
    kind = CharField()
    rows = (
        wall_actions(organization)
        .annotate(kind=Value("action", output_field=kind), at=F("confirmed_at"))
        .values("id", "kind", "at")
        .order_by()
        .union(
            wall_kudos(organization)
            .annotate(kind=Value("kudos", output_field=kind), at=F("created_at"))
            .values("id", "kind", "at")
            .order_by(),
            all=True,
        )
        .order_by("-at", "-id")
    )
    page: Page[Any] = paginate(request, rows, WALL_PAGE_SIZE)
    action_ids = [row["id"] for row in page if row["kind"] == "action"]
    kudos_ids = [row["id"] for row in page if row["kind"] == "kudos"]

    actions: dict[int, Action] = {}
    given: set[int] = set()
    if action_ids:
        actions = {
            a.pk: a
            for a in Action.objects.filter(pk__in=action_ids)
            .select_related("member", "commitment")
            .annotate(kudos_count=Count("kudos"))
            .only(
                "id",
                "occurred_on",
                "confirmed_at",
                "member__id",
                "member__display_name",
                "member__email",
                "commitment__id",
                "commitment__title",
            )
        }
        given = set(
            Kudos.objects.filter(giver=viewer, action_id__in=action_ids).values_list(
                "action_id", flat=True
            )
        )
    kudos: dict[int, Kudos] = {}
    if kudos_ids:
        kudos = {
            k.pk: k
            for k in Kudos.objects.filter(pk__in=kudos_ids).select_related(
                "giver", "receiver", "action__commitment", "pledge"
            )
        }

    entries: list[WallEntry] = []
    for row in page:
        if row["kind"] == "action" and row["id"] in actions:
            action = actions[row["id"]]
            entries.append(
                WallEntry(
                    kind="action",
                    at=row["at"],
                    action=action,
                    kudos_given=action.pk in given,
                    kudos_count=action.kudos_count,  # type: ignore[attr-defined]
                )
            )
        elif row["kind"] == "kudos" and row["id"] in kudos:
            entries.append(
                WallEntry(kind="kudos", at=row["at"], kudos=kudos[row["id"]])
            )
    page.object_list = entries
    return page
