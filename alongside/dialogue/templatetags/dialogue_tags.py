"""The organization home page's conversations section loads its own data here."""

from __future__ import annotations

from datetime import datetime

from django import template
from django.db.models import Q
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString

from alongside.accounts.models import User
from alongside.dialogue.models import Post, Sanction, Space, Thread
from alongside.organizations.models import Membership, Organization

register = template.Library()

HOME_THREADS = 5


@register.simple_tag
def dialogue_threads_for_home(organization: Organization, user: User) -> list[Thread]:
    """The latest active conversations in the spaces the viewer may see (one query).

    Ordered by the day of their last post, then at random (uid) within a day: a
    safe-space thread is never placed in exact time order among timed ones, which
    would date its last pseudonymous post to the minute."""
    spaces = Space.objects.visible_to(user, organization).values("pk")
    return list(
        Thread.objects.filter(space__in=spaces)
        .listed_for(user)
        .select_related("space__organization")
        .annotate(day=TruncDate("last_posted_at"))
        .order_by("-day", "uid")[:HOME_THREADS]
    )


@register.simple_tag
def dialogue_time(moment: datetime, safe: bool, fmt: str = "j F Y, H:i") -> SafeString:
    """A `<time>` element; in a safe space (`safe`) the date only, in the text and in
    the `datetime` attribute alike, so no page dates a post finer than its day."""
    local = timezone.localtime(moment)
    if safe:
        return format_html(
            '<time datetime="{}">{}</time>', local.date().isoformat(), _day(local)
        )
    if fmt == "j F Y, H:i":
        # The thread page writes 50 of these: the same text as date_format() gives,
        # without parsing the format string each time.
        text = f"{_day(local)}, {local:%H:%M}"
    else:
        text = date_format(local, fmt)
    return format_html('<time datetime="{}">{}</time>', local.isoformat(), text)


def _day(local: datetime) -> str:
    """`local` as date_format(local, "j F Y") writes it: "3 March 2026"."""
    return f"{local.day} {MONTHS[local.month]} {local.year}"


@register.simple_tag
def dialogue_moderation_queue(membership: Membership) -> int:
    """How many posts wait in the moderation queue of a program admin or facilitator
    (held, or with open flags) in the spaces he moderates: one query."""
    spaces = Space.objects.moderated_by(membership).values("pk")
    return (
        Post.objects.filter(thread__space__in=spaces, deleted_at__isnull=True)
        .filter(Q(state=Post.State.HELD) | Q(flags__outcome="open"))
        .values("pk")
        .distinct()
        .count()
    )


@register.filter
def sanction_end(sanction: Sanction) -> str:
    """A suspension's end as pages write it (a pseudonym's to the day)."""
    from alongside.dialogue.moderation import sanction_end as end

    return end(sanction)
