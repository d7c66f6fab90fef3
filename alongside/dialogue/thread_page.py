"""What a thread page shows of each post, and what the viewer may do with it.

The thread page is the forum's busiest page, and at 50 posts its time went into the
template asking the same questions 50 times: reversing the same six URLs, formatting
dates, deciding which links a viewer gets. Here each post becomes a `PostRow` of plain
values, worked out once in Python (one query for the reactions of the whole page, each
URL reversed once per page), and the template only writes them out.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING, Any, TypedDict
from uuid import UUID

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from alongside.dialogue.models import Post, Pseudonym, Reaction
from alongside.dialogue.templatetags.dialogue_tags import dialogue_time

if TYPE_CHECKING:
    from alongside.accounts.models import User

# Stands for a post's uid in a URL reversed once per page (see PostLinks).
_UID = UUID(int=0)


class PostLinks:
    """The URLs of the actions on a post, reversed once per page: each is the same
    pattern with the post's uid in it, so the uid is put into a reversed template."""

    NAMES = (
        "react",
        "post_edit",
        "post_delete",
        "moderate_post",
        "flag",
        "appeal_post",
    )

    def __init__(self, org_slug: str) -> None:
        # Each URL split around the placeholder uid (the last occurrence: the post
        # comes after the organization in every path).
        self._parts: dict[str, tuple[str, str]] = {}
        for name in self.NAMES:
            url = reverse(
                f"dialogue:{name}", kwargs={"org": org_slug, "post_uid": _UID}
            )
            head, found, tail = url.rpartition(str(_UID))
            assert found, url
            self._parts[name] = (head, tail)

    def url(self, name: str, uid: UUID) -> str:
        head, tail = self._parts[name]
        return f"{head}{uid}{tail}"


# The rows are dictionaries (typed): a dictionary key is the first thing the template
# engine tries for `{{ row.name }}`, where an attribute costs it a failed lookup first.


class ReactionCount(TypedDict):
    kind: str
    emoji: str
    label: str
    count: int
    mine: bool
    # What the button says to a screen reader, with the count.
    aria_label: str
    # The button's value: the kind, and whether pressing it adds (1) or takes back (0).
    value: str


class PostAction(TypedDict):
    url: str
    label: str
    # Said to screen readers after the label: which post the link acts on.
    context: str


class PostRow(TypedDict, total=False):
    uid: UUID
    author_name: str
    is_mine: bool
    # What shows instead of a deleted or hidden post, if anything does: then only
    # uid, author_name and is_mine are set.
    stub: str
    kind_label: str
    time_html: SafeString
    edited: bool
    actions: list[PostAction]
    # The notice above a held or hidden post, and the appeal link for its author.
    notice: str
    appeal_url: str
    body_html: SafeString
    reactions: list[ReactionCount]
    # The bar's buttons, written here once per post (see reaction_buttons).
    reaction_buttons: SafeString
    react_url: str


def reaction_counts(
    post_ids: list[int], viewer_id: int, pseudonym: Pseudonym | None = None
) -> dict[int, dict[str, tuple[int, bool]]]:
    """Counts of each reaction on each post, and whether the viewer gave it (as his
    `pseudonym` in a safe space): one query for the whole page."""
    mine = Q(pseudonym=pseudonym) if pseudonym is not None else Q(user_id=viewer_id)
    rows = (
        Reaction.objects.filter(post_id__in=post_ids)
        .values("post_id", "kind")
        .annotate(n=Count("id"), mine=Count("id", filter=mine))
        .order_by()
    )
    counts: dict[int, dict[str, tuple[int, bool]]] = {}
    for row in rows:
        counts.setdefault(row["post_id"], {})[row["kind"]] = (row["n"], row["mine"] > 0)
    return counts


def _kinds() -> list[tuple[str, str, str]]:
    """(kind, emoji, label) of each reaction, in the viewer's language."""
    return [
        (kind, Reaction.EMOJI[kind], str(label))
        for kind, label in Reaction.Kind.choices
    ]


def reaction_list(
    counts: dict[str, tuple[int, bool]],
    kinds: list[tuple[str, str, str]],
    pattern: str,
) -> list[ReactionCount]:
    """The reactions bar of one post, from its entry in reaction_counts(); `kinds`
    (from _kinds()) and the label `pattern` are worked out once per page."""
    reactions = []
    for kind, emoji, label in kinds:
        count, mine = counts.get(kind, (0, False))
        reactions.append(
            ReactionCount(
                kind=kind,
                emoji=emoji,
                label=label,
                count=count,
                mine=mine,
                aria_label=pattern % {"label": label, "n": count},
                value=f"{kind}:{0 if mine else 1}",
            )
        )
    return reactions


# One toggle button per kind of reaction: aria-pressed says whether the viewer gave it,
# the label says which reaction and how many. Written in Python rather than in the
# template: 200 of them on a 50-post page cost the template engine a third of the page.
_BUTTON = (
    '<button type="submit" name="reaction" value="{}" class="outline secondary '
    'reaction" aria-pressed="{}" aria-label="{}"><span aria-hidden="true">{} {}'
    "</span></button>"
)


def reaction_buttons(reactions: list[ReactionCount]) -> SafeString:
    # Every value is escaped here (the counts are integers); html.escape is Django's
    # escape without its lazy-string wrapper, which cost more than the escaping.
    return mark_safe(  # noqa: S308 - each value escaped just below
        "\n".join(
            _BUTTON.format(
                escape(r["value"]),
                "true" if r["mine"] else "false",
                escape(r["aria_label"]),
                escape(r["emoji"]),
                int(r["count"]),
            )
            for r in reactions
        )
    )


def post_rows(
    posts: list[Post],
    viewer: User,
    *,
    org_slug: str,
    safe: bool,
    pseudonym: Pseudonym | None = None,
    moderator: bool = False,
    can_request_reveal: bool = False,
) -> list[PostRow]:
    """The rows of a thread page for `viewer`: `pseudonym` is his in the space (a safe
    space), `moderator` whether he moderates it."""
    links = PostLinks(org_slug)
    labels = _Labels()
    counts = reaction_counts([p.pk for p in posts], viewer.pk, pseudonym)
    kinds = _kinds()
    pattern = _("%(label)s (%(n)s)")
    rows = []
    for post in posts:
        if post.pseudonym_id is not None:
            # A safe space: his posts there are those of his pseudonym in it.
            is_mine = pseudonym is not None and post.pseudonym_id == pseudonym.pk
        else:
            is_mine = post.author_id is not None and post.author_id == viewer.pk
        row = PostRow(
            uid=post.uid, author_name=post.display_author_for(viewer), is_mine=is_mine
        )
        rows.append(row)
        state = post.state
        if post.deleted_at is not None:
            row["stub"] = (
                labels.removed if post.removed_by_moderator else labels.deleted
            )
            continue
        if state == Post.State.HIDDEN and not is_mine and not moderator:
            row["stub"] = labels.hidden
            continue
        row["kind_label"] = (
            "" if post.kind == Post.Kind.POST else post.get_kind_display()
        )
        row["time_html"] = dialogue_time(post.created_at, safe)
        row["edited"] = post.edited_at is not None
        row["actions"] = _actions(
            post,
            row["author_name"],
            links,
            labels,
            is_mine=is_mine,
            moderator=moderator,
            can_request_reveal=can_request_reveal,
            org_slug=org_slug,
        )
        row["notice"] = _notice(post, is_mine)
        row["appeal_url"] = (
            links.url("appeal_post", post.uid)
            if is_mine and state == Post.State.HIDDEN
            else ""
        )
        row["body_html"] = post.body_html()
        if state == Post.State.PUBLISHED:
            row["reactions"] = reaction_list(counts.get(post.pk, {}), kinds, pattern)
            row["reaction_buttons"] = reaction_buttons(row["reactions"])
            row["react_url"] = links.url("react", post.uid)
    return rows


class _Labels:
    """The words each row repeats, translated once per page."""

    def __init__(self) -> None:
        self.removed = _("This post was removed by a moderator.")
        self.deleted = _("This post was deleted by its author.")
        self.hidden = _("This post was hidden by a moderator.")
        self.edit = _("Edit")
        self.delete = _("Delete")
        self.your_post = _("your post")
        self.moderate = _("Moderate")
        self.flag = _("Flag")
        self.the_post_by = _("the post by %(name)s")


def _actions(
    post: Post,
    author_name: str,
    links: PostLinks,
    labels: _Labels,
    *,
    is_mine: bool,
    moderator: bool,
    can_request_reveal: bool,
    org_slug: str,
) -> list[PostAction]:
    uid = post.uid
    actions: list[PostAction] = []
    if is_mine:
        actions.append(
            PostAction(
                url=links.url("post_edit", uid),
                label=labels.edit,
                context=labels.your_post,
            )
        )
        actions.append(
            PostAction(
                url=links.url("post_delete", uid),
                label=labels.delete,
                context=labels.your_post,
            )
        )
    the_post_by = labels.the_post_by % {"name": author_name}
    if moderator:
        actions.append(
            PostAction(
                url=links.url("moderate_post", uid),
                label=labels.moderate,
                context=the_post_by,
            )
        )
    elif not is_mine and post.state == Post.State.PUBLISHED:
        actions.append(
            PostAction(
                url=links.url("flag", uid), label=labels.flag, context=the_post_by
            )
        )
    if can_request_reveal and post.pseudonym_id is not None:
        actions.append(
            PostAction(
                url=reverse(
                    "dialogue:reveal_request", kwargs={"org": org_slug, "post_uid": uid}
                ),
                label=_("Request a reveal"),
                context=_("of %(name)s") % {"name": author_name},
            )
        )
    return actions


def _notice(post: Post, is_mine: bool) -> str:
    if post.state == Post.State.HELD:
        if is_mine:
            return _(
                "Waiting for review: only you and the moderators can see this post "
                "until a moderator approves it."
            )
        if post.held_because == Post.HeldBecause.REVIEW:
            return _("Held for review.")
        return _("Held for review:") + " " + post.get_held_because_display()
    if post.state == Post.State.HIDDEN:
        return _("Hidden by a moderator: others see only that it was hidden.")
    return ""


def single_row(post: Post, viewer: User, **kwargs: Any) -> PostRow:
    """One post's row, as on its thread page (the reactions bar htmx swaps in)."""
    return post_rows([post], viewer, **kwargs)[0]
