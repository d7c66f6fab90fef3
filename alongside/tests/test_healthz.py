from __future__ import annotations

from django.test import TestCase, override_settings


class HealthzTestCase(TestCase):
    def test_it_reports_ok(self) -> None:
        r = self.client.get("/healthz")
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r.json()["checks"]["database"], "ok")
        self.assertEqual(
            r["Cache-Control"],
            "max-age=0, no-cache, no-store, must-revalidate, private",
        )

    @override_settings(
        TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    )
    def test_it_reports_a_stalled_queue(self) -> None:
        import time_machine

        from alongside.notifications.tasks import send_email

        with time_machine.travel("2026-01-01 10:00Z"):
            send_email.using(backend="default").enqueue(
                to=["a@example.org"], subject="s", body="b"
            )
        with time_machine.travel("2026-01-01 10:10Z"):
            r = self.client.get("/healthz")
        self.assertEqual(r.status_code, 503)
        self.assertTrue(r.json()["checks"]["tasks"].startswith("stalled"))


class HealthzBehindHttpsTestCase(TestCase):
    @override_settings(SECURE_SSL_REDIRECT=True)
    def test_local_probes_over_plain_http_are_not_redirected(self) -> None:
        self.assertEqual(self.client.get("/").status_code, 301)
        r = self.client.get("/healthz")
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r.json()["status"], "ok")
