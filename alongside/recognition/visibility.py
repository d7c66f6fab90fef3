"""Who may see what of an ally's record, as recognition shows it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from alongside.lib.visibility import Visibility
from alongside.pledges.models import Action, ActionQuerySet, Pledge

if TYPE_CHECKING:
    from alongside.accounts.models import User
    from alongside.organizations.models import Organization

# Visibilities that every member of the organization can see: what the wall may show.
SHARED = (Visibility.PUBLIC, Visibility.ORGANIZATION)


def visible_actions(viewer: User | None, organization: Organization) -> ActionQuerySet:
    """Actions `viewer` may see and whose pledge he may see too.

    Recognition always shows an action with its commitment's title, which belongs to
    the pledge, so a private pledge keeps its actions private as well.
    """
    return Action.objects.visible_to(viewer, organization).filter(
        commitment__pledge__in=Pledge.objects.visible_to(viewer, organization)
    )
