from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import OperationalError, connections
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)


class DatabaseUnavailableMiddleware:
    """Answer 503 with Retry-After, not a traceback, while the database is unreachable.

    Persistent connections with health checks reconnect by themselves once the database
    is back, so the process recovers without a restart.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(
        self, request: HttpRequest, exception: Exception
    ) -> HttpResponse | None:
        if not isinstance(exception, OperationalError):
            return None
        logger.warning("database unavailable: %s", type(exception).__name__)
        for conn in connections.all(initialized_only=True):
            conn.close_if_unusable_or_obsolete()
        body = render_to_string("503.html")
        response = HttpResponse(body, status=503)
        response["Retry-After"] = "5"
        return response
