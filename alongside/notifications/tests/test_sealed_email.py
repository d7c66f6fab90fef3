"""The task table as a database reader sees it: queued and failed emails are sealed."""

from __future__ import annotations

from django.contrib import admin
from django.core import mail
from django.core.mail import EmailMessage
from django.core.management import call_command
from django.db import connection
from django.test import TestCase, TransactionTestCase, override_settings
from django.urls import NoReverseMatch, reverse
from django_tasks_db.models import DBTaskResult

from alongside.notifications.email import queue_email, queue_message
from alongside.notifications.sealing import SealError, seal, unseal
from alongside.test import make_user

SECRETS = ("daniel@example.org", "Daniel Realname", "4f1c2e9a-post-uid")


def task_table_dump() -> str:
    """Every column of every task row, as `SELECT *` returns them."""
    table = connection.ops.quote_name(DBTaskResult._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 (a model's own table)
        return "\n".join(repr(row) for row in cursor.fetchall())


@override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}})
class SealedTaskRowTestCase(TransactionTestCase):
    def _worker(self) -> None:
        call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)

    def test_a_queued_email_holds_no_address_name_or_link_in_clear(self) -> None:
        user = make_user("daniel@example.org", display_name="Daniel Realname")
        queue_email(
            to=user.email,
            template="dialogue/email/moderation",
            context={
                "user": user,
                "organization": None,
                "message": "A moderator approved your post.",
                "url": "/o/northwind/posts/4f1c2e9a-post-uid/",
            },
        )
        dump = task_table_dump()
        self.assertIn("sealed", dump)
        for secret in SECRETS:
            self.assertNotIn(secret, dump)
        self._worker()
        (sent,) = mail.outbox
        self.assertEqual(sent.to, ["daniel@example.org"])
        self.assertIn("Daniel Realname", sent.body)
        self.assertIn("/o/northwind/posts/4f1c2e9a-post-uid/", sent.body)
        self.assertEqual(DBTaskResult.objects.count(), 0)

    def test_a_failed_send_keeps_nothing_readable(self) -> None:
        queue_message(
            EmailMessage(
                subject="Hello Daniel Realname\nBcc: x@example.net",
                body="Your post: /o/northwind/posts/4f1c2e9a-post-uid/",
                to=["daniel@example.org"],
            )
        )
        self._worker()
        self.assertEqual(mail.outbox, [])
        row = DBTaskResult.objects.get()
        self.assertEqual(row.status, "FAILED")
        dump = task_table_dump()
        self.assertIn("EmailNotSent", dump)
        for secret in (*SECRETS, "Bcc", "x@example.net"):
            self.assertNotIn(secret, dump)

    def test_a_sealed_email_opens_only_in_its_own_row(self) -> None:
        queue_message(EmailMessage(subject="s", body="b", to=["daniel@example.org"]))
        row = DBTaskResult.objects.get()
        kwargs = row.args_kwargs["kwargs"]
        # Copied under another key (another task row), it does not open.
        row.args_kwargs = {"args": [], "kwargs": {**kwargs, "key": "0" * 32}}
        row.save(update_fields=("args_kwargs",))
        self._worker()
        self.assertEqual(mail.outbox, [])
        self.assertEqual(DBTaskResult.objects.get().status, "FAILED")


class SealingTestCase(TestCase):
    def test_it_opens_with_a_former_key_and_not_with_an_unknown_one(self) -> None:
        with override_settings(PSEUDONYM_KEY="the-former-key-0123456789abcdef"):
            sealed = seal(b"daniel", label=b"test", bound_to="row-1")
        with override_settings(
            PSEUDONYM_KEY="the-current-key-0123456789abcdef",
            PSEUDONYM_KEY_FALLBACKS=["the-former-key-0123456789abcdef"],
        ):
            self.assertEqual(unseal(sealed, label=b"test", bound_to="row-1"), b"daniel")
            with self.assertRaises(SealError):
                unseal(sealed, label=b"test", bound_to="row-2")
        with (
            override_settings(PSEUDONYM_KEY="the-current-key-0123456789abcdef"),
            self.assertRaises(SealError),
        ):
            unseal(sealed, label=b"test", bound_to="row-1")


class NoTaskAdminTestCase(TestCase):
    def test_the_django_admin_has_no_screen_for_task_rows(self) -> None:
        self.assertFalse(admin.site.is_registered(DBTaskResult))
        with self.assertRaises(NoReverseMatch):
            reverse("admin:django_tasks_db_dbtaskresult_changelist")
        superuser = make_user("root@example.org", is_staff=True, is_superuser=True)
        self.client.force_login(superuser)
        response = self.client.get("/admin/django_tasks_db/dbtaskresult/")
        self.assertNotEqual(response.status_code, 200)
