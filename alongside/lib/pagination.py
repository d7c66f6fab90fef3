from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.http import HttpRequest


def paginate(request: HttpRequest, object_list: Any, per_page: int = 20) -> Page[Any]:
    """Return the requested page; out-of-range or malformed numbers give the nearest page."""
    return Paginator(object_list, per_page).get_page(request.GET.get("page"))
