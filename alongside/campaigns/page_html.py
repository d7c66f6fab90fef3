"""The public campaign pages' HTML that each process renders once and reuses.

The signing form's fields, the anonymous campaign page (all but its CSRF token, counter
and wall) and the "Check your inbox" page depend on the campaign and the language,
never on the visitor, so each process keeps them, keyed by everything they show. The
CSRF token is put in per visitor (visitor_csrf.py); the live copies, at most a second
old, are public_cache.py's.
"""

from __future__ import annotations

import secrets
from urllib.parse import quote, urlencode

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from alongside.campaigns.forms import SignatureForm
from alongside.campaigns.models import Campaign, Signature
from alongside.campaigns.visitor_csrf import CSRF_PLACEHOLDER

WALL_ON_PAGE = 12


def share_links(request: HttpRequest, campaign: Campaign) -> list[tuple[str, str]]:
    url = request.build_absolute_uri(campaign.get_absolute_url())
    text = campaign.title
    return [
        (
            _("Email"),
            f"mailto:?{urlencode({'subject': text, 'body': f'{text} {url}'}, quote_via=quote)}",
        ),
        ("X", f"https://x.com/intent/post?{urlencode({'text': text, 'url': url})}"),
        (
            "LinkedIn",
            f"https://www.linkedin.com/sharing/share-offsite/?{urlencode({'url': url})}",
        ),
        ("WhatsApp", f"https://wa.me/?{urlencode({'text': f'{text} {url}'})}"),
        (
            "Facebook",
            f"https://www.facebook.com/sharer/sharer.php?{urlencode({'u': url})}",
        ),
        (
            "Bluesky",
            f"https://bsky.app/intent/compose?{urlencode({'text': f'{text} {url}'})}",
        ),
    ]


def wall_names(campaign: Campaign) -> list[str]:
    return list(
        Signature.objects.for_campaign(campaign)
        .on_wall()
        .order_by("-confirmed_at", "-id")
        .values_list("first_name", flat=True)[:WALL_ON_PAGE]
    )


# The unbound signing form's fields (about 250 country options, each a template
# render) cost most of the page. They depend only on the language and the campaign's
# form settings, never on the visitor, so each process renders them once per key. The
# CSRF token stays outside, in the page, rendered per visitor.
_FORM_HTML: dict[tuple[object, ...], str] = {}
_FORM_HTML_MAX = 256


def unbound_form_html(campaign: Campaign) -> str:
    key = (
        get_language(),
        campaign.ask_name,
        campaign.ask_country,
        campaign.ask_gender,
        campaign.consent_text,
    )
    html = _FORM_HTML.get(key)
    if html is None:
        html = render_to_string(
            "campaigns/public/_sign_fields.html",
            {"form": SignatureForm(campaign=campaign)},
        )
        if len(_FORM_HTML) >= _FORM_HTML_MAX:
            _FORM_HTML.clear()
        _FORM_HTML[key] = html
    return html


# Placeholders for the per-request parts of pages rendered once per process (random
# per process, so no campaign text can contain them).
_COUNTER_PLACEHOLDER = f"counter{secrets.token_hex(16)}"
_WALL_PLACEHOLDER = f"wall{secrets.token_hex(16)}"

# The public campaign page for anonymous visitors, without its CSRF token, counter and
# wall, keyed by everything else it shows: the language, the scheme and host (absolute
# links), every field of the campaign and its organization's name, and the signing
# state. A changed campaign is a new key, so nothing is ever stale; the counter and the
# wall (which change with every confirmation) are rendered per request, and the CSRF
# token is each visitor's own.
_PAGE_HTML: dict[tuple[object, ...], str] = {}
_PAGE_HTML_MAX = 64


def page_key(request: HttpRequest, campaign: Campaign) -> tuple[object, ...]:
    return (
        get_language(),
        request.is_secure(),
        request.get_host(),
        campaign.organization.name,
        campaign.signing_state(),
        campaign.image.name,
        *(
            getattr(campaign, field.attname)
            for field in Campaign._meta.concrete_fields
            if field.attname not in {"confirmed_count", "image"}
        ),
    )


def anonymous_page(request: HttpRequest, obj: Campaign) -> tuple[int, str]:
    """(campaign id, the anonymous page with a placeholder for the CSRF token)."""
    key = page_key(request, obj)
    html = _PAGE_HTML.get(key)
    if html is None:
        html = render_to_string(
            "campaigns/public/campaign.html",
            {
                "campaign": obj,
                "state": obj.signing_state(),
                "share_links": share_links(request, obj),
                "page_url": request.build_absolute_uri(obj.get_absolute_url()),
                "og_image_url": request.build_absolute_uri(
                    reverse("campaigns:og_image", kwargs={"campaign": obj.slug})
                ),
                "form_html": unbound_form_html(obj),
                "csrf_token": CSRF_PLACEHOLDER,
                "counter_html": _COUNTER_PLACEHOLDER,
                "wall_html": _WALL_PLACEHOLDER,
            },
            request=request,
        )
        if len(_PAGE_HTML) >= _PAGE_HTML_MAX:
            _PAGE_HTML.clear()
        _PAGE_HTML[key] = html
    wall_html = render_to_string(
        "campaigns/public/_wall_names.html",
        {"campaign": obj, "wall": wall_names(obj)},
    )
    counter_html = render_to_string(
        "campaigns/_counter.html", {"campaign": obj, "poll": obj.is_published}
    )
    return obj.pk, html.replace(_COUNTER_PLACEHOLDER, counter_html).replace(
        _WALL_PLACEHOLDER, wall_html
    )


# The "Check your inbox" page is the same for every anonymous signer of a campaign but
# for the CSRF token base.html puts in htmx's headers: each process renders it once per
# campaign title and language with a placeholder, and puts the visitor's own token in.
_DONE_HTML: dict[tuple[object, ...], str] = {}
_DONE_HTML_MAX = 256


def sign_done_html(request: HttpRequest, campaign: Campaign) -> str:
    """The anonymous "Check your inbox" page, with a placeholder for the CSRF token."""
    key = (get_language(), campaign.pk, campaign.slug, campaign.title)
    html = _DONE_HTML.get(key)
    if html is None:
        html = render_to_string(
            "campaigns/public/sign_done.html",
            {"campaign": campaign, "csrf_token": CSRF_PLACEHOLDER},
            request=request,
        )
        if len(_DONE_HTML) >= _DONE_HTML_MAX:
            _DONE_HTML.clear()
        _DONE_HTML[key] = html
    return html
