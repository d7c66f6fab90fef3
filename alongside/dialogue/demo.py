"""Riverside's conversations: an organization-wide space with an active discussion, a
space in the "Men for fair rotas" circle, and a listening round in the "Night shift
voices" circle. Idempotent: each part is skipped once its space exists."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from alongside.circles.models import Circle
from alongside.dialogue.models import (
    GuidelinesAcceptance,
    ListeningPhase,
    Post,
    Reaction,
    Space,
    Subscription,
    Thread,
)

if TYPE_CHECKING:
    from alongside.accounts.models import User
    from alongside.organizations.models import Organization

OPEN_SPACE = "Open conversation"
CIRCLE_SLUG = "men-for-fair-rotas"

GUIDELINES = """\
- **Assume good faith.** People here are learning, including you.
- **Speak from your own experience**; don't retell a colleague's story without asking.
- **No names of patients or colleagues** who are not part of the conversation.
- **Disagree with ideas, not people.**
- If something worries you, use *Raise a concern* instead of a post.
"""

# (title, [(author, hours ago, body)], [(post index, reactor, kind)])
type PostSpec = tuple[str, float, str]
type ThreadSpec = tuple[str, list[PostSpec], list[tuple[int, str, str]]]

OPEN_THREADS: list[ThreadSpec] = [
    (
        "Who picks up the unplanned cover shifts on your ward?",
        [
            (
                "priya",
                70,
                "On our ward it is nearly always the same three women who "
                "say yes when the cover text comes in. Is that the same for you?",
            ),
            (
                "tom",
                66,
                "Honestly, yes. I have started replying first when I can. "
                "It felt awkward the first time, now it's just normal.",
            ),
            (
                "fatima",
                60,
                "Same pattern here. @tom-hughes, did anyone comment when "
                "you started saying yes?",
            ),
            ("tom", 58, "One or two jokes, nothing more. Worth it."),
            (
                "daniel",
                30,
                "We are collecting examples like this in the "
                "*Men for fair rotas* circle, if anyone wants to join.",
            ),
        ],
        [
            (0, "fatima", "thumbs_up"),
            (0, "sofia", "thumbs_up"),
            (1, "priya", "heart"),
            (1, "amara", "thanks"),
            (4, "raj", "bulb"),
        ],
    ),
    (
        "Meeting notes: who ends up writing them?",
        [
            (
                "grace",
                48,
                "Small thing, but in our team meetings the notes always "
                "land with the youngest woman in the room. We now rotate, alphabetically.",
            ),
            ("marcus", 45, "Stealing this for our Thursday meeting."),
            (
                "hannah",
                40,
                "Rotation helped us too. The trick was writing the rota "
                "into the agenda template so nobody has to ask.",
            ),
        ],
        [(0, "marcus", "bulb"), (0, "kwame", "bulb"), (2, "grace", "thanks")],
    ),
    (
        "Books or podcasts that changed how you listen",
        [
            (
                "kwame",
                20,
                "Looking for recommendations for the listening circle. "
                "What helped you become a better listener?",
            ),
            (
                "sofia",
                18,
                "*Invisible Women* opened my eyes to how much data is "
                "designed around men. Not about listening, but it changed what I hear.",
            ),
            (
                "ben",
                12,
                "Anything that makes you practise summarising back what "
                "someone said before you answer. It is harder than it sounds.",
            ),
            ("priya", 6, "Thank you all, adding these to our reading list."),
        ],
        [(1, "priya", "heart"), (2, "kwame", "thumbs_up"), (2, "tom", "thumbs_up")],
    ),
]

CIRCLE_THREADS: list[ThreadSpec] = [
    (
        "Draft: a fair swap request for the rota tool",
        [
            (
                "sofia",
                26,
                "Here is a first draft of how a swap request could look. "
                "Comments welcome before Friday.",
            ),
            (
                "raj",
                22,
                "Looks good. Could we show who has covered most recently, "
                "so the same people are not asked every time?",
            ),
            (
                "daniel",
                20,
                "@raj-patel good point, I will add it to the project circle's goals.",
            ),
        ],
        [(1, "sofia", "bulb"), (2, "raj", "thanks")],
    ),
]


LISTENING_CIRCLE_SLUG = "night-shift-voices"
LISTENING_SPACE = "Stories from the night shift"
LISTENING_GUIDELINES = """\
- **Storytellers speak for themselves**, about what happened to them.
- **Listeners listen.** No questions, advice or "to be fair" while stories are shared.
- **Reflect on what you heard**, not on whether it was true.
- Nothing said here is repeated outside the circle.
"""

# (author, hours ago, kind, body): a round that has reached its reflections.
LISTENING_ROUND: list[tuple[str, float, str, str]] = [
    (
        "sofia",
        80,
        Post.Kind.PROMPT,
        "Think of a night when someone on your shift made things easier for you, "
        "or harder. What happened, and what did it change for you?",
    ),
    (
        "priya",
        70,
        Post.Kind.STORY,
        "A relative shouted at me at 3 a.m. and the registrar walked over, stood "
        "next to me and said nothing until it stopped. He didn't take over. I have "
        "thought about that a lot: he made it clear I wasn't alone without making "
        "it his moment.",
    ),
    (
        "grace",
        66,
        Post.Kind.STORY,
        "Handover is when I get talked over most. One charge nurse started asking "
        "each of us in turn, the same way every night. It sounds small. It meant I "
        "stopped rehearsing what I'd say in the lift.",
    ),
    (
        "tom",
        30,
        Post.Kind.REFLECTION,
        "What I heard: the help that counted was quiet and predictable, not heroic. "
        "I'm going to copy the 'ask each in turn' habit on my handovers.",
    ),
]


def load(organization: Organization, users: dict[str, User]) -> None:
    _listening_round(organization, users)
    if Space.objects.filter(organization=organization, name=OPEN_SPACE).exists():
        return
    with transaction.atomic():
        now = timezone.now()
        open_space = Space.objects.create(
            organization=organization,
            name=OPEN_SPACE,
            description="For anything about allyship at work, open to every member.",
            guidelines=GUIDELINES,
            created_by=users.get("amara"),
            created_at=now - timedelta(days=10),
        )
        _threads(open_space, OPEN_THREADS, users, now)
        circle = Circle.objects.filter(
            organization=organization, slug=CIRCLE_SLUG
        ).first()
        if circle is not None:
            circle_space = Space.objects.create(
                organization=organization,
                circle=circle,
                name="Rota ideas",
                description="Ideas and drafts for fairer rotas, among the circle.",
                guidelines=GUIDELINES,
                created_by=users.get("sofia"),
                created_at=now - timedelta(days=5),
            )
            _threads(circle_space, CIRCLE_THREADS, users, now)


def _threads(
    space: Space, specs: list[ThreadSpec], users: dict[str, User], now: datetime
) -> None:
    for title, posts, reactions in specs:
        made: list[Post] = []
        thread: Thread | None = None
        for author_key, hours, body in posts:
            author = users.get(author_key)
            if author is None:
                continue
            moment = now - timedelta(hours=hours)
            if thread is None:
                thread = Thread.objects.create(
                    space=space, title=title, started_by=author, created_at=moment
                )
            made.append(
                Post.objects.create(
                    thread=thread, author=author, body=body, created_at=moment
                )
            )
            GuidelinesAcceptance.objects.get_or_create(
                space=space, user=author, defaults={"version": 1}
            )
            Subscription.objects.get_or_create(thread=thread, user=author)
        if thread is None:
            continue
        thread.post_count = len(made)
        thread.last_posted_at = made[-1].created_at
        thread.save(update_fields=("post_count", "last_posted_at"))
        for index, reactor, kind in reactions:
            if index < len(made) and reactor in users:
                Reaction.objects.get_or_create(
                    post=made[index], user=users[reactor], kind=kind
                )


def _listening_round(organization: Organization, users: dict[str, User]) -> None:
    """The "Night shift voices" listening circle's space, with a round in its
    reflecting phase. Skipped once the space exists, or without the circle."""
    circle = Circle.objects.filter(
        organization=organization, slug=LISTENING_CIRCLE_SLUG
    ).first()
    if (
        circle is None
        or Space.objects.filter(
            organization=organization, name=LISTENING_SPACE
        ).exists()
    ):
        return
    now = timezone.now()
    with transaction.atomic():
        space = Space.objects.create(
            organization=organization,
            circle=circle,
            name=LISTENING_SPACE,
            description="Listening rounds of the circle: stories first, reflections after.",
            guidelines=LISTENING_GUIDELINES,
            created_by=users.get("sofia"),
            created_at=now - timedelta(days=4),
        )
        thread: Thread | None = None
        count = 0
        for author_key, hours, kind, body in LISTENING_ROUND:
            author = users.get(author_key)
            if author is None:
                continue
            moment = now - timedelta(hours=hours)
            if thread is None:
                thread = Thread.objects.create(
                    space=space,
                    title="Someone who made the night easier",
                    started_by=author,
                    created_at=moment,
                    phase=ListeningPhase.REFLECTING,
                )
            Post.objects.create(
                thread=thread, author=author, body=body, created_at=moment, kind=kind
            )
            count += 1
            GuidelinesAcceptance.objects.get_or_create(
                space=space, user=author, defaults={"version": 1}
            )
            Subscription.objects.get_or_create(thread=thread, user=author)
            thread.last_posted_at = moment
        if thread is not None:
            thread.post_count = count
            thread.save(update_fields=("post_count", "last_posted_at"))
