"""The context every member page of the learning app starts from."""

from __future__ import annotations

from typing import Any

from alongside.organizations.access import OrgHttpRequest


def page_context(request: OrgHttpRequest, **extra: Any) -> dict[str, Any]:
    """The organization and the viewer's membership, plus the page's own values."""
    return {
        "organization": request.organization,
        "membership": request.membership,
        **extra,
    }
