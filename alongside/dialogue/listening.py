"""Listening rounds: structured dialogue in a listening circle's space.

A facilitator opens a round with a prompt. While it is *sharing*, members tell their
stories and the others listen: there are no replies to argue with, only stories. When
the facilitator moves it to *reflecting*, listeners say what they heard and what they
take away. *Closed* ends the round; it stays readable. Each post keeps the kind it was
written as (prompt, story or reflection), so the page shows the round's shape.

This module holds the rules; `services.thread_start`/`services.reply` apply them, and
`round_phase_set` is the facilitator's one write.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from alongside.audit.services import audit_record
from alongside.circles.models import Circle, CircleMembership
from alongside.dialogue.models import ListeningPhase, Post, Subscription, Thread
from alongside.notifications.models import Notification
from alongside.notifications.services import notification_send

if TYPE_CHECKING:
    from alongside.accounts.models import User
    from alongside.dialogue.models import Space

# The order a round moves in; it never goes back, so nobody's story is reopened to
# debate once reflections have started.
NEXT_PHASE = {
    ListeningPhase.SHARING: ListeningPhase.REFLECTING,
    ListeningPhase.REFLECTING: ListeningPhase.CLOSED,
}


class RoundClosed(PermissionDenied):
    """The listening round is closed: it can be read, not added to."""


def runs_rounds(space: Space) -> bool:
    """Only a listening circle's spaces hold listening rounds."""
    return space.circle is not None and space.circle.kind == Circle.Kind.LISTENING


def can_run_round(space: Space, user: User) -> bool:
    """A listening circle's facilitators open rounds and move them along."""
    return (
        runs_rounds(space)
        and space.circle is not None
        and space.circle.is_facilitator(user)
    )


def post_kind_for(thread: Thread, author: User) -> str:
    """What a new post in `thread` by `author` is: an ordinary post outside a round;
    in a round, the facilitator's words are prompts, and the others' are stories
    while sharing and reflections after. A closed round takes nothing."""
    if not thread.phase:
        return Post.Kind.POST
    if thread.phase == ListeningPhase.CLOSED:
        raise RoundClosed
    if can_run_round(thread.space, author):
        return Post.Kind.PROMPT
    if thread.phase == ListeningPhase.SHARING:
        return Post.Kind.STORY
    return Post.Kind.REFLECTION


@transaction.atomic
def round_phase_set(thread: Thread, *, user: User, phase: str) -> None:
    """Move the round one step on (sharing → reflecting → closed) and tell the circle
    members who follow it. Asking for the phase it is already in changes nothing, so
    a double click is harmless; skipping or going back is refused."""
    space = thread.space
    if not thread.phase or not can_run_round(space, user):
        raise PermissionDenied
    locked = Thread.objects.select_for_update().get(pk=thread.pk)
    if locked.phase == phase:
        return
    if NEXT_PHASE.get(ListeningPhase(locked.phase)) != phase:
        raise PermissionDenied
    locked.phase = phase
    locked.save(update_fields=("phase",))
    thread.phase = phase
    audit_record(
        action="dialogue.listening_phase_changed",
        actor=user,
        organization=space.organization,
        target=thread,
        target_key=str(thread.uid),
        day_only=space.is_safe,
        data={"space": space.name, "phase": phase},
    )
    message = (
        _("Reflections are open in “%(thread)s”: say what you heard.")
        if phase == ListeningPhase.REFLECTING
        else _("The listening round “%(thread)s” is closed. Thank you for taking part.")
    ) % {"thread": thread.title}
    members = CircleMembership.objects.filter(circle=space.circle).values("user_id")
    followers = (
        Subscription.objects.filter(
            thread=thread, user__isnull=False, user__is_active=True
        )
        .filter(user_id__in=members)
        .exclude(user=user)
        .select_related("user")
    )
    for subscription in followers:
        assert subscription.user is not None
        notification_send(
            user=subscription.user,
            organization=space.organization,
            kind=Notification.Kind.ORGANIZATION,
            message=message,
            url=thread.get_absolute_url(),
        )
