"""Per-process caches of what the public campaign pages and the signing form read.

A campaign going viral is read far more often than it changes, so each process keeps,
for at most `CAMPAIGN_PUBLIC_CACHE_SECONDS` (default 1 s):

- the public campaign row by slug, for the signing POST (`signing_campaign`): its form
  settings and title. Whether the campaign is open is checked again by the signature's
  INSERT itself (`services._insert_if_open`), so a campaign closed a moment ago takes
  no signature whatever this copy says;
- the anonymous campaign page as served (`live_page`), counter and wall included, all
  but the visitor's CSRF token, and the live counter fragment the page polls every
  3 s. The count they show is at most that old (the fragment is also sent with
  `Cache-Control: max-age=2`).

A change made through this process (a campaign saved, published or closed, a signature
confirmed or withdrawn) empties the affected entries at once; other processes see it
when their copy expires. Drafts and unknown slugs are never cached (each is a 404).

It also remembers, per request path, language, scheme and host, which cached page the
full middleware stack answered with and that answer's headers (`learn_answer`), so that
`PublicPageFastPath` (middleware.py) can answer the next anonymous visitor with the
same page and headers without the stack (`known_answer`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models.signals import post_delete, post_save
from django.http import HttpResponse

from alongside.campaigns.models import Campaign, Signature

_MAX_ENTRIES = 256
# slug -> (cached at, campaign)
_CAMPAIGNS: dict[str, tuple[float, Campaign]] = {}
# (slug, language, https, host) -> (cached at, campaign id, html)
_PAGES: dict[tuple[object, ...], tuple[float, int, str]] = {}
# (path, language, https, host) -> the answer the full stack gave (see `learn_answer`)
_ANSWERS: dict[tuple[object, ...], Answer] = {}
# The attribute a view sets on a response that may be answered again without the stack.
_MARK = "_alongside_public_page"


@dataclass(frozen=True, slots=True)
class Answer:
    """How to answer a request again: the cached page (`page_key`, in `_PAGES`), with
    or without the visitor's CSRF token in place of `visitor_csrf.CSRF_PLACEHOLDER`,
    and the headers the full stack sent with it (all but Content-Length and cookies)."""

    page_key: tuple[object, ...]
    csrf_token: bool
    headers: dict[str, str]


def ttl() -> float:
    return settings.CAMPAIGN_PUBLIC_CACHE_SECONDS


def signing_campaign(slug: str, load: Callable[[str], Campaign]) -> Campaign:
    """The public campaign `slug`, from this process's copy if it is fresh enough.

    `load` reads it from the database (and raises Http404 for drafts and unknown
    slugs, which are not cached). The copy is shared: read it, never change it.
    """
    now = time.monotonic()
    hit = _CAMPAIGNS.get(slug)
    if hit is not None and now - hit[0] < ttl():
        return hit[1]
    campaign = load(slug)
    if len(_CAMPAIGNS) >= _MAX_ENTRIES:
        _CAMPAIGNS.clear()
    _CAMPAIGNS[slug] = (now, campaign)
    return campaign


def live_page(key: tuple[object, ...], render: Callable[[], tuple[int, str]]) -> str:
    """The cached page for `key` (its first item is the slug), or `render()`'s
    (campaign id, html), which is then kept for `ttl()` seconds."""
    now = time.monotonic()
    hit = _PAGES.get(key)
    if hit is not None and now - hit[0] < ttl():
        return hit[2]
    campaign_id, html = render()
    if len(_PAGES) >= _MAX_ENTRIES:
        _PAGES.clear()
    _PAGES[key] = (now, campaign_id, html)
    return html


def fresh_page(key: tuple[object, ...]) -> str | None:
    """The cached page for `key` if it is fresh enough, else None (nothing rendered)."""
    hit = _PAGES.get(key)
    if hit is not None and time.monotonic() - hit[0] < ttl():
        return hit[2]
    return None


def mark_answer(
    response: HttpResponse, page_key: tuple[object, ...], *, csrf_token: bool
) -> None:
    """`response` is the cached page `page_key` as served (with the visitor's CSRF token
    if `csrf_token`), and depends on nothing else of the request than its path,
    language, scheme and host: the same request may be answered again from the cache."""
    setattr(response, _MARK, (page_key, csrf_token))


def learn_answer(request_key: tuple[object, ...], response: HttpResponse) -> None:
    """Remember the full stack's answer to `request_key` if its view marked it as
    repeatable (`mark_answer`) and it is a 200 that sets no cookie."""
    mark = getattr(response, _MARK, None)
    if mark is None or response.status_code != 200 or response.cookies:
        return
    headers = {k: v for k, v in response.items() if k.lower() != "content-length"}
    if len(_ANSWERS) >= _MAX_ENTRIES:
        _ANSWERS.clear()
    _ANSWERS[request_key] = Answer(mark[0], mark[1], headers)


def known_answer(request_key: tuple[object, ...]) -> tuple[Answer, str] | None:
    """The answer learned for `request_key` and its page, while the page is fresh."""
    answer = _ANSWERS.get(request_key)
    if answer is None:
        return None
    html = fresh_page(answer.page_key)
    return None if html is None else (answer, html)


def invalidate_pages(campaign_id: int) -> None:
    """The campaign's counter or wall changed: drop its cached pages."""
    for key, entry in list(_PAGES.items()):
        if entry[1] == campaign_id:
            _PAGES.pop(key, None)


def invalidate_all() -> None:
    """A campaign changed (text, settings, state, slug): drop everything."""
    _CAMPAIGNS.clear()
    _PAGES.clear()
    _ANSWERS.clear()


def _campaign_changed(sender: Any, **kwargs: Any) -> None:
    invalidate_all()


def _signature_saved(sender: Any, instance: Signature, **kwargs: Any) -> None:
    invalidate_pages(instance.campaign_id)


def connect_signals() -> None:
    """Saving a campaign or a signature with the ORM empties the caches (queryset
    `update()`s do not send signals: the services call the invalidation themselves).
    No delete receiver on Signature: it would stop Django's fast bulk deletes."""
    post_save.connect(_campaign_changed, sender=Campaign, dispatch_uid="campaigns-pc-1")
    post_delete.connect(
        _campaign_changed, sender=Campaign, dispatch_uid="campaigns-pc-2"
    )
    post_save.connect(_signature_saved, sender=Signature, dispatch_uid="campaigns-pc-3")
