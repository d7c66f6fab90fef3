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


class AdminRequiresMfaMiddleware:
    """The Django admin only for staff who passed a second factor in this session.

    The admin sees every organization's data, so it asks more than any one
    organization's rule: staff without a TOTP authenticator are sent to set one up,
    and staff with one who signed in without using it (or whose session has no record
    of it) are asked for a code, then sent back. The admin's own login and logout pages
    are left alone (the login goes through allauth, which asks for the code itself).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self._gate(request)
        return response if response is not None else self.get_response(request)

    def _gate(self, request: HttpRequest) -> HttpResponse | None:
        from django.urls import NoReverseMatch, reverse

        try:
            index = reverse("admin:index")
            own_pages = (reverse("admin:login"), reverse("admin:logout"))
        except NoReverseMatch:  # a URLconf without the admin
            return None
        if not request.path.startswith(index) or request.path in own_pages:
            return None
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_staff:
            return None  # the admin sends them to its login page itself
        from allauth.account.authentication import get_authentication_records
        from allauth.mfa.models import Authenticator
        from django.contrib import messages
        from django.shortcuts import redirect
        from django.utils.http import urlencode
        from django.utils.translation import gettext as _

        if not Authenticator.objects.filter(
            user=user, type=Authenticator.Type.TOTP
        ).exists():
            messages.warning(
                request,
                _(
                    "The administration site needs two-factor authentication. Set up "
                    "an authenticator app first."
                ),
            )
            return redirect("mfa_activate_totp")
        records = get_authentication_records(request, user)
        if not any(
            isinstance(record, dict) and record.get("method") == "mfa"
            for record in records
        ):
            next_url = urlencode({"next": request.get_full_path()})
            return redirect(f"{reverse('mfa_reauthenticate')}?{next_url}")
        return None
