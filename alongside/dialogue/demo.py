"""Riverside's conversations: an organization-wide space with an active discussion, a
space in the "Men for fair rotas" circle, a listening round in the "Night shift
voices" circle, and the safe space "Questions without judgment". Idempotent: each
part is skipped once its space exists."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from alongside.circles.models import Circle
from alongside.dialogue.models import (
    Flag,
    GuidelinesAcceptance,
    ListeningPhase,
    MemberTrust,
    Post,
    Pseudonym,
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
    _safe_space(organization, users)
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
        _moderation(organization, open_space, users, now)
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


# Moderation: everyone is past the new-member stage except ethan, whose first post
# waits in the queue; yusuf's dismissive reply carries two flags.
NEW_MEMBER = "ethan"
FLAGGED_THREAD = "Meeting notes: who ends up writing them?"
FLAGGED_POST = (
    "yusuf",
    "Honestly, this is a non-issue. If people don't want to write notes they "
    "should just say no instead of complaining here.",
    [
        ("priya", Flag.Reason.OFF_TOPIC, ""),
        ("grace", Flag.Reason.ABUSIVE, "Dismissive"),
    ],
)
HELD_POST = (
    "Books or podcasts that changed how you listen",
    "Hi all, new here. *Just Listen* by Mark Goulston helped me with difficult "
    "conversations on the ward.",
)


def _moderation(
    organization: Organization, space: Space, users: dict[str, User], now: datetime
) -> None:
    for key, user in users.items():
        if key != NEW_MEMBER:
            MemberTrust.objects.get_or_create(
                organization=organization, user=user, defaults={"level": 1}
            )
    author_key, body, flags = FLAGGED_POST
    thread = Thread.objects.filter(space=space, title=FLAGGED_THREAD).first()
    if thread is not None and author_key in users:
        flagged = Post.objects.create(
            thread=thread,
            author=users[author_key],
            body=body,
            created_at=now - timedelta(hours=36),
        )
        Thread.objects.filter(pk=thread.pk).update(
            post_count=F("post_count") + 1, last_posted_at=flagged.created_at
        )
        for reporter, reason, detail in flags:
            if reporter in users:
                Flag.objects.create(
                    post=flagged,
                    reporter=users[reporter],
                    reason=reason,
                    detail=detail,
                    created_at=now - timedelta(hours=30),
                )
    title, body = HELD_POST
    thread = Thread.objects.filter(space=space, title=title).first()
    if thread is not None and NEW_MEMBER in users:
        GuidelinesAcceptance.objects.get_or_create(
            space=space, user=users[NEW_MEMBER], defaults={"version": 1}
        )
        Post.objects.create(
            thread=thread,
            author=users[NEW_MEMBER],
            body=body,
            created_at=now - timedelta(hours=3),
            state=Post.State.HELD,
            held_because=Post.HeldBecause.NEW_MEMBER,
        )


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


# A safe space: members ask under pseudonyms (see safespace.py). Authors are named here
# only to make each one's pseudonym; the pages show the pseudonyms alone.
SAFE_SPACE = "Questions without judgment"
SAFE_GUIDELINES = """\
- **Every question is welcome.** Nobody here was born knowing this.
- **You post under a pseudonym.** Keep it that way: leave out names, teams, wards and
  dates that would point to you or to anyone else.
- **Answer the question asked**, kindly, from your own experience.
- **No guessing who is who.** Moderators remove posts that try.
"""
SAFE_THREADS: list[ThreadSpec] = [
    (
        "Is it my place to say something when a colleague keeps getting talked over?",
        [
            (
                "marcus",
                50,
                "In our handovers one colleague starts to speak and gets cut off "
                "almost every time. I'm not her manager and I don't want to speak "
                "*for* her. Is it my place to say anything, and what would I even say?",
            ),
            (
                "grace",
                46,
                "Speaking as someone who gets cut off: yes, please. Something as "
                'small as "I\'d like to hear the end of what she was saying" '
                "changes the room. You're not speaking for her, you're making space.",
            ),
            (
                "tom",
                44,
                "I started doing exactly that last year. The first time felt "
                "awkward; after a few weeks people began doing it themselves.",
            ),
            (
                "marcus",
                20,
                "Thank you both. I tried it this week and she finished her point. "
                "Nobody made a fuss.",
            ),
        ],
        [(1, "marcus", "thanks"), (1, "tom", "thumbs_up"), (3, "grace", "heart")],
    ),
    (
        "I laughed along at a joke I didn't find funny. How do I handle it now?",
        [
            (
                "noah",
                30,
                "Someone made a joke about women drivers in the break room and I "
                "laughed with everyone else. It's bothered me since. It was days "
                "ago: is it too late to say anything?",
            ),
            (
                "aisha",
                27,
                "It's not too late. A quiet \"that joke the other day didn't sit "
                'right with me" to the person who made it is enough, and it '
                "tells the people who didn't laugh that they weren't alone.",
            ),
            (
                "daniel",
                25,
                "Next time, not laughing is already something. You don't have to "
                "make a speech.",
            ),
        ],
        [(1, "noah", "bulb"), (2, "noah", "thanks")],
    ),
    (
        "How do I ask for school-run hours without it counting against me?",
        [
            (
                "ben",
                12,
                "My partner's shifts changed and I need to do the school run twice a "
                "week. The women on my team ask for this all the time, but I worry "
                "it will look like I'm less committed. How did others ask?",
            ),
            (
                "hannah",
                9,
                "Ask the same way we do: the days, the hours, and how the work gets "
                'covered. When men ask too, it stops being a "mothers\' favour" '
                "and becomes normal. That helps all of us.",
            ),
            (
                "kwame",
                6,
                "I asked last spring with a written proposal for the cover. It was "
                "agreed in one meeting.",
            ),
        ],
        [(0, "hannah", "heart"), (1, "ben", "thanks"), (2, "ben", "thumbs_up")],
    ),
]


def _safe_space(organization: Organization, users: dict[str, User]) -> None:
    """The organization-wide safe space, with pseudonymous questions and answers.
    Skipped once the space exists."""
    from alongside.dialogue import safespace

    if Space.objects.filter(organization=organization, name=SAFE_SPACE).exists():
        return
    now = timezone.now()
    with transaction.atomic():
        space = Space.objects.create(
            organization=organization,
            name=SAFE_SPACE,
            description=(
                "Ask what you'd hesitate to ask under your own name. Everyone here "
                "posts under a pseudonym."
            ),
            guidelines=SAFE_GUIDELINES,
            is_safe=True,
            created_by=users.get("amara"),
            created_at=now - timedelta(days=3),
        )
        for title, posts, reactions in SAFE_THREADS:
            made: list[Post] = []
            thread: Thread | None = None
            for author_key, hours, body in posts:
                author = users.get(author_key)
                if author is None:
                    continue
                pseudonym = safespace.pseudonym_for(space, author)
                # Stored to the day, as the services store a pseudonym's post.
                moment = safespace.day_start(now - timedelta(hours=hours))
                if thread is None:
                    thread = Thread.objects.create(
                        space=space, title=title, created_at=moment
                    )
                made.append(
                    Post.objects.create(
                        thread=thread, pseudonym=pseudonym, body=body, created_at=moment
                    )
                )
                # Stored to the day, as the services store them in a safe space.
                GuidelinesAcceptance.objects.get_or_create(
                    space=space,
                    user=author,
                    defaults={"version": 1, "accepted_at": safespace.day_start(moment)},
                )
                Subscription.objects.get_or_create(
                    thread=thread,
                    pseudonym=pseudonym,
                    defaults={"created_at": safespace.day_start(moment)},
                )
            if thread is None:
                continue
            thread.post_count = len(made)
            thread.last_posted_at = made[-1].created_at
            thread.save(update_fields=("post_count", "last_posted_at"))
            for index, reactor, kind in reactions:
                if index < len(made) and reactor in users:
                    Reaction.objects.get_or_create(
                        post=made[index],
                        pseudonym=safespace.pseudonym_for(space, users[reactor]),
                        kind=kind,
                        defaults={"created_at": safespace.day_start(now)},
                    )
        # Their posts are published, as if approved: their pseudonyms are reviewed.
        Pseudonym.objects.filter(space=space, posts__state=Post.State.PUBLISHED).update(
            reviewed=True
        )
