"""Who wrote a post, as moderation sees it: the member, or the pseudonym and
(only to tell him something) the member behind it through `safespace`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from alongside.dialogue import safespace
from alongside.dialogue.models import Post, Pseudonym, Space

if TYPE_CHECKING:
    from alongside.accounts.models import User


def pseudonym_of(space: Space, user: User) -> Pseudonym | None:
    """The member's pseudonym in a safe space, without creating one."""
    if not space.is_safe:
        return None
    return safespace.pseudonym_for(space, user, create=False)


def owner_of(pseudonym: Pseudonym) -> User | None:
    """The member behind a pseudonym, only to tell him something."""
    return safespace.owner_of(pseudonym)


def is_author(post: Post, user: User) -> bool:
    if post.is_written_by(user):
        return True
    if post.pseudonym_id is None:
        return False
    mine = pseudonym_of(post.thread.space, user)
    return mine is not None and mine.pk == post.pseudonym_id


def author_label(post: Post) -> str:
    """How moderators and the audit log name a post's author: a pseudonym's handle,
    never the member behind it."""
    if post.pseudonym_id is not None:
        assert post.pseudonym is not None
        return post.pseudonym.handle
    if post.author is None or not post.author.is_active:
        return _("A former member")
    return post.author.name
