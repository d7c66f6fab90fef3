from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import suppress

from django.db import DEFAULT_DB_ALIAS, OperationalError, connections
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

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., HttpResponse],
        view_args: tuple[object, ...],
        view_kwargs: dict[str, object],
    ) -> HttpResponse | None:
        """Meet a lost database here, before the middleware after this one touches it.

        The session and the user are loaded by middleware (LoginRequiredMiddleware's
        process_view), and an exception raised there never reaches `process_exception`:
        Django turns it into a 500 and logs a traceback. So check the connection first:
        the health check is the one Django runs at the request's first query anyway
        (CONN_HEALTH_CHECKS), so a healthy connection costs nothing more.
        """
        connection = connections[DEFAULT_DB_ALIAS]
        try:
            connection.close_if_health_check_failed()
            connection.ensure_connection()
        except OperationalError as e:
            return self.process_exception(request, e)
        return None

    def process_exception(
        self, request: HttpRequest, exception: Exception
    ) -> HttpResponse | None:
        if not isinstance(exception, OperationalError):
            return None
        logger.warning("database unavailable: %s", type(exception).__name__)
        for conn in connections.all(initialized_only=True):
            if conn.in_atomic_block:
                # An enclosing transaction still owns it (ATOMIC_REQUESTS, or a test
                # case): it will roll back, and closing it here would break its owner.
                continue
            with suppress(OperationalError):  # still unreachable: answer 503 anyway
                conn.close_if_unusable_or_obsolete()
        body = render_to_string("503.html")
        response = HttpResponse(body, status=503)
        response["Retry-After"] = "5"
        return response
