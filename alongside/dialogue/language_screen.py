"""The abusive-language screen: a post that matches is held for a moderator instead of
being published (when the organization keeps the screen on, the default).

The built-in list is deliberately short: clear slurs and abusive terms, and threats.
Matching is case-insensitive and by whole words, and sees through simple disguises:
repeated letters ("biiiitch"), common digit and symbol swaps ("b1tch", "$lut"),
accents, and letters spelled apart ("c.u.n.t", "k y s"). An organization adds its own
words and phrases, and may let built-in ones through (ModerationSettings).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from alongside.dialogue.models import ModerationSettings

# Clear slurs and abusive terms, and threats. Phrases match as a whole.
BUILT_IN_TERMS: tuple[str, ...] = (
    # Misogynist and homophobic/transphobic slurs
    "bitch",
    "cunt",
    "whore",
    "slut",
    "skank",
    "feminazi",
    "faggot",
    "fag",
    "tranny",
    # Racist and ableist slurs
    "nigger",
    "nigga",
    "kike",
    "wetback",
    "retard",
    # Threats and incitement to self-harm
    "kill yourself",
    "kys",
    "i will kill you",
    "ill kill you",
    "i'll kill you",
    "hope you die",
    "you should die",
    "rape you",
    "i will find you",
    "i know where you live",
)

MAX_TERM_LENGTH = 100
MAX_TERMS = 200

# Digits and symbols people type for letters.
_SWAPS = str.maketrans(
    {
        "0": "o",
        "1": "i",
        "!": "i",
        "|": "i",
        "3": "e",
        "4": "a",
        "@": "a",
        "5": "s",
        "$": "s",
        "7": "t",
        "+": "t",
        "8": "b",
        "’": "'",
    }
)
_REPEATS = re.compile(r"(\w)\1+")
# Single letters spelled apart by dots, dashes, stars, underscores or spaces: "c.u.n.t".
_SPELLED_APART = re.compile(r"\b(?:\w[\s.\-_*]){2,}\w\b")
_SEPARATORS = re.compile(r"[\s.\-_*]")


def normalize(text: str) -> str:
    """Lower case, accents off, swaps undone, letters spelled apart joined, repeated
    letters collapsed (applied to terms and text alike, so they meet halfway)."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.lower().translate(_SWAPS)
    text = _SPELLED_APART.sub(lambda m: _SEPARATORS.sub("", m.group(0)), text)
    text = text.replace("'", "")
    return _REPEATS.sub(r"\1", text)


def parse_terms(text: str) -> list[str]:
    """One term a line; blank lines and surrounding spaces ignored, duplicates once."""
    seen: dict[str, str] = {}
    for line in text.splitlines():
        term = " ".join(line.split())
        if term and normalize(term) not in seen:
            seen[normalize(term)] = term
    return list(seen.values())


@lru_cache(maxsize=512)
def _pattern(term: str) -> re.Pattern[str]:
    words = normalize(term).split()
    return re.compile(r"(?<!\w)" + r"\s+".join(map(re.escape, words)) + r"(?!\w)")


def matches(
    body: str, *, extra: list[str] | None = None, allowed: list[str] | None = None
) -> list[str]:
    """The terms of the screen that `body` contains (the built-in list less `allowed`,
    plus `extra`), in list order."""
    let_through = {normalize(t) for t in allowed or []}
    terms = [t for t in BUILT_IN_TERMS if normalize(t) not in let_through]
    terms += [
        t for t in extra or [] if normalize(t) not in {normalize(b) for b in terms}
    ]
    text = normalize(body)
    return [term for term in terms if normalize(term) and _pattern(term).search(text)]


def settings_for(organization_id: int) -> ModerationSettings:
    """The organization's settings, or the defaults (unsaved) until an admin saves."""
    found = ModerationSettings.objects.filter(organization_id=organization_id).first()
    return found or ModerationSettings(organization_id=organization_id)


def screen_post(body: str, settings: ModerationSettings) -> list[str]:
    """What the organization's screen finds in `body` ([] when it is off)."""
    if not settings.screen_enabled:
        return []
    return matches(
        body,
        extra=parse_terms(settings.screen_extra_terms),
        allowed=parse_terms(settings.screen_allowed_terms),
    )
