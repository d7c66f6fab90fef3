from __future__ import annotations

import contextlib
import csv
import hashlib
import logging
import re
import secrets
from collections.abc import Iterator
from typing import Any, cast
from urllib.parse import quote, urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.forms import BaseForm
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    StreamingHttpResponse,
)
from django.middleware.csrf import (
    CSRF_ALLOWED_CHARS,
    CSRF_SECRET_LENGTH,
    get_token,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from alongside.audit.services import audit_record
from alongside.campaigns import pgsign, public_cache, ratelimit, services, stats
from alongside.campaigns.forms import CampaignForm, SignatureForm
from alongside.campaigns.images import og_card
from alongside.campaigns.models import Campaign, Signature
from alongside.lib.http import client_ip
from alongside.lib.pagination import paginate
from alongside.lib.ratelimit import private_key_part
from alongside.organizations.access import (
    OrgHttpRequest,
    admin_required,
    member_required,
)
from alongside.organizations.models import Membership, Organization
from alongside.organizations.services import organization_join

logger = logging.getLogger(__name__)

WALL_ON_PAGE = 12
COUNTER_MAX_AGE = 2
OG_MAX_AGE = 60


def sign_rate_limit() -> tuple[int, int]:
    return (
        int(getattr(settings, "CAMPAIGN_SIGN_RATE_LIMIT", 30)),
        int(getattr(settings, "CAMPAIGN_SIGN_RATE_WINDOW", 600)),
    )


# Helpers ----------------------------------------------------------------------------


def _public_campaign(slug: str) -> Campaign:
    """A campaign the public may see (published or closed); drafts are 404."""
    return get_object_or_404(
        Campaign.objects.public().select_related("organization"), slug=slug
    )


def _private(response: HttpResponse) -> HttpResponse:
    """Pages opened from emailed links carry secrets: no referrer, cache or index."""
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _share_links(request: HttpRequest, campaign: Campaign) -> list[tuple[str, str]]:
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


def _public_context(
    request: HttpRequest, campaign: Campaign, **extra: Any
) -> dict[str, Any]:
    return {
        "campaign": campaign,
        "state": campaign.signing_state(),
        "wall": _wall_names(campaign),
        "share_links": _share_links(request, campaign),
        "page_url": request.build_absolute_uri(campaign.get_absolute_url()),
        "og_image_url": request.build_absolute_uri(
            reverse("campaigns:og_image", kwargs={"campaign": campaign.slug})
        ),
        **extra,
    }


def _add_errors(form: BaseForm, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _invalid_link(request: HttpRequest, reason: str, *, kind: str) -> HttpResponse:
    status = 404 if reason == "unknown" else 410
    return _private(
        render(
            request,
            "campaigns/public/link_invalid.html",
            {"reason": reason, "kind": kind},
            status=status,
        )
    )


# Public pages (no account) ----------------------------------------------------------


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
_CSRF_PLACEHOLDER = f"csrf{secrets.token_hex(16)}"
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


def _page_key(request: HttpRequest, campaign: Campaign) -> tuple[object, ...]:
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


def _wall_names(campaign: Campaign) -> list[str]:
    return list(
        Signature.objects.for_campaign(campaign)
        .on_wall()
        .order_by("-confirmed_at", "-id")
        .values_list("first_name", flat=True)[:WALL_ON_PAGE]
    )


@login_not_required
def campaign_public(request: HttpRequest, campaign: str) -> HttpResponse:
    if request.user.is_authenticated or len(get_messages(request)):
        obj = _public_campaign(campaign)
        return render(
            request,
            "campaigns/public/campaign.html",
            _public_context(request, obj, form_html=unbound_form_html(obj)),
        )
    # Anonymous visitors: the page as served, counter and wall included, is kept per
    # process for up to a second (public_cache); only the CSRF token is per visitor.
    key = (campaign, get_language(), request.is_secure(), request.get_host())
    html = public_cache.live_page(key, lambda: _anonymous_page(request, campaign))
    response = _with_csrf_token(request, html)
    public_cache.mark_answer(response, key, csrf_token=True)
    return response


def _with_csrf_token(request: HttpRequest, html: str) -> HttpResponse:
    """A page rendered once with a placeholder, answered with the visitor's own token.

    The token is the visitor's CSRF secret (from their cookie) under a fresh random
    mask, as `get_token` makes it (`_masked_csrf_token`). `get_token` would also mark
    the CSRF cookie to be sent again, only to renew its one-year expiry; a campaign
    page or a "Check your inbox" answer skips that Set-Cookie (and its date formatting)
    when the request came with a valid cookie. A visitor without one (or with a
    malformed one) gets a new cookie through `get_token` as usual, and a cookie the
    middleware has marked for an update (e.g. rotated) is still sent. Vary: Cookie is
    set either way: the page holds a per-visitor token, so no shared cache may serve it
    to anyone else.
    """
    secret = request.META.get("CSRF_COOKIE")
    if isinstance(secret, str) and _CSRF_SECRET.fullmatch(secret):
        token = _masked_csrf_token(secret)
    else:
        token = get_token(request)
    response = HttpResponse(html.replace(_CSRF_PLACEHOLDER, token))
    patch_vary_headers(response, ("Cookie",))
    return response


def answer_with_csrf_token(
    request: HttpRequest, answer: public_cache.Answer, html: str
) -> HttpResponse | None:
    """A known answer, given again without the middleware stack (middleware.py).

    `html` is the cached page the answer came from, with the visitor's own CSRF token
    put in, as `_with_csrf_token` does, if the answer had one; None if it had one and
    the visitor has no well-formed CSRF cookie (the full stack then sets one). The
    headers are the full stack's, as learned; only Content-Length is worked out.
    """
    if answer.csrf_token:
        secret = request.COOKIES.get(settings.CSRF_COOKIE_NAME)
        if secret is None or not _CSRF_SECRET.fullmatch(secret):
            return None
        html = html.replace(_CSRF_PLACEHOLDER, _masked_csrf_token(secret))
    response = HttpResponse(html, headers=answer.headers)
    response.headers["Content-Length"] = str(len(response.content))
    return response


_CSRF_CHARS = CSRF_ALLOWED_CHARS
_CSRF_INDEX = {c: i for i, c in enumerate(_CSRF_CHARS)}
_CSRF_BASE = len(_CSRF_CHARS)
_CSRF_ACCEPT = 256 - 256 % _CSRF_BASE  # bytes below this are uniform modulo the base
_CSRF_SECRET = re.compile(f"[{re.escape(_CSRF_CHARS)}]{{{CSRF_SECRET_LENGTH}}}")


def _masked_csrf_token(secret: str) -> str:
    """`django.middleware.csrf.get_token`'s masked token for `secret`, made faster.

    The same format (a random mask of CSRF_SECRET_LENGTH characters, then each secret
    character shifted by the mask's, modulo CSRF_ALLOWED_CHARS) and the same
    randomness (each mask character uniform over the allowed characters, from the
    operating system's CSPRNG), so the CSRF middleware accepts it and no two answers
    share a token (BREACH). Django draws each mask character with
    `secrets.choice`; here 32 characters come from one `secrets.token_bytes` call by
    rejection sampling (bytes at or above a multiple of the alphabet's size are
    dropped, so none is likelier than another): 8x less CPU, on a path every signing
    answer and every campaign page takes.
    """
    mask = [b % _CSRF_BASE for b in secrets.token_bytes(48) if b < _CSRF_ACCEPT]
    while len(mask) < CSRF_SECRET_LENGTH:
        mask.extend(b % _CSRF_BASE for b in secrets.token_bytes(16) if b < _CSRF_ACCEPT)
    del mask[CSRF_SECRET_LENGTH:]
    chars, index, base = _CSRF_CHARS, _CSRF_INDEX, _CSRF_BASE
    return "".join([chars[m] for m in mask]) + "".join(
        [chars[(index[c] + m) % base] for c, m in zip(secret, mask, strict=True)]
    )


def _anonymous_page(request: HttpRequest, slug: str) -> tuple[int, str]:
    """(campaign id, the anonymous page with a placeholder for the CSRF token)."""
    obj = _public_campaign(slug)
    key = _page_key(request, obj)
    html = _PAGE_HTML.get(key)
    if html is None:
        html = render_to_string(
            "campaigns/public/campaign.html",
            {
                "campaign": obj,
                "state": obj.signing_state(),
                "share_links": _share_links(request, obj),
                "page_url": request.build_absolute_uri(obj.get_absolute_url()),
                "og_image_url": request.build_absolute_uri(
                    reverse("campaigns:og_image", kwargs={"campaign": obj.slug})
                ),
                "form_html": unbound_form_html(obj),
                "csrf_token": _CSRF_PLACEHOLDER,
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
        {"campaign": obj, "wall": _wall_names(obj)},
    )
    counter_html = render_to_string(
        "campaigns/_counter.html", {"campaign": obj, "poll": obj.is_published}
    )
    return obj.pk, html.replace(_COUNTER_PLACEHOLDER, counter_html).replace(
        _WALL_PLACEHOLDER, wall_html
    )


@login_not_required
def sign(request: HttpRequest, campaign: str) -> HttpResponse:
    # This process's copy of the campaign, at most a second old: the INSERT checks
    # again that it is open (public_cache, services._insert_if_open).
    obj = public_cache.signing_campaign(campaign, _public_campaign)
    if request.method != "POST":
        return redirect(obj)
    form = SignatureForm(request.POST, campaign=obj)
    # Everything that needs no database first (the form, the address, the links'
    # digests, the email task's row), so that what follows only writes: on SQLite a
    # transaction holds the database's write lock from BEGIN to COMMIT.
    outcome, state, draft = _sign_prepare(obj, form)
    limit, window = sign_rate_limit()
    client = private_key_part(client_ip(request))
    # Every submission counts against the limit (invalid ones, repeats and honeypot
    # hits too): the hit comes first, and a refused one stores nothing. A signature,
    # its hit and its queued email are written together, with one commit.
    if draft is None or limit <= 0:
        # Nothing to store: the hit alone, one statement (its own transaction).
        if not ratelimit.hit(client, limit=limit, window=window):
            outcome = "rate_limited"
    else:
        outcome, state = _sign_store(form, draft, client, limit, window)
    ratelimit.maybe_purge()
    if outcome == "rate_limited":
        response = render(
            request, "campaigns/public/rate_limited.html", {"campaign": obj}, status=429
        )
        response["Retry-After"] = str(window)
        return response
    if outcome == "received":
        return _sign_done(request, obj)
    if outcome == "not_open":
        return render(
            request,
            "campaigns/public/not_open.html",
            {"campaign": obj, "state": state},
            status=410,
        )
    return render(
        request,
        "campaigns/public/campaign.html",
        _public_context(request, obj, form=form),
        status=400,
    )


# The "Check your inbox" page is the same for every anonymous signer of a campaign but
# for the CSRF token base.html puts in htmx's headers: each process renders it once per
# campaign title and language with a placeholder, and puts the visitor's own token in.
_DONE_HTML: dict[tuple[object, ...], str] = {}
_DONE_HTML_MAX = 256


def _sign_done(request: HttpRequest, campaign: Campaign) -> HttpResponse:
    context = {"campaign": campaign}
    if request.user.is_authenticated or len(get_messages(request)):
        return render(request, "campaigns/public/sign_done.html", context)
    key = (get_language(), campaign.pk, campaign.slug, campaign.title)
    html = _DONE_HTML.get(key)
    if html is None:
        html = render_to_string(
            "campaigns/public/sign_done.html",
            {**context, "csrf_token": _CSRF_PLACEHOLDER},
            request=request,
        )
        if len(_DONE_HTML) >= _DONE_HTML_MAX:
            _DONE_HTML.clear()
        _DONE_HTML[key] = html
    return _with_csrf_token(request, html)


def _sign_prepare(
    campaign: Campaign, form: SignatureForm
) -> tuple[str, str, services.SignatureDraft | None]:
    """The outcome of a submission as far as it is known without the database:
    (outcome, state, draft). "received" with a draft to store, or without one for a
    honeypot hit (dropped, with the same answer); ("not_open", state); "invalid"."""
    if form.is_bot():
        logger.info(
            "campaign %s: honeypot field filled; submission dropped", campaign.pk
        )
        return "received", "", None
    state = campaign.signing_state()
    if state != "open":
        return "not_open", state, None
    if not form.is_valid():
        return "invalid", "", None
    data = form.cleaned_data
    try:
        draft = services.signature_draft(
            campaign=campaign,
            email=data["email"],
            first_name=data.get("first_name", ""),
            country=data.get("country", ""),
            gender=data.get("gender", ""),
            show_name=data.get("show_name", False),
            email_is_normalized=True,
        )
    except services.CampaignNotOpen as e:
        return "not_open", e.state, None
    except ValidationError as e:
        _add_errors(form, e)
        return "invalid", "", None
    return "received", "", draft


def _sign_store(
    form: SignatureForm,
    draft: services.SignatureDraft,
    client: str,
    limit: int,
    window: int,
) -> tuple[str, str]:
    """Record the submission's rate-limit hit and, if it is allowed, store the drafted
    signature and its email: in one statement on PostgreSQL (pgsign), in one
    transaction elsewhere. ("received", ""), ("rate_limited", ""), ("not_open",
    state) or ("invalid", "")."""
    try:
        if pgsign.usable(draft):
            allowed, pk = pgsign.hit_and_store(
                draft,
                client=client,
                limit=limit,
                window=window,
                language=get_language() or "",
            )
            if not allowed:
                return "rate_limited", ""
            if pk is None:  # a repeat, or the campaign closed meanwhile
                with transaction.atomic():
                    services.signature_not_inserted(draft)
        else:
            allowed = services.signature_store_after_hit(
                draft,
                ratelimit.statement(client, limit=limit, window=window),
                hit_alias=ratelimit.alias(),
            )
            if not allowed:
                return "rate_limited", ""
    except services.CampaignNotOpen as e:
        return "not_open", e.state
    except ValidationError as e:
        _add_errors(form, e)
        return "invalid", ""
    return "received", ""


def _counter_html(campaign: Campaign, *, poll: bool) -> str:
    return render_to_string(
        "campaigns/_counter.html", {"campaign": campaign, "poll": poll}
    )


@login_not_required
def counter(request: HttpRequest, campaign: str) -> HttpResponse:
    """The live counter fragment htmx polls: the stored count, cacheable for 2 s.

    Like the anonymous page, the fragment as served is kept per process for up to
    `CAMPAIGN_PUBLIC_CACHE_SECONDS` (public_cache; a confirmation or withdrawal in this
    process drops it at once): every open campaign page polls it every 3 s, so on a
    launch day it is read far more often than the count changes.
    """
    key = (campaign, "counter", get_language())
    html = public_cache.live_page(key, lambda: _counter_fragment(campaign))
    response = HttpResponse(html)
    patch_cache_control(response, public=True, max_age=COUNTER_MAX_AGE)
    public_cache.mark_answer(response, key, csrf_token=False)
    return response


def _counter_fragment(slug: str) -> tuple[int, str]:
    obj = get_object_or_404(
        Campaign.objects.public().only(
            "slug", "status", "goal", "confirmed_count", "starts_at", "ends_at"
        ),
        slug=slug,
    )
    return obj.pk, _counter_html(obj, poll=obj.is_published)


@login_not_required
@never_cache
def confirm(request: HttpRequest, campaign: str, token: str) -> HttpResponse:
    try:
        signature = services.signature_for_confirm_token(token)
    except services.LinkInvalid as e:
        return _invalid_link(request, e.reason, kind="confirm")
    if signature.campaign.slug != campaign:
        return _invalid_link(request, "unknown", kind="confirm")
    obj = signature.campaign
    if request.method == "POST":
        try:
            signature = services.signature_confirm(token=token)
        except services.LinkInvalid as e:
            return _invalid_link(request, e.reason, kind="confirm")
        obj.refresh_from_db()
        convert_url = (
            reverse("campaigns:convert", kwargs={"campaign": obj.slug})
            + "?"
            + urlencode({"from_signature": services.conversion_token(signature)})
        )
        return _private(
            render(
                request,
                "campaigns/public/confirm_done.html",
                _public_context(request, obj, convert_url=convert_url),
            )
        )
    return _private(
        render(
            request,
            "campaigns/public/confirm.html",
            {"campaign": obj, "signature": signature},
        )
    )


@login_not_required
@never_cache
def withdraw(request: HttpRequest, campaign: str, token: str) -> HttpResponse:
    try:
        signature = services.signature_for_withdraw_token(token)
    except services.LinkInvalid as e:
        return _invalid_link(request, e.reason, kind="withdraw")
    if signature.campaign.slug != campaign:
        return _invalid_link(request, "unknown", kind="withdraw")
    if request.method == "POST":
        try:
            obj = services.signature_withdraw(token=token)
        except services.LinkInvalid as e:
            return _invalid_link(request, e.reason, kind="withdraw")
        return _private(
            render(request, "campaigns/public/withdraw_done.html", {"campaign": obj})
        )
    return _private(
        render(
            request,
            "campaigns/public/withdraw.html",
            {"campaign": signature.campaign, "signature": signature},
        )
    )


@login_not_required
def wall(request: HttpRequest, campaign: str) -> HttpResponse:
    obj = _public_campaign(campaign)
    names = (
        Signature.objects.for_campaign(obj)
        .on_wall()
        .order_by("-confirmed_at", "-id")
        .values_list("first_name", flat=True)
    )
    return render(
        request,
        "campaigns/public/wall.html",
        {"campaign": obj, "page_obj": paginate(request, names, per_page=60)},
    )


@login_not_required
def og_image(request: HttpRequest, campaign: str) -> HttpResponse:
    obj = _public_campaign(campaign)
    title = hashlib.sha256(obj.title.encode()).hexdigest()[:16]
    key = (
        f"campaigns:og:org{obj.organization_id}:{obj.pk}:"
        f"{obj.confirmed_count}:{obj.goal}:{title}"
    )
    png = cache.get(key)
    if png is None:
        png = og_card(obj)
        cache.set(key, png, timeout=OG_MAX_AGE * 10)
    response = HttpResponse(png, content_type="image/png")
    patch_cache_control(response, public=True, max_age=OG_MAX_AGE)
    return response


@login_not_required
def widget(request: HttpRequest, campaign: str) -> HttpResponse:
    """A small page partner sites embed in an iframe: counter and a sign link.

    Only the origins the campaign lists may frame it: the CSP frame-ancestors of this
    response alone is replaced (everything else stays as strict as the site's), and
    X-Frame-Options is dropped for it only when there is someone to allow.
    """
    obj = _public_campaign(campaign)
    response = render(
        request,
        "campaigns/public/widget.html",
        {
            "campaign": obj,
            "page_url": request.build_absolute_uri(obj.get_absolute_url()),
        },
    )
    origins = obj.frame_ancestor_list()
    policy = dict(settings.SECURE_CSP)
    policy["frame-ancestors"] = origins or ["'none'"]
    response._csp_config = policy  # type: ignore[attr-defined]
    if origins:
        response.xframe_options_exempt = True
    patch_cache_control(response, public=True, max_age=COUNTER_MAX_AGE)
    return response


@login_not_required
@never_cache
def convert(request: HttpRequest, campaign: str) -> HttpResponse:
    """After confirming: invite the signer to turn the signature into a pledge."""
    obj = _public_campaign(campaign)
    token = request.GET.get("from_signature", "")
    try:
        signature = services.signature_for_conversion(token, obj)
    except services.LinkInvalid as e:
        return _invalid_link(request, e.reason, kind="convert")
    organization = obj.organization
    user = request.user
    here = request.get_full_path()
    context: dict[str, Any] = {"campaign": obj, "signature": signature}
    if not user.is_authenticated:
        context["open_join"] = organization.allows_join_by_email(
            signature.normalized_email
        )
        context["signup_url"] = (
            reverse("account_signup")
            + "?"
            + urlencode({"email": signature.normalized_email, "next": here})
        )
        context["login_url"] = (
            reverse("account_login") + "?" + urlencode({"next": here})
        )
        return _private(render(request, "campaigns/public/convert.html", context))
    pledge_url = (
        reverse(
            "campaigns:pledge_from_signature",
            kwargs={"org": organization.slug, "pk": obj.pk},
        )
        + "?"
        + urlencode({"from_signature": token})
    )
    if Membership.objects.filter(organization=organization, user=user).exists():
        return redirect(pledge_url)
    joinable = organization in Organization.objects.filter(
        pk=organization.pk
    ).joinable_by(user)
    if request.method == "POST" and joinable:
        with contextlib.suppress(ValidationError):  # joined meanwhile: just go on
            organization_join(organization=organization, user=user, request=request)
        return redirect(pledge_url)
    context["joinable"] = joinable
    return _private(render(request, "campaigns/public/convert.html", context))


# Members: turning a signature into a pledge ------------------------------------------


@member_required
def pledge_from_signature(request: OrgHttpRequest, pk: int) -> HttpResponse:
    from alongside.pledges import services as pledge_services
    from alongside.pledges.forms import CommitmentFormSet, PledgeForm
    from alongside.pledges.models import CommitmentTemplate

    obj = get_object_or_404(Campaign, pk=pk, organization=request.organization)
    token = request.GET.get("from_signature", "")
    try:
        signature = services.signature_for_conversion(token, obj)
    except services.LinkInvalid as e:
        return _invalid_link(request, e.reason, kind="convert")
    CommitmentTemplate.objects.ensure_default_catalogue(request.organization)
    templates = list(
        CommitmentTemplate.objects.for_organization(request.organization).active()
    )
    form = PledgeForm(
        request.POST or None,
        initial={
            "statement": _("I signed “%(title)s”, and I will back it up with action.")
            % {"title": obj.title}
        },
    )
    formset = CommitmentFormSet(
        request.POST or None, prefix="commitments", form_kwargs={"templates": templates}
    )
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            pledge = pledge_services.pledge_create(
                organization=request.organization,
                member=request.user,
                statement=form.cleaned_data["statement"],
                commitments=formset.commitments(),
                cadence=form.cleaned_data["cadence"],
                visibility=form.cleaned_data["visibility"],
                target_date=form.cleaned_data["target_date"],
                submission_key=form.cleaned_data["submission_key"],
            )
        except ValidationError as e:
            _add_errors(form, e)
        else:
            services.signature_mark_converted(signature=signature, pledge=pledge)
            messages.success(
                request,
                _(
                    "Your signature is now a pledge. Log your first action when you have one."
                ),
            )
            return redirect(pledge)
    return render(
        request,
        "campaigns/pledge_from_signature.html",
        {
            "organization": request.organization,
            "membership": request.membership,
            "campaign": obj,
            "form": form,
            "formset": formset,
        },
    )


# Program admins -----------------------------------------------------------------------


def _admin_context(request: OrgHttpRequest, **extra: Any) -> dict[str, Any]:
    return {
        "organization": request.organization,
        "membership": request.membership,
        **extra,
    }


def _get_campaign(request: OrgHttpRequest, pk: int) -> Campaign:
    return get_object_or_404(
        Campaign.objects.for_organization(request.organization).select_related(
            "organization"
        ),
        pk=pk,
    )


@admin_required
def admin_list(request: OrgHttpRequest) -> HttpResponse:
    campaigns = Campaign.objects.for_organization(request.organization)
    return render(
        request,
        "campaigns/admin_list.html",
        _admin_context(request, page_obj=paginate(request, campaigns)),
    )


@admin_required
def campaign_create(request: OrgHttpRequest) -> HttpResponse:
    return _campaign_form(request, Campaign(organization=request.organization))


@admin_required
def campaign_edit(request: OrgHttpRequest, pk: int) -> HttpResponse:
    return _campaign_form(request, _get_campaign(request, pk))


def _campaign_form(request: OrgHttpRequest, campaign: Campaign) -> HttpResponse:
    form = CampaignForm(request.POST or None, request.FILES or None, instance=campaign)
    if request.method == "POST" and form.is_valid():
        services.campaign_save(
            campaign=form.instance, actor=request.user, request=request
        )
        messages.success(request, _("The campaign is saved."))
        return redirect(form.instance.get_admin_url())
    return render(
        request,
        "campaigns/campaign_form.html",
        _admin_context(request, form=form, campaign=campaign),
        status=400 if form.is_bound else 200,
    )


@admin_required
def dashboard(request: OrgHttpRequest, pk: int) -> HttpResponse:
    campaign = _get_campaign(request, pk)
    return render(
        request,
        "campaigns/dashboard.html",
        _admin_context(
            request,
            campaign=campaign,
            timeline=stats.timeline(campaign),
            genders=stats.gender_breakdown(campaign),
            countries=stats.by_country(campaign),
            conversion=stats.conversion(campaign),
            pending=stats.pending_count(campaign),
            public_url=request.build_absolute_uri(campaign.get_absolute_url()),
            widget_url=request.build_absolute_uri(
                reverse("campaigns:widget", kwargs={"campaign": campaign.slug})
            ),
        ),
    )


@admin_required
def preview(request: OrgHttpRequest, pk: int) -> HttpResponse:
    campaign = _get_campaign(request, pk)
    context = _public_context(
        request, campaign, form=SignatureForm(campaign=campaign), preview=True
    )
    context.update(_admin_context(request))
    return render(request, "campaigns/public/campaign.html", context)


def _lifecycle(request: OrgHttpRequest, pk: int, *, step: str) -> HttpResponse:
    campaign = _get_campaign(request, pk)
    if request.method not in {"GET", "HEAD", "POST"}:
        return HttpResponseNotAllowed(["GET", "POST"])
    error = ""
    if request.method == "POST":
        act = (
            services.campaign_publish if step == "publish" else services.campaign_close
        )
        try:
            act(campaign=campaign, actor=request.user, request=request)
        except ValidationError as e:
            error = " ".join(e.messages)
        else:
            messages.success(
                request,
                _("The campaign is published.")
                if step == "publish"
                else _("The campaign is closed."),
            )
            return redirect(campaign.get_admin_url())
    return render(
        request,
        "campaigns/campaign_step.html",
        _admin_context(request, campaign=campaign, step=step, error=error),
        status=409 if error else 200,
    )


@admin_required
def publish(request: OrgHttpRequest, pk: int) -> HttpResponse:
    return _lifecycle(request, pk, step="publish")


@admin_required
def close(request: OrgHttpRequest, pk: int) -> HttpResponse:
    return _lifecycle(request, pk, step="close")


class _Echo:
    def write(self, value: str) -> str:
        return value


FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")


def csv_safe(value: object) -> str:
    """A cell a spreadsheet shows as text, never runs as a formula (CSV injection)."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


# No gender: how a signer signs is self-described, asked only to be counted, and the
# dashboard has the aggregate (docs/campaigns.md). A per-person export would hand every
# signer's gender, "another gender" included, to whoever downloads it.
EXPORT_COLUMNS = (
    "email",
    "first_name",
    "show_name",
    "country",
    "signed_at",
    "confirmed_at",
    "converted_at",
)


def export_rows(campaign: Campaign, *, chunk_size: int = 2000) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(EXPORT_COLUMNS)
    rows = (
        Signature.objects.for_campaign(campaign)
        .order_by("pk")
        .values_list(
            "normalized_email",
            "first_name",
            "show_name",
            "country",
            "created_at",
            "confirmed_at",
            "converted_at",
        )
        .iterator(chunk_size=chunk_size)
    )
    for email, name, show, country, signed, confirmed, converted in rows:
        yield writer.writerow(
            [
                csv_safe(email),
                csv_safe(name),
                "yes" if show else "no",
                csv_safe(country),
                signed.isoformat(),
                confirmed.isoformat() if confirmed else "",
                converted.isoformat() if converted else "",
            ]
        )


@admin_required
def export(request: OrgHttpRequest, pk: int) -> HttpResponse:
    campaign = _get_campaign(request, pk)
    audit_record(
        action="campaign.exported",
        actor=request.user,
        organization=request.organization,
        target=campaign,
        request=request,
    )
    response: Any = StreamingHttpResponse(
        export_rows(campaign), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="signatures-{campaign.slug}.csv"'
    )
    response["Cache-Control"] = "private, no-store"
    return cast(HttpResponse, response)
