"""Dialogue's routes for the cross-organization sweep (alongside/tests/test_cross_organization.py).

Everything is as visible as the model allows: an organization-wide space with a thread
and alice's post (alice is the author, so even her own-post pages exist).
"""

from __future__ import annotations

from typing import Any

from alongside.dialogue.models import GuidelinesAcceptance, Post, Space, Thread

KWARG_OBJECTS = {
    "space_id": "dialogue_space",
    "thread_uid": "dialogue_thread",
    "post_uid": "dialogue_post",
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
    return {
        "dialogue_space": space.pk,
        "dialogue_thread": thread.uid,
        "dialogue_post": post.uid,
    }
