"""The checked text as HTML with the found words marked: every piece of the user's text
goes through escaping (format_html / conditional_escape); only our own tags are markup.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from alongside.equity.wording.checker import WordingResult
from alongside.equity.wording.reviews import ReviewResult

_BR = mark_safe("<br>")  # a constant of ours, not user text


def _plain(text: str) -> Iterator[SafeString]:
    """Escaped text, with line breaks kept as <br>."""
    for i, line in enumerate(text.split("\n")):
        if i:
            yield _BR
        if line:
            yield conditional_escape(line)


def _join(pieces: Iterable[SafeString]) -> SafeString:
    return format_html_join("", "{}", ((piece,) for piece in pieces))


def _marked(text: str, spans: Iterable[tuple[int, int, SafeString]]) -> SafeString:
    def pieces() -> Iterator[SafeString]:
        position = 0
        for start, end, markup in spans:
            yield from _plain(text[position:start])
            yield markup
            position = end
        yield from _plain(text[position:])

    return _join(pieces())


def highlight_job_ad(text: str, result: WordingResult) -> SafeString:
    """Masculine-coded words in <mark><strong>, feminine-coded in <mark><em>, each with
    a text label for screen readers (not color alone)."""
    masculine_label = _("masculine-coded")
    feminine_label = _("feminine-coded")

    def spans() -> Iterator[tuple[int, int, SafeString]]:
        for word in result.words:
            original = text[word.start : word.end]
            if "masculine" in word.genders:
                markup = format_html(
                    '<mark class="coded-masculine"><strong>{}</strong>'
                    '<span class="visually-hidden"> ({})</span></mark>',
                    original,
                    masculine_label,
                )
            else:
                markup = format_html(
                    '<mark class="coded-feminine"><em>{}</em>'
                    '<span class="visually-hidden"> ({})</span></mark>',
                    original,
                    feminine_label,
                )
            yield word.start, word.end, markup

    return _marked(text, spans())


def highlight_review(text: str, result: ReviewResult) -> SafeString:
    """Flagged phrases in <mark>, strengths in <ins>, each labelled by category."""

    def spans() -> Iterator[tuple[int, int, SafeString]]:
        for finding in result.findings:
            category = finding.category
            tag = "mark" if category.flag else "ins"
            yield (
                finding.start,
                finding.end,
                format_html(
                    '<{} class="review-{}" title="{}">{}'
                    '<span class="visually-hidden"> ({})</span></{}>',
                    tag,
                    category.key,
                    category.name,
                    finding.text,
                    category.name,
                    tag,
                ),
            )

    return _marked(text, spans())
