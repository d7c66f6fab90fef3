from __future__ import annotations

import re
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from django.core import mail
from django.utils import timezone

from alongside.campaigns.models import Campaign
from alongside.organizations.models import Organization

_seq = iter(range(1, 1_000_000))


def make_campaign(organization: Organization, **extra: Any) -> Campaign:
    n = next(_seq)
    fields: dict[str, Any] = {
        "slug": f"campaign-{n}",
        "title": f"Campaign {n}",
        "statement": "We stand with women at work.",
        "goal": 100,
        "starts_at": timezone.now() - timedelta(days=1),
        "consent_text": "I agree to the privacy notice.",
        "privacy_notice": "We keep your email to count your signature.",
        "status": Campaign.Status.PUBLISHED,
    }
    fields.update(extra)
    return Campaign.objects.create(organization=organization, **fields)


def sign_data(email: str, **extra: Any) -> dict[str, Any]:
    data = {
        "email": email,
        "first_name": "Sam",
        "country": "GB",
        "gender": "man",
        "show_name": "on",
        "consent": "on",
        "website": "",
    }
    data.update(extra)
    return data


def link_in(body: object, kind: str) -> str:
    """The path of the first /c/<slug>/<kind>/<token>/ link in an email body."""
    for url in re.findall(r"https?://\S+", str(body)):
        path: str = urlsplit(url).path
        if re.fullmatch(rf"/c/[\w-]+/{kind}/[A-Za-z0-9_-]+/", path):
            return path
    raise AssertionError(f"no {kind} link in:\n{body}")


def token_in(body: object, kind: str) -> str:
    return link_in(body, kind).rstrip("/").rsplit("/", 1)[-1]


def last_email_to(address: str) -> mail.EmailMessage:
    for message in reversed(mail.outbox):
        if address in message.to:
            return message
    raise AssertionError(f"no email to {address}")
