"""The organization home page's conversations section loads its own data here."""

from __future__ import annotations

from django import template

from alongside.accounts.models import User
from alongside.dialogue.models import Space, Thread
from alongside.organizations.models import Organization

register = template.Library()

HOME_THREADS = 5


@register.simple_tag
def dialogue_threads_for_home(organization: Organization, user: User) -> list[Thread]:
    """The latest active conversations in the spaces the viewer may see (one query)."""
    spaces = Space.objects.visible_to(user, organization).values("pk")
    return list(
        Thread.objects.filter(space__in=spaces)
        .select_related("space__organization")
        .latest_first()[:HOME_THREADS]
    )
