"""Trust levels, the gates they open, flag weights and posting rate limits.

Discourse's trust levels are the model (docs/dialogue.md): a member starts at trust
level 0 (new) in an organization's conversations and is promoted with published posts
and time. Program admins and facilitators count as level 4 (leaders) for every gate.

| level | reached by | what changes |
| --- | --- | --- |
| 0 new | joining | posts held for review; no flags; ≤ 2 links and ≤ 2 mentions a post; 120 s between topics, 30 s between replies; 3 topics and 10 replies in the first day |
| 1 basic | 3 published posts and 1 day of membership | posts publish at once; flags weigh 1; 20 topics a day |
| 2 member | 20 published posts and 30 days | flags weigh 2 |
| 3 regular | 50 published posts and 90 days | flags weigh 3 |
| 4 leader | program admin or facilitator | hides directly, no limits |

A moderator may set a member's level by hand; the automatic rule then leaves it alone.
Posting limits are counted in the database (exact, and testable with a frozen clock).

**Safe spaces** use none of this. A pseudonym's gates depend on its own pseudonymous
history in its space only (`pseudonym_level`): never on the real account's level, role,
join date or real-name posts, which would let a moderator set a member's level, or
look at who joined today, and watch which pseudonym changes. Every pseudonym, a
moderator's included, starts new: its posts are held for review until a moderator
approved one (`Pseudonym.reviewed`), with the new-member content and rate limits
counted on its own posts (its "first day" starts at its first post); it never leads.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.core.cache import cache
from django.db.models import Exists, F, OuterRef, Q
from django.db.models.expressions import Combinable
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from alongside.dialogue.models import MemberTrust, Post, Pseudonym, Space
from alongside.organizations.models import Membership

if TYPE_CHECKING:
    from alongside.accounts.models import User
    from alongside.organizations.models import Organization

Level = MemberTrust.Level

# Automatic promotion: (level, published posts, days of membership), highest first.
PROMOTIONS: tuple[tuple[int, int, int], ...] = (
    (Level.REGULAR, 50, 90),
    (Level.MEMBER, 20, 30),
    (Level.BASIC, 3, 1),
)

# A flag's weight by the reporter's level. Level 0 cannot flag; moderators hide.
FLAG_WEIGHTS: dict[int, int] = {Level.BASIC: 1, Level.MEMBER: 2, Level.REGULAR: 3}

# New members (level 0): at most this many links and mentions in one post.
NEW_MEMBER_MAX_LINKS = 2
NEW_MEMBER_MAX_MENTIONS = 2

# Posting rate limits: Discourse's defaults, adopted as ours.
NEW_MEMBER_TOPIC_INTERVAL = timedelta(seconds=120)  # rate_limit_new_user_create_topic
NEW_MEMBER_REPLY_INTERVAL = timedelta(seconds=30)  # rate_limit_new_user_create_post
FIRST_DAY = timedelta(days=1)
FIRST_DAY_MAX_TOPICS = 3  # max_topics_in_first_day
FIRST_DAY_MAX_REPLIES = 10  # max_replies_in_first_day
MAX_TOPICS_PER_DAY = 20  # max_topics_per_day
DUPLICATE_WINDOW = timedelta(minutes=5)  # unique_posts_mins

LINK = re.compile(r"(?:https?://|mailto:|www\.)\S+", re.IGNORECASE)
# The same shape announcements.MENTION resolves (kept here to avoid an import cycle).
MENTION = re.compile(r"(?<![\w@])@([\w][\w-]{0,79})", re.UNICODE)


def is_moderator_role(membership: Membership | None) -> bool:
    return membership is not None and membership.is_facilitator


def level_of(
    organization: Organization, user: User, membership: Membership | None = None
) -> int:
    """The member's trust level in the organization's conversations (4 for program
    admins and facilitators)."""
    if membership is None:
        membership = Membership.objects.of(user, organization).first()
    if is_moderator_role(membership):
        return Level.LEADER
    level = (
        MemberTrust.objects.filter(organization=organization, user=user)
        .values_list("level", flat=True)
        .first()
    )
    return level if level is not None else Level.NEW


def pseudonym_level(pseudonym: Pseudonym | None) -> int:
    """A pseudonym's level, from its own history in its space only: NEW until a
    moderator approved one of its posts (`Pseudonym.reviewed`), then BASIC. Nothing
    of the account behind it is read (see the module docstring)."""
    if pseudonym is None or not pseudonym.reviewed:
        return Level.NEW
    return Level.BASIC


def level_in_space(space: Space, user: User) -> int:
    """As `level_of`, and a circle's facilitators lead in its spaces."""
    membership = Membership.objects.of(user, space.organization_id).first()
    if membership is not None and space.can_moderate(membership):
        return Level.LEADER
    return level_of(space.organization, user, membership)


def automatic_level(approved_posts: int, member_since: datetime, now: datetime) -> int:
    """The level the automatic rule gives (moderators' choices aside)."""
    age = now - member_since
    for level, posts, days in PROMOTIONS:
        if approved_posts >= posts and age >= timedelta(days=days):
            return level
    return Level.NEW


def flag_weight(level: int) -> int:
    """0 for a member who may not flag (level 0)."""
    return FLAG_WEIGHTS.get(min(level, Level.REGULAR), 0)


# Gates --------------------------------------------------------------------------------


class PostingRefused(Exception):
    """A gate said no: `message` says why and what to do instead."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class RateLimited(PostingRefused):
    """Too many posts too fast (HTTP 429): `retry_after` seconds until it is allowed."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = max(1, retry_after)


def check_content(body: str, level: int) -> None:
    """A new member's post may hold at most two links and two mentions."""
    if level > Level.NEW:
        return
    links = len(LINK.findall(body))
    if links > NEW_MEMBER_MAX_LINKS:
        raise PostingRefused(
            ngettext(
                "New members can put at most %(max)d link in a post; this one has "
                "%(n)d. Remove some and post again.",
                "New members can put at most %(max)d links in a post; this one has "
                "%(n)d. Remove some and post again.",
                NEW_MEMBER_MAX_LINKS,
            )
            % {"max": NEW_MEMBER_MAX_LINKS, "n": links}
        )
    mentions = len({m.lower() for m in MENTION.findall(body)})
    if mentions > NEW_MEMBER_MAX_MENTIONS:
        raise PostingRefused(
            ngettext(
                "New members can mention at most %(max)d person in a post; this one "
                "mentions %(n)d. Remove some and post again.",
                "New members can mention at most %(max)d people in a post; this one "
                "mentions %(n)d. Remove some and post again.",
                NEW_MEMBER_MAX_MENTIONS,
            )
            % {"max": NEW_MEMBER_MAX_MENTIONS, "n": mentions}
        )


def _by(user: User, pseudonym: Pseudonym | None) -> Q:
    """Posts written by the member: under his name, or under his pseudonym here."""
    q = Q(author_id=user.pk)
    if pseudonym is not None:
        q |= Q(pseudonym=pseudonym)
    return q


def _is_opening() -> Combinable:
    """A post is a topic when it is its thread's first (no earlier post there)."""
    earlier = Post.objects.filter(thread_id=OuterRef("thread_id")).filter(
        Q(created_at__lt=OuterRef("created_at"))
        | Q(created_at=OuterRef("created_at"), id__lt=OuterRef("id"))
    )
    return ~Exists(earlier)


def _duplicate() -> PostingRefused:
    return PostingRefused(
        _(
            "You posted the same message here a moment ago. Say something new, "
            "or wait a few minutes."
        )
    )


def _too_soon(*, is_topic: bool, wait: int) -> RateLimited:
    message = (
        _(
            "New members can start a conversation every two minutes. "
            "Please wait %(seconds)d seconds."
        )
        if is_topic
        else _(
            "New members can reply every 30 seconds. Please wait %(seconds)d seconds."
        )
    )
    return RateLimited(message % {"seconds": wait}, wait)


def _first_day_full(*, is_topic: bool, cap: int, wait: int) -> RateLimited:
    message = (
        _(
            "In their first day, new members can start %(max)d "
            "conversations. You can start more tomorrow."
        )
        if is_topic
        else _(
            "In their first day, new members can post %(max)d "
            "replies. You can reply again tomorrow."
        )
    )
    return RateLimited(message % {"max": cap}, wait)


def _daily_topics_full(*, wait: int) -> RateLimited:
    return RateLimited(
        _(
            "You have started %(max)d conversations in the last day, the "
            "most we allow. You can start another later."
        )
        % {"max": MAX_TOPICS_PER_DAY},
        wait,
    )


def _wait(oldest: datetime, window: timedelta, now: datetime) -> int:
    return math.ceil((oldest + window - now).total_seconds())


def check_rate(
    *,
    space: Space,
    user: User,
    body: str,
    is_topic: bool,
    level: int,
    now: datetime,
    thread_id: int | None = None,
    pseudonym: Pseudonym | None = None,
) -> None:
    """Raise RateLimited when this post would break a posting limit, or PostingRefused
    for a duplicate of the member's own recent post in the same thread.

    In a safe space only the pseudonym's own posts count (none of his real-name
    posts, nor his join date), see `_check_pseudonym_rate`."""
    if space.is_safe:
        _check_pseudonym_rate(
            pseudonym=pseudonym,
            body=body,
            is_topic=is_topic,
            level=level,
            now=now,
            thread_id=thread_id,
        )
        return
    mine = Post.objects.filter(_by(user, pseudonym))
    if thread_id is not None and body.strip():
        duplicate = (
            mine.filter(
                thread_id=thread_id,
                deleted_at__isnull=True,
                created_at__gt=now - DUPLICATE_WINDOW,
            )
            .values_list("body", flat=True)
            .order_by()
        )
        if any(b.strip() == body.strip() for b in duplicate):
            raise _duplicate()
    if level >= Level.LEADER:
        return
    in_org = mine.filter(thread__space__organization_id=space.organization_id)
    # A topic is a thread's first post: no earlier post in its thread.
    opening = _is_opening()
    kind = in_org.filter(opening) if is_topic else in_org.exclude(opening)
    if level == Level.NEW:
        interval = NEW_MEMBER_TOPIC_INTERVAL if is_topic else NEW_MEMBER_REPLY_INTERVAL
        last = (
            kind.filter(created_at__gt=now - interval)
            .order_by("-created_at")
            .values_list("created_at", flat=True)
            .first()
        )
        if last is not None:
            wait = _wait(last, interval, now)
            raise _too_soon(is_topic=is_topic, wait=wait)
        joined = (
            Membership.objects.of(user, space.organization_id)
            .values_list("joined_at", flat=True)
            .first()
        )
        if joined is not None and now - joined < FIRST_DAY:
            cap = FIRST_DAY_MAX_TOPICS if is_topic else FIRST_DAY_MAX_REPLIES
            if kind.filter(created_at__gte=joined).count() >= cap:
                wait = _wait(joined, FIRST_DAY, now)
                raise _first_day_full(is_topic=is_topic, cap=cap, wait=wait)
    if is_topic:
        day = now - timedelta(days=1)
        recent = list(
            kind.filter(created_at__gt=day)
            .order_by("created_at")
            .values_list("created_at", flat=True)[: MAX_TOPICS_PER_DAY + 1]
        )
        if len(recent) >= MAX_TOPICS_PER_DAY:
            wait = _wait(
                recent[len(recent) - MAX_TOPICS_PER_DAY], timedelta(days=1), now
            )
            raise _daily_topics_full(wait=wait)


# A pseudonym's posts are stored with the day only (safespace.day_start), so the
# limits that need exact recent times read them from a short-lived cache entry:
# sealed, under a keyed name, and gone once the longest window is over. Its expiry
# is rounded up to WINDOW_BUCKET, so even the entry's lifetime dates no post closer.
WINDOW = max(DUPLICATE_WINDOW, NEW_MEMBER_TOPIC_INTERVAL, NEW_MEMBER_REPLY_INTERVAL)
WINDOW_BUCKET = timedelta(minutes=10)


def _body_digest(body: str) -> str:
    return hashlib.sha256(body.strip().encode()).hexdigest()


def _window(pseudonym: Pseudonym) -> list[dict[str, Any]]:
    """The pseudonym's posts of the last few minutes, from the cache (newest last)."""
    from alongside.dialogue import safespace

    value = cache.get(safespace.window_cache_key(pseudonym.pk))
    if not isinstance(value, str):
        return []
    plain = safespace.open_window(pseudonym.pk, value)
    if plain is None:
        return []
    try:
        entries = json.loads(plain)
    except ValueError:
        return []
    if not isinstance(entries, list):
        return []
    return [
        e
        for e in entries
        if isinstance(e, dict) and isinstance(e.get("at"), (int, float))
    ]


def pseudonym_posted(
    pseudonym: Pseudonym, *, thread_id: int, body: str, is_topic: bool, now: datetime
) -> None:
    """Remember, for WINDOW only, that the pseudonym just posted (for check_rate)."""
    from alongside.dialogue import safespace

    moment = now.timestamp()
    entries = [
        e for e in _window(pseudonym) if moment - e["at"] < WINDOW.total_seconds()
    ]
    entries.append(
        {
            "at": moment,
            "thread": thread_id,
            "topic": is_topic,
            "body": _body_digest(body),
        }
    )
    bucket = WINDOW_BUCKET.total_seconds()
    expires = math.ceil((moment + WINDOW.total_seconds()) / bucket) * bucket
    cache.set(
        safespace.window_cache_key(pseudonym.pk),
        safespace.seal_window(pseudonym.pk, json.dumps(entries).encode()),
        timeout=max(1, math.ceil(expires - moment)),
    )


def _check_pseudonym_rate(
    *,
    pseudonym: Pseudonym | None,
    body: str,
    is_topic: bool,
    level: int,
    now: datetime,
    thread_id: int | None,
) -> None:
    """check_rate for a pseudonym, by its own history only: the short windows (a
    duplicate within five minutes, a new pseudonym's intervals) from its cache entry,
    the daily caps from its posts' days. Its first day is the calendar day of its first
    post, and "a day" for the topic cap is the calendar day (the site's time zone)."""
    from alongside.dialogue import safespace

    if pseudonym is None:
        return  # Its first post: nothing to limit yet.
    moment = now.timestamp()
    recent = _window(pseudonym)
    mine = Post.objects.filter(pseudonym=pseudonym)
    if thread_id is not None and body.strip():
        digest = _body_digest(body)
        seen = any(
            e.get("thread") == thread_id
            and e.get("body") == digest
            and moment - e["at"] < DUPLICATE_WINDOW.total_seconds()
            for e in recent
        )
        # Still there (a deleted post does not count, as for anyone).
        if seen and any(
            b.strip() == body.strip()
            for b in mine.filter(thread_id=thread_id, deleted_at__isnull=True)
            .values_list("body", flat=True)
            .order_by()
        ):
            raise _duplicate()
    if level >= Level.LEADER:
        return
    today = safespace.day_start(now)
    tomorrow = safespace.day_start(today + timedelta(hours=36))
    until_tomorrow = max(1, math.ceil((tomorrow - now).total_seconds()))
    opening = _is_opening()
    kind = mine.filter(opening) if is_topic else mine.exclude(opening)
    if level == Level.NEW:
        interval = NEW_MEMBER_TOPIC_INTERVAL if is_topic else NEW_MEMBER_REPLY_INTERVAL
        last = max(
            (
                e["at"]
                for e in recent
                if bool(e.get("topic")) == is_topic
                and moment - e["at"] < interval.total_seconds()
            ),
            default=None,
        )
        if last is not None:
            wait = max(1, math.ceil(last + interval.total_seconds() - moment))
            raise _too_soon(is_topic=is_topic, wait=wait)
        first = mine.order_by("created_at").values_list("created_at", flat=True).first()
        if first is not None and first >= today:
            cap = FIRST_DAY_MAX_TOPICS if is_topic else FIRST_DAY_MAX_REPLIES
            if kind.filter(created_at__gte=today).count() >= cap:
                raise _first_day_full(is_topic=is_topic, cap=cap, wait=until_tomorrow)
    if is_topic and kind.filter(created_at__gte=today).count() >= MAX_TOPICS_PER_DAY:
        raise _daily_topics_full(wait=until_tomorrow)


def recompute(organization: Organization, user: User, *, published: int = 0) -> int:
    """Add `published` to the member's published posts and apply the automatic rule
    (unless a moderator set his level). Returns the new level."""
    trust, _created = MemberTrust.objects.get_or_create(
        organization=organization, user=user
    )
    if published:
        MemberTrust.objects.filter(pk=trust.pk).update(
            approved_posts=F("approved_posts") + published
        )
        trust.refresh_from_db()
    if trust.set_by_moderator:
        return trust.level
    joined = (
        Membership.objects.of(user, organization)
        .values_list("joined_at", flat=True)
        .first()
    )
    now = timezone.now()
    level = automatic_level(trust.approved_posts, joined or now, now)
    # Automatic promotion never demotes (a moderator does that by hand).
    if level > trust.level:
        trust.level = level
        trust.updated_at = now
        trust.save(update_fields=("level", "updated_at"))
    return trust.level
