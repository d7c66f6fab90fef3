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


@override_settings(
    TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}},
    TASK_QUEUE_STALL_SECONDS=60,
)
class HealthzWithinAMinuteTestCase(TestCase):
    def _enqueue(self) -> None:
        from alongside.notifications.tasks import send_email

        send_email.using(backend="default").enqueue(
            to=["a@example.org"], subject="s", body="b"
        )

    def _beat(self) -> None:
        from alongside.worker.models import WorkerHeartbeat

        WorkerHeartbeat.beat("w1")

    def test_a_task_waiting_over_a_minute_is_a_stalled_queue(self) -> None:
        import time_machine

        with time_machine.travel("2026-01-01 10:00Z", tick=False):
            self._enqueue()
        with time_machine.travel("2026-01-01 10:01:05Z", tick=False):
            self._beat()  # a worker alive but not taking it is still a stall
            r = self.client.get("/healthz")
        self.assertEqual(r.status_code, 503)
        self.assertTrue(r.json()["checks"]["tasks"].startswith("stalled"))

    def test_waiting_tasks_and_no_worker_seen_for_a_minute_is_a_stall(self) -> None:
        import time_machine

        with time_machine.travel("2026-01-01 09:58Z", tick=False):
            self._beat()
        with time_machine.travel("2026-01-01 10:00Z", tick=False):
            self._enqueue()
        with time_machine.travel("2026-01-01 10:00:10Z", tick=False):
            r = self.client.get("/healthz")
        self.assertEqual(r.status_code, 503)
        self.assertEqual(
            r.json()["checks"]["tasks"],
            "stalled: tasks are waiting and no worker has been seen",
        )

    def test_a_recent_task_with_a_live_worker_is_ok(self) -> None:
        import time_machine

        with time_machine.travel("2026-01-01 10:00Z", tick=False):
            self._enqueue()
        with time_machine.travel("2026-01-01 10:00:30Z", tick=False):
            self._beat()
            r = self.client.get("/healthz")
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r.json()["checks"]["tasks"], "ok")

    def test_no_tasks_and_no_worker_is_ok(self) -> None:
        r = self.client.get("/healthz")
        self.assertEqual(r.status_code, 200)


class HealthzBehindHttpsTestCase(TestCase):
    @override_settings(SECURE_SSL_REDIRECT=True)
    def test_local_probes_over_plain_http_are_not_redirected(self) -> None:
        self.assertEqual(self.client.get("/").status_code, 301)
        r = self.client.get("/healthz")
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r.json()["status"], "ok")
