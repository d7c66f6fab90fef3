"""The gendered-wording checker for job ads (Gaucher, Friesen & Kay 2011).

The rules (tokenizing, hyphens, exceptions, counting, verdicts) are those written in
`gendered_wording.json`, shipped beside this module and loaded once.

How it stays fast (at least 10 MB/s on one core, see `bench/wording.py`): the text is
never split into Python strings. Three C-speed passes do the work:

1. `str.encode("ascii", "replace")` turns every code point >= 128 into one `?` byte,
   which is a separator anyway. One character becomes one byte, so byte offsets are
   character offsets of the original text, which the highlighter needs.
2. `bytes.translate` lower-cases ASCII letters and maps every separator (whitespace and
   the separator punctuation) to a space: tokens are then runs of non-space bytes.
3. ONE compiled regex, a trie of all stems, finds only the coded words:

   - ` (?:hyphenated stems)[^ ]*`: a whole token that starts with a hyphenated stem is
     kept whole (`self-confident`), hyphens and all;
   - `[ -](?:all stems)[^ -]*`: otherwise any hyphen-separated part that starts with a
     stem (`servant-leader` -> `leader`).

   A space is put before the text so that every token starts after a space; the match
   includes that space or hyphen, and the word is the rest of the match. Trying the
   first branch first means the parts of a kept-whole token are never counted again.

Only the (few) matches reach Python, where exceptions are dropped and each word is
classified with `str.startswith(tuple_of_stems)`, so a word counts once per list however
many stems of that list it starts with.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal

DATA_PATH = Path(__file__).with_name("gendered_wording.json")

type Gender = Literal["masculine", "feminine"]

STRONGLY_FEMININE = "strongly feminine-coded"
FEMININE = "feminine-coded"
NEUTRAL = "neutral"
MASCULINE = "masculine-coded"
STRONGLY_MASCULINE = "strongly masculine-coded"
EMPTY = "empty"
VERDICTS = (STRONGLY_FEMININE, FEMININE, NEUTRAL, MASCULINE, STRONGLY_MASCULINE, EMPTY)

# ASCII separators besides whitespace, from the tokenisation rule.
SEPARATOR_PUNCTUATION = ".,<>*?!\"[]@':;()/&"


@dataclass(frozen=True, slots=True)
class CodedWord:
    """One coded word: `text[start:end]` of the checked text, `word` lower-cased."""

    word: str
    start: int
    end: int
    genders: tuple[Gender, ...]
    stem: str  # the longest matching stem, for suggestions


@dataclass(frozen=True, slots=True)
class WordingResult:
    verdict: str
    masculine_words: list[str]
    feminine_words: list[str]
    words: list[CodedWord] = field(repr=False)

    @property
    def score(self) -> int:
        """Feminine minus masculine count: the verdict's basis."""
        return len(self.feminine_words) - len(self.masculine_words)

    def as_dict(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict,
            "masculine_words": self.masculine_words,
            "feminine_words": self.feminine_words,
        }


@dataclass(frozen=True)
class Lexicon:
    """The word lists and the compiled pattern, built once from the data file."""

    data: dict[str, Any]
    masculine: tuple[str, ...]
    feminine: tuple[str, ...]
    hyphenated: tuple[str, ...]
    exceptions: frozenset[str]
    pattern: re.Pattern[bytes]
    table: bytes
    cache: dict[bytes, tuple[str, bool, bool]] = field(default_factory=dict)

    def stem_for(self, word: str, stems: tuple[str, ...]) -> str:
        return max((s for s in stems if word.startswith(s)), key=len)


def _whitespace_ascii() -> str:
    # The Gender Decoder replaces Python's `\s` with spaces; in ASCII that is
    # \t \n \v \f \r, the separators \x1c-\x1f and the space itself.
    return "".join(c for c in map(chr, range(128)) if re.match(r"\s", c))


def translation_table() -> bytes:
    """Bytes -> lower-case ASCII; separators and non-ASCII (`?`) -> space."""
    table = bytearray(range(256))
    for char in _whitespace_ascii() + SEPARATOR_PUNCTUATION:
        table[ord(char)] = ord(" ")
    for code in range(ord("A"), ord("Z") + 1):
        table[code] = code + 32
    for code in range(128, 256):  # never produced by encode("ascii"), but be total
        table[code] = ord(" ")
    return bytes(table)


def trie_regex(words: list[str] | tuple[str, ...]) -> str:
    """A regex matching any of `words` as a prefix, factored as a trie.

    `re` tries the branches of a plain alternation one after another; a trie makes the
    pattern fail after one or two characters on the common non-coded word.
    """
    trie: dict[str, Any] = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}  # end of a stem

    def build(node: dict[str, Any]) -> str:
        if "" in node:
            # A stem ends here: since stems match as prefixes, anything longer is
            # covered too, so the rest of this branch is irrelevant.
            return ""
        branches = [
            re.escape(char) + build(child) for char, child in sorted(node.items())
        ]
        if len(branches) == 1:
            return branches[0]
        return "(?:" + "|".join(branches) + ")"

    return build(trie)


def build_lexicon(data: dict[str, Any]) -> Lexicon:
    masculine = tuple(data["masculine_coded"])
    feminine = tuple(data["feminine_coded"])
    hyphenated = tuple(data["hyphenated_stems"])
    stems = masculine + feminine
    for stem in stems:
        if (
            stem != stem.lower()
            or not stem.isascii()
            or any(c in stem for c in " " + SEPARATOR_PUNCTUATION)
        ):
            raise ValueError(f"stem {stem!r} cannot match any token")
    # A hyphen-separated part has no hyphen, so stems with one only ever match whole
    # tokens (the first branch); leaving them out of the second keeps `x-self-confident`
    # from matching `self-confident` after its first hyphen.
    part_stems = [stem for stem in stems if "-" not in stem]
    branches = []
    if hyphenated:
        branches.append(rb" " + trie_regex(hyphenated).encode() + rb"[^ ]*")
    if part_stems:
        branches.append(rb"[ \-]" + trie_regex(part_stems).encode() + rb"[^ \-]*")
    source = b"|".join(branches) or rb"(?!)"  # no stems: a pattern that never matches
    return Lexicon(
        data=data,
        masculine=masculine,
        feminine=feminine,
        hyphenated=hyphenated,
        exceptions=frozenset(data["non_coded_exceptions"]),
        pattern=re.compile(source),
        table=translation_table(),
    )


@cache
def lexicon() -> Lexicon:
    """The shipped word lists, read and compiled once per process."""
    with DATA_PATH.open(encoding="utf-8") as f:
        return build_lexicon(json.load(f))


def verdict_for(masculine: int, feminine: int) -> str:
    score = feminine - masculine
    if score > 3:
        return STRONGLY_FEMININE
    if score > 0:
        return FEMININE
    if score < -3:
        return STRONGLY_MASCULINE
    if score < 0:
        return MASCULINE
    return NEUTRAL if masculine else EMPTY


def normalized(text: str, lex: Lexicon | None = None) -> bytes:
    """The text as the pattern sees it: a leading space, then one byte per character."""
    lex = lex or lexicon()
    return b" " + text.encode("ascii", "replace").translate(lex.table)


def _classify(lex: Lexicon, raw: bytes) -> tuple[str, bool, bool] | None:
    """(word, masculine?, feminine?) for a matched token part, or None for an exception.

    Memoized per lexicon: job ads repeat the same few coded words, and a dict lookup is
    cheaper than decoding and testing two tuples of stems again.
    """
    cached = lex.cache.get(raw)
    if cached is None:
        word = raw[1:].decode("ascii")
        if word in lex.exceptions:
            cached = (word, False, False)
        else:
            cached = (
                word,
                word.startswith(lex.masculine),
                word.startswith(lex.feminine),
            )
        if len(lex.cache) > 50_000:  # bound the memory a hostile text can take
            lex.cache.clear()
        lex.cache[raw] = cached
    return cached if (cached[1] or cached[2]) else None


def check(
    text: str, *, positions: bool = False, lex: Lexicon | None = None
) -> WordingResult:
    """Find the coded words of `text`, in text order, and the verdict.

    With `positions`, `result.words` also holds each word's offsets in `text` and its
    stem (for highlighting and suggestions); without, it is empty and the check is
    faster.
    """
    lex = lex or lexicon()
    masculine: list[str] = []
    feminine: list[str] = []
    words: list[CodedWord] = []
    if not positions:
        for raw in lex.pattern.findall(normalized(text, lex)):
            found = _classify(lex, raw)
            if found is not None:
                if found[1]:
                    masculine.append(found[0])
                if found[2]:
                    feminine.append(found[0])
    else:
        for match in lex.pattern.finditer(normalized(text, lex)):
            found = _classify(lex, match[0])
            if found is None:
                continue
            word, is_masculine, is_feminine = found
            genders: list[Gender] = []
            if is_masculine:
                masculine.append(word)
                genders.append("masculine")
            if is_feminine:
                feminine.append(word)
                genders.append("feminine")
            stems = lex.masculine if is_masculine else lex.feminine
            # The match includes the space or hyphen before the word; the space put
            # before the text shifts offsets by one, so match.start() is the word's
            # offset in `text`.
            words.append(
                CodedWord(
                    word=word,
                    start=match.start(),
                    end=match.end() - 1,
                    genders=tuple(genders),
                    stem=lex.stem_for(word, stems),
                )
            )
    return WordingResult(
        verdict=verdict_for(len(masculine), len(feminine)),
        masculine_words=masculine,
        feminine_words=feminine,
        words=words,
    )
