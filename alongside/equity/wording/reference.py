"""A slow, literal implementation of the rules in `gendered_wording.json`.

Written to be obviously right, not fast: a loop over characters, a split, and a loop
over every stem for every token, as the Gender Decoder does (but counting a word once
per list, as the data file's rules say). The tests (property-based) and
`bench/wording.py` check the fast checker against it.
"""

from __future__ import annotations

from typing import Any

from alongside.equity.wording.checker import SEPARATOR_PUNCTUATION, verdict_for


def reference_tokens(text: str, data: dict[str, Any]) -> list[str]:
    """The words of `text` after the tokenisation and hyphen rules."""
    cleaned = "".join(
        " " if ord(ch) >= 128 or ch.isspace() or ch in SEPARATOR_PUNCTUATION else ch
        for ch in text
    )
    tokens = [piece.lower() for piece in cleaned.split(" ") if piece != ""]
    words: list[str] = []
    for token in tokens:
        if "-" in token and not any(
            token.startswith(stem) for stem in data["hyphenated_stems"]
        ):
            words.extend(token.split("-"))
        else:
            words.append(token)
    return words


def reference_check(text: str, data: dict[str, Any]) -> dict[str, Any]:
    masculine: list[str] = []
    feminine: list[str] = []
    for word in reference_tokens(text, data):
        if word in data["non_coded_exceptions"]:
            continue
        if any(word.startswith(stem) for stem in data["masculine_coded"]):
            masculine.append(word)
        if any(word.startswith(stem) for stem in data["feminine_coded"]):
            feminine.append(word)
    return {
        "verdict": verdict_for(len(masculine), len(feminine)),
        "masculine_words": masculine,
        "feminine_words": feminine,
    }
