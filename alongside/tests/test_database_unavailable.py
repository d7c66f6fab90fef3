from __future__ import annotations

from unittest import mock

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_not_required
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.http import HttpRequest, HttpResponse
from django.test import TestCase, override_settings
from django.urls import path


@login_not_required
def _database_down(request: HttpRequest) -> HttpResponse:
    raise OperationalError(
        'connection to server at "db.internal" failed: SECRET-DETAIL'
    )


@login_not_required
def _other_error(request: HttpRequest) -> HttpResponse:
    raise ValueError("not a database problem")


def _members_only(request: HttpRequest) -> HttpResponse:
    return HttpResponse("hello member")


urlpatterns = [
    path("down/", _database_down),
    path("broken/", _other_error),
    path("members/", _members_only),
]


@override_settings(ROOT_URLCONF=__name__)
class DatabaseUnavailableTestCase(TestCase):
    def test_it_answers_503_with_retry_after_and_no_traceback(self) -> None:
        with self.assertLogs("alongside.lib.middleware", "WARNING"):
            r = self.client.get("/down/")
        self.assertEqual(r.status_code, 503)
        self.assertEqual(r["Retry-After"], "5")
        body = r.content.decode()
        self.assertIn("Back in a moment", body)
        self.assertNotIn("Traceback", body)
        self.assertNotIn("OperationalError", body)
        self.assertNotIn("SECRET-DETAIL", body)
        self.assertNotIn("db.internal", body)

    @override_settings(DEBUG=True)
    def test_it_hides_the_traceback_even_in_debug(self) -> None:
        with self.assertLogs("alongside.lib.middleware", "WARNING"):
            r = self.client.get("/down/")
        self.assertEqual(r.status_code, 503)
        self.assertNotIn("Traceback", r.content.decode())
        self.assertNotIn("SECRET-DETAIL", r.content.decode())

    def test_other_errors_are_left_to_the_500_page(self) -> None:
        self.client.raise_request_exception = False
        r = self.client.get("/broken/")
        self.assertEqual(r.status_code, 500)
        self.assertFalse(r.has_header("Retry-After"))

    def test_a_database_lost_before_the_view_is_a_503_too(self) -> None:
        # With the database gone, loading a member's session (done by middleware,
        # before any view) fails; that must be the same 503, not a 500 with a
        # traceback in the log (seen when PostgreSQL restarted under bench/campaigns.py).
        user = get_user_model().objects.create_user(
            email="member@example.org", password="correct horse battery staple"
        )
        self.client.force_login(user)
        self.client.raise_request_exception = False
        down = OperationalError("connection refused: SECRET-DETAIL")
        with (
            mock.patch.object(
                BaseDatabaseWrapper, "ensure_connection", side_effect=down
            ),
            self.assertLogs("django.request", "ERROR") as logged,
            self.assertLogs("alongside.lib.middleware", "WARNING"),
        ):
            r = self.client.get("/members/")
        self.assertEqual(r.status_code, 503)
        self.assertEqual(r["Retry-After"], "5")
        self.assertIn("Back in a moment", r.content.decode())
        self.assertNotIn("SECRET-DETAIL", r.content.decode())
        self.assertEqual([rec.exc_info for rec in logged.records], [None])

    def test_a_healthy_database_passes_through(self) -> None:
        user = get_user_model().objects.create_user(
            email="member@example.org", password="correct horse battery staple"
        )
        self.client.force_login(user)
        r = self.client.get("/members/")
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r.content, b"hello member")
