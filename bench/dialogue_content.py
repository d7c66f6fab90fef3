"""The Markdown posts both dialogue benchmarks seed: deterministic, varied, realistic.

Each post carries a unique marker word (`bench-post-N`) so a benchmark can check that a
page really lists the posts it is supposed to, and not an error page or an empty one.
"""

from __future__ import annotations

# Demo members of Riverside (alongside/demo/people.py) who write the measured thread;
# Daniel, the member the load logs in as, is one of them.
AUTHORS = ("priya", "tom", "fatima", "daniel", "grace")
THREAD_TITLE = "Who picks up the unplanned cover shifts on your ward?"

_OPENINGS = (
    "On our ward it is **nearly always** the same three people who say yes when the "
    "cover text comes in.",
    "I have started replying *first* when I can. It felt awkward the first time, now "
    "it is just normal.",
    "Same pattern here, and it is worth writing down who actually picks the shifts up.",
    "We tried a rota for the cover requests last spring; it lasted two months.",
    "Honest question: does anyone track this, or is it all impressions?",
)
_MIDDLES = (
    "What helped us:\n\n- a shared list of who covered what\n- a rule that nobody "
    "covers twice in a row\n- asking the quiet ones directly",
    "> Small things add up, and the same people end up doing them.\n\nThat line from "
    "the last team meeting stuck with me.",
    "The notes from our meeting are in the [team handbook](https://example.org/handbook) "
    "under *Cover*.",
    "1. Post the request in the group\n2. Wait ten minutes\n3. Then ask someone who "
    "has not covered this month",
    "It is not about blame; it is about noticing `who says yes` and why.",
)
_CLOSINGS = (
    "Curious what others think.",
    "Thanks for starting this thread.",
    "I will bring it up at the next handover.",
    "Does anyone have numbers from their own ward?",
    "More next week.",
)


def marker(n: int) -> str:
    return f"bench-post-{n}"


def post_text(n: int) -> str:
    """Post number `n` (0-based) of a thread: two to three Markdown paragraphs."""
    opening = _OPENINGS[n % len(_OPENINGS)]
    middle = _MIDDLES[(n // len(_OPENINGS)) % len(_MIDDLES)]
    closing = _CLOSINGS[(n * 7) % len(_CLOSINGS)]
    return f"{opening} ({marker(n)})\n\n{middle}\n\n{closing}"


def thread_posts(count: int) -> list[tuple[str, str]]:
    """(author key, Markdown text) of each post of the measured thread, in order."""
    return [(AUTHORS[n % len(AUTHORS)], post_text(n)) for n in range(count)]
