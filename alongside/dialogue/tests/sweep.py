"""Dialogue's routes for the cross-organization sweep (alongside/tests/test_cross_organization.py).

Everything is as visible as the model allows: an organization-wide space with a thread
and alice's post (alice is the author, so even her own-post pages exist).
"""

from __future__ import annotations

from typing import Any

from alongside.dialogue.models import (
    Appeal,
    GuidelinesAcceptance,
    Post,
    RevealRequest,
    Sanction,
    Space,
    Thread,
)

KWARG_OBJECTS = {
    "space_id": "dialogue_space",
    "thread_uid": "dialogue_thread",
    "post_uid": "dialogue_post",
    # Moderation: a suspension of alice for that post, and her open appeal of it.
    "sanction_id": "dialogue_sanction",
    "appeal_id": "dialogue_appeal",
    # Safe spaces: a reveal request of a pseudonym (safespace.py).
    "reveal_id": "dialogue_reveal",
}


def create_objects(case: Any) -> dict[str, object]:
    space = Space.objects.create(
        organization=case.org,
        name="CANARY-N space",
        guidelines="CANARY-N guidelines",
        created_by=case.paula,
    )
    for user in (case.alice, case.paula):
        GuidelinesAcceptance.objects.create(space=space, user=user, version=1)
    thread = Thread.objects.create(
        space=space, title="CANARY-N thread", started_by=case.alice, post_count=1
    )
    post = Post.objects.create(thread=thread, author=case.alice, body="CANARY-N post")
    sanction = Sanction.objects.create(
        organization=case.org,
        user=case.alice,
        post=post,
        kind=Sanction.Kind.BAN,
        reason="CANARY-N reason",
        created_by=case.paula,
    )
    appeal = Appeal.objects.create(
        organization=case.org, sanction=sanction, statement="CANARY-N appeal"
    )
    safe = Space.objects.create(
        organization=case.org,
        name="CANARY-N safe space",
        guidelines="CANARY-N guidelines",
        is_safe=True,
    )
    from alongside.dialogue import safespace

    pseudonym = safespace.pseudonym_for(safe, case.alice)
    assert pseudonym is not None
    reveal = RevealRequest.objects.create(
        pseudonym=pseudonym, reason="CANARY-N reason", requested_by=case.paula
    )
    return {
        "dialogue_reveal": reveal.pk,
        "dialogue_sanction": sanction.pk,
        "dialogue_appeal": appeal.pk,
        "dialogue_space": space.pk,
        "dialogue_thread": thread.uid,
        "dialogue_post": post.uid,
    }
