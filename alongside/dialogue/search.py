"""Full-text search over the posts a member may see.

The permission filter is part of the one query (posts of `Space.objects.visible_to`),
applied before the LIMIT, so nothing the viewer may not see is ever fetched or counted.
PostgreSQL matches English word stems with `to_tsvector('english', body)`, served by
the GIN index of migration 0002 (the expression here must stay identical to it).
Other databases (SQLite in development) fall back to a case-insensitive substring
match on the body.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.postgres.search import SearchQuery, SearchVectorField
from django.db import connection
from django.db.models import F, Func

from alongside.dialogue.models import Post, PostQuerySet, Space

if TYPE_CHECKING:
    from alongside.accounts.models import User
    from alongside.organizations.models import Organization

MAX_QUERY_LENGTH = 200


class BodyVector(Func):
    """The indexed expression of migration 0002, character for character."""

    template = "to_tsvector('english'::regconfig, %(expressions)s)"
    output_field = SearchVectorField()


def search_posts(
    query: str, *, viewer: User, organization: Organization
) -> PostQuerySet:
    """Live posts matching `query` in spaces `viewer` may see, newest first."""
    spaces = Space.objects.visible_to(viewer, organization).values("pk")
    posts = Post.objects.live().filter(thread__space__in=spaces)
    query = query.strip()[:MAX_QUERY_LENGTH]
    if connection.vendor == "postgresql":
        posts = posts.annotate(document=BodyVector(F("body"))).filter(
            document=SearchQuery(query, config="english", search_type="websearch")
        )
    else:
        posts = posts.filter(body__icontains=query)
    return posts
