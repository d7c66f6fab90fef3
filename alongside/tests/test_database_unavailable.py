from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.db import OperationalError
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


urlpatterns = [
    path("down/", _database_down),
    path("broken/", _other_error),
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
