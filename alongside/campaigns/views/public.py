"""Visitors' pages (no account; slugs are global): the campaign page, signing,
confirming and withdrawing by emailed link, the counter, the wall, the share card, the
widget, and the invitation to turn a signature into a pledge."""

from __future__ import annotations

import contextlib
import hashlib
import logging
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import (
    HttpRequest,
    HttpResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache

from alongside.campaigns import (
    page_html,
    pgsign,
    public_cache,
    ratelimit,
    services,
    visitor_csrf,
)
from alongside.campaigns.forms import SignatureForm
from alongside.campaigns.images import og_card
from alongside.campaigns.models import Campaign, Signature
from alongside.campaigns.page_html import share_links, unbound_form_html, wall_names
from alongside.lib.forms import add_errors
from alongside.lib.http import client_ip
from alongside.lib.pagination import paginate
from alongside.lib.ratelimit import private_key_part
from alongside.organizations.models import Organization
from alongside.organizations.services import organization_join

logger = logging.getLogger(__name__)


COUNTER_MAX_AGE = 2
OG_MAX_AGE = 60


def sign_rate_limit() -> tuple[int, int]:
    return (
        settings.CAMPAIGN_SIGN_RATE_LIMIT,
        settings.CAMPAIGN_SIGN_RATE_WINDOW,
    )


def public_campaign(slug: str) -> Campaign:
    """A campaign the public may see (published or closed); drafts are 404."""
    return get_object_or_404(
        Campaign.objects.public().select_related("organization"), slug=slug
    )


def private(response: HttpResponse) -> HttpResponse:
    """Pages opened from emailed links carry secrets: no referrer, cache or index."""
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def public_context(
    request: HttpRequest, campaign: Campaign, **extra: Any
) -> dict[str, Any]:
    return {
        "campaign": campaign,
        "state": campaign.signing_state(),
        "wall": wall_names(campaign),
        "share_links": share_links(request, campaign),
        "page_url": request.build_absolute_uri(campaign.get_absolute_url()),
        "og_image_url": request.build_absolute_uri(
            reverse("campaigns:og_image", kwargs={"campaign": campaign.slug})
        ),
        **extra,
    }


def invalid_link(request: HttpRequest, reason: str, *, kind: str) -> HttpResponse:
    status = 404 if reason == "unknown" else 410
    return private(
        render(
            request,
            "campaigns/public/link_invalid.html",
            {"reason": reason, "kind": kind},
            status=status,
        )
    )


@login_not_required
def campaign_public(request: HttpRequest, campaign: str) -> HttpResponse:
    if request.user.is_authenticated or len(get_messages(request)):
        obj = public_campaign(campaign)
        return render(
            request,
            "campaigns/public/campaign.html",
            public_context(request, obj, form_html=unbound_form_html(obj)),
        )
    # Anonymous visitors: the page as served, counter and wall included, is kept per
    # process for up to a second (public_cache); only the CSRF token is per visitor.
    key = (campaign, get_language(), request.is_secure(), request.get_host())
    html = public_cache.live_page(
        key, lambda: page_html.anonymous_page(request, public_campaign(campaign))
    )
    response = visitor_csrf.with_csrf_token(request, html)
    public_cache.mark_answer(response, key, csrf_token=True)
    return response


@login_not_required
def sign(request: HttpRequest, campaign: str) -> HttpResponse:
    # This process's copy of the campaign, at most a second old: the INSERT checks
    # again that it is open (public_cache, services._insert_if_open).
    obj = public_cache.signing_campaign(campaign, public_campaign)
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
        public_context(request, obj, form=form),
        status=400,
    )


def _sign_done(request: HttpRequest, campaign: Campaign) -> HttpResponse:
    if request.user.is_authenticated or len(get_messages(request)):
        return render(
            request, "campaigns/public/sign_done.html", {"campaign": campaign}
        )
    return visitor_csrf.with_csrf_token(
        request, page_html.sign_done_html(request, campaign)
    )


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
        add_errors(form, e)
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
        add_errors(form, e)
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
        return invalid_link(request, e.reason, kind="confirm")
    if signature.campaign.slug != campaign:
        return invalid_link(request, "unknown", kind="confirm")
    obj = signature.campaign
    if request.method == "POST":
        try:
            signature = services.signature_confirm(token=token)
        except services.LinkInvalid as e:
            return invalid_link(request, e.reason, kind="confirm")
        obj.refresh_from_db()
        convert_url = (
            reverse("campaigns:convert", kwargs={"campaign": obj.slug})
            + "?"
            + urlencode({"from_signature": services.conversion_token(signature)})
        )
        return private(
            render(
                request,
                "campaigns/public/confirm_done.html",
                public_context(request, obj, convert_url=convert_url),
            )
        )
    return private(
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
        return invalid_link(request, e.reason, kind="withdraw")
    if signature.campaign.slug != campaign:
        return invalid_link(request, "unknown", kind="withdraw")
    if request.method == "POST":
        try:
            obj = services.signature_withdraw(token=token)
        except services.LinkInvalid as e:
            return invalid_link(request, e.reason, kind="withdraw")
        return private(
            render(request, "campaigns/public/withdraw_done.html", {"campaign": obj})
        )
    return private(
        render(
            request,
            "campaigns/public/withdraw.html",
            {"campaign": signature.campaign, "signature": signature},
        )
    )


@login_not_required
def wall(request: HttpRequest, campaign: str) -> HttpResponse:
    obj = public_campaign(campaign)
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
    obj = public_campaign(campaign)
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
    obj = public_campaign(campaign)
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
    obj = public_campaign(campaign)
    token = request.GET.get("from_signature", "")
    try:
        signature = services.signature_for_conversion(token, obj)
    except services.LinkInvalid as e:
        return invalid_link(request, e.reason, kind="convert")
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
        return private(render(request, "campaigns/public/convert.html", context))
    pledge_url = (
        reverse(
            "campaigns:pledge_from_signature",
            kwargs={"org": organization.slug, "pk": obj.pk},
        )
        + "?"
        + urlencode({"from_signature": token})
    )
    if organization.has_member(user):
        return redirect(pledge_url)
    joinable = organization in Organization.objects.filter(
        pk=organization.pk
    ).joinable_by(user)
    if request.method == "POST" and joinable:
        with contextlib.suppress(ValidationError):  # joined meanwhile: just go on
            organization_join(organization=organization, user=user, request=request)
        return redirect(pledge_url)
    context["joinable"] = joinable
    return private(render(request, "campaigns/public/convert.html", context))
