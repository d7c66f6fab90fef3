"""Markdown rendered safely: markdown-it without raw HTML, then an nh3 allowlist."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from django.utils.safestring import SafeString, mark_safe

if TYPE_CHECKING:
    from markdown_it import MarkdownIt


@cache
def _md() -> MarkdownIt:
    """The parser, built at first use: markdown-it loads when text is rendered."""
    from markdown_it import MarkdownIt

    return MarkdownIt(
        "commonmark", {"html": False, "linkify": False, "typographer": False}
    ).enable("strikethrough")


ALLOWED_TAGS = {
    "p", "br", "strong", "em", "del", "s", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "h3", "h4", "h5", "h6", "hr",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}


def sanitize_html(html: str) -> str:
    import nh3

    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"https", "http", "mailto"},
        link_rel="nofollow noopener noreferrer ugc",
    )


def render_markdown(text: str) -> SafeString:
    """Render user Markdown to HTML that is safe to insert into a page.

    Headings are shifted down (h1/h2 become h3/h4) so user text cannot outrank the page.
    """
    html = _md().render(text or "")
    html = (
        html.replace("<h1>", "<h3>")
        .replace("</h1>", "</h3>")
        .replace("<h2>", "<h4>")
        .replace("</h2>", "</h4>")
    )
    return mark_safe(sanitize_html(html))  # noqa: S308 - sanitized by nh3 just above
