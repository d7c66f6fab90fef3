"""Safe-space news as a database reader, a mail server and the owner see it.

Alice writes under a pseudonym; others reply, mention her, a moderator hides and
restores her post and warns her. Nothing stored ties her to the pseudonym's posts,
nothing mailed names the space's content, and she still reads it all in the app."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from django.apps import apps
from django.core import mail
from django.core.management import call_command
from django.db import models
from django.test import TransactionTestCase, override_settings
from django.utils import timezone

from alongside.accounts.models import User
from alongside.dialogue import moderation, safespace, services
from alongside.dialogue.models import DigestSubscription, Post, Space
from alongside.dialogue.tests.helpers import make_space, reviewed, start
from alongside.notifications.models import Notice, Notification
from alongside.notifications.privacy import erase_user_data, export_user_data
from alongside.notifications.services import safe_space_news_send
from alongside.notifications.tests.test_sealed_email import task_table_dump
from alongside.organizations.models import Membership, Role
from alongside.test import BaseTestCase, make_member, make_organization

TOMORROW = timedelta(days=1)


def _scenario(case: Any, safe: Space) -> Post:
    """Alice's pseudonymous thread, and everything that tells her of it."""
    reviewed(safe, case.alice, case.bob, case.fiona)  # their posts publish at once
    opening = start(safe, case.alice, "ALICE-WORDS", "THREAD-TITLE-CANARY")
    mine = safespace.pseudonym_for(safe, case.alice, create=False)
    assert mine is not None
    slug = "-".join(mine.handle.lower().split())
    services.reply(thread=opening.thread, author=case.bob, body="A reply")
    services.reply(thread=opening.thread, author=case.fiona, body=f"@{slug} thank you")
    moderation.hide(opening, moderator=case.fiona, reason="Checking")
    moderation.restore(opening, moderator=case.fiona)
    moderation.sanction(
        opening, moderator=case.fiona, kind="warning", reason="Keep dates out"
    )
    return opening


def _safe_uids(safe: Space) -> set[str]:
    uids: set[str] = set()
    for post in Post.objects.filter(thread__space=safe).select_related("thread"):
        uids |= {str(post.uid), post.uid.hex, str(post.thread.uid)}
    return uids


def _rows_linking(user: User, uids: set[str]) -> list[str]:
    """Rows of any table that hold `user`'s id (as a foreign key to users) together
    with a safe-space post or thread id: what a database dump would give away."""
    found = []
    for model in apps.get_models():
        user_columns = [
            f.attname
            for f in model._meta.concrete_fields
            if isinstance(f, models.ForeignKey) and f.related_model is User
        ]
        if not user_columns:
            continue
        for row in model._default_manager.values():
            if not any(row[column] == user.pk for column in user_columns):
                continue
            text = str(row)
            if any(uid in text for uid in uids):
                found.append(f"{model._meta.label}: {text[:200]}")
    return found


class DatabaseDumpTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.safe = make_space(
            self.org, accepted=(self.alice, self.bob, self.fiona), is_safe=True
        )

    def test_no_row_ties_her_to_her_pseudonymous_post(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            _scenario(self, self.safe)
        self.assertEqual(_rows_linking(self.alice, _safe_uids(self.safe)), [])
        self.assertFalse(Notification.objects.filter(user=self.alice).exists())
        # Notices hold no user, a random id and the day only.
        for field in Notice._meta.concrete_fields:
            self.assertNotIsInstance(field, models.DateTimeField, field.name)
            if isinstance(field, models.ForeignKey):
                self.assertIsNot(field.related_model, User, field.name)
        notices = Notice.objects.for_user(self.alice)
        self.assertGreaterEqual(notices.count(), 5)
        mine = safespace.pseudonym_for(self.safe, self.alice, create=False)
        assert mine is not None
        self.assertEqual({n.address for n in notices}, {str(mine.pk)})
        # Without the key, nothing in a notice leads to her.
        for row in Notice.objects.values():
            self.assertNotIn("alice", str(row).lower())

    def test_the_checker_sees_a_row_that_ties_her(self) -> None:
        post = start(self.safe, self.alice)
        Notification.objects.create(
            user=self.alice,
            kind=Notification.Kind.ORGANIZATION,
            message="approved",
            url=f"/o/northwind/posts/{post.uid}/",
        )
        self.assertEqual(len(_rows_linking(self.alice, _safe_uids(self.safe))), 1)


class OwnerSeesHisNoticesTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.safe = make_space(
            self.org, accepted=(self.alice, self.bob, self.fiona), is_safe=True
        )

    def test_her_inbox_reads_her_organizations_and_her_export_every_notice(
        self,
    ) -> None:
        """The inbox (read on every page) looks only in the safe spaces of the
        organizations she belongs to now; her export and erasure reach every notice."""
        _scenario(self, self.safe)
        count = Notice.objects.for_user(self.alice).count()
        self.assertGreater(count, 0)
        Membership.objects.of(self.alice, self.org).delete()
        self.assertEqual(Notice.objects.for_user(self.alice).count(), 0)
        exported = export_user_data(self.alice)["safe_space_notices"]
        self.assertEqual(len(exported), count)
        erase_user_data(self.alice)
        self.assertEqual(
            Notice.objects.for_user(self.alice, everywhere=True).count(), 0
        )

    def test_she_reads_them_in_the_app_with_the_unread_count_and_the_day_only(
        self,
    ) -> None:
        _scenario(self, self.safe)
        count = Notice.objects.for_user(self.alice).count()
        self.client.force_login(self.alice)
        page = self.client.get("/notifications/")
        self.assertEqual(page.context["unread_notifications"], count)
        self.assertContains(page, "mentioned you in “THREAD-TITLE-CANARY”")
        self.assertContains(page, "A moderator put your post")
        self.assertContains(page, "in a safe space")
        html = page.content.decode()
        times = re.findall(r'<time datetime="([^"]+)"', html)
        self.assertEqual(len(times), count)
        for value in times:
            self.assertRegex(value, r"^\d{4}-\d{2}-\d{2}$")
        self.assertNotRegex(html, r"(?<![\d.])\d{1,2}:\d{2}(?!\d)")
        # Bob sees none of them, and cannot mark hers read.
        notice = Notice.objects.for_user(self.alice).first()
        assert notice is not None
        self.client.force_login(self.bob)
        self.assertNotContains(self.client.get("/notifications/"), "mentioned you")
        read = f"/notifications/notice/{notice.pk}/read/"
        self.assertEqual(self.client.post(read).status_code, 404)
        self.client.force_login(self.alice)
        self.client.post(read)
        notice.refresh_from_db()
        self.assertTrue(notice.is_read)
        self.client.post("/notifications/read-all/")
        page = self.client.get("/notifications/")
        self.assertEqual(page.context["unread_notifications"], 0)

    def test_her_export_has_them_by_day_and_erasure_deletes_them(self) -> None:
        _scenario(self, self.safe)
        exported = export_user_data(self.alice)["safe_space_notices"]
        self.assertEqual(len(exported), Notice.objects.for_user(self.alice).count())
        for item in exported:
            self.assertRegex(item["day"], r"^\d{4}-\d{2}-\d{2}$")
        bobs = export_user_data(self.bob)["safe_space_notices"]
        self.assertFalse([n for n in bobs if "mentioned you" in n["message"]])
        erase_user_data(self.alice)
        self.assertFalse(Notice.objects.for_user(self.alice).exists())
        self.assertEqual(Notice.objects.count(), len(bobs))


class SafeSpaceMailTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.safe = make_space(
            self.org, accepted=(self.alice, self.bob, self.fiona), is_safe=True
        )

    def _to_alice(self) -> list[mail.EmailMessage]:
        return [m for m in mail.outbox if m.to == ["alice@example.org"]]

    def test_she_gets_one_mail_a_day_later_that_names_nothing(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            opening = _scenario(self, self.safe)
        # Nothing at the moment of the news: a mail log cannot date it.
        self.assertEqual(self._to_alice(), [])
        today = timezone.localdate()
        with self.captureOnCommitCallbacks(execute=True):
            self.assertEqual(safe_space_news_send(today=today), 0)
        with self.captureOnCommitCallbacks(execute=True):
            safe_space_news_send(today=today + TOMORROW)
        (news,) = self._to_alice()
        assert opening.pseudonym is not None
        handle = opening.pseudonym.handle
        text = f"{news.subject}\n{news.body}"
        for secret in (
            "THREAD-TITLE-CANARY",
            handle,
            str(opening.uid),
            str(opening.thread.uid),
            self.safe.name,
            "/posts/",
        ):
            self.assertNotIn(secret, text)
        self.assertIn("news for you in a safe space", news.body)
        self.assertIn("/notifications/", news.body)
        # Idempotent, and at most one a day even with news since.
        with self.captureOnCommitCallbacks(execute=True):
            self.assertEqual(safe_space_news_send(today=today + TOMORROW), 0)
            services.reply(thread=opening.thread, author=self.bob, body="More")
            Notice.objects.update(day=today)
            safe_space_news_send(today=today + TOMORROW)  # Fiona's first
        self.assertEqual(len(self._to_alice()), 1)
        with self.captureOnCommitCallbacks(execute=True):
            safe_space_news_send(today=today + 2 * TOMORROW)
        self.assertEqual(len(self._to_alice()), 2)

    def test_the_command_runs_the_daily_mail(self) -> None:
        _scenario(self, self.safe)
        Notice.objects.update(day=timezone.localdate() - TOMORROW)
        with self.captureOnCommitCallbacks(execute=True):
            call_command("send_safe_space_news", stdout=open("/dev/null", "w"))  # noqa: SIM115
        self.assertEqual(len(self._to_alice()), 1)


class DigestTestCase(BaseTestCase):
    def test_a_safe_space_digest_is_the_same_for_every_reader_his_posts_included(
        self,
    ) -> None:
        safe = make_space(self.org, accepted=(self.alice, self.bob), is_safe=True)
        for user in (self.alice, self.bob):
            DigestSubscription.objects.create(
                space=safe, user=user, covered_until=timezone.now() - timedelta(hours=1)
            )
        reviewed(safe, self.alice, self.bob)
        start(safe, self.alice, "ALICE-OWN-POST", "Mine")
        start(safe, self.bob, "BOB-POST", "His")
        # A safe space's digest covers whole past days: tomorrow's carries today's.
        tomorrow = timezone.now() + timedelta(days=1)
        with self.captureOnCommitCallbacks(execute=True):
            self.assertEqual(services.send_digests(tomorrow), 2)
        bodies = {m.to[0]: str(m.body) for m in mail.outbox}
        for body in bodies.values():
            self.assertIn("ALICE-OWN-POST", body)
            self.assertIn("BOB-POST", body)

        def past_greeting(body: str) -> str:
            return body.split("\n", 1)[1]

        self.assertEqual(
            past_greeting(bodies["alice@example.org"]),
            past_greeting(bodies["bob@example.org"]),
        )


@override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}})
class TaskTableTestCase(TransactionTestCase):
    def test_no_queued_email_names_the_recipient_or_a_post_in_clear(self) -> None:
        org = make_organization("Northwind", slug="northwind")
        alice = make_member(org, email="alice@example.org", display_name="Alice Ally")
        bob = make_member(org, email="bob@example.org", display_name="Bob Member")
        fiona = make_member(
            org, Role.FACILITATOR, email="fiona@example.org", display_name="Fiona F"
        )
        # An ordinary space: her follower email is queued with her name and a link.
        ordinary = make_space(org, accepted=(alice, bob, fiona))
        post = start(ordinary, bob, "A question", "Ordinary thread")
        services.reply(thread=post.thread, author=alice, body="An answer")
        # A safe space: its news is queued only as the next day's mail.
        safe = make_space(org, accepted=(alice, bob, fiona), is_safe=True)
        case = type("Case", (), {"alice": alice, "bob": bob, "fiona": fiona})
        opening = _scenario(case, safe)
        safe_space_news_send(today=timezone.localdate() + TOMORROW)
        dump = task_table_dump()
        self.assertGreaterEqual(dump.count("sealed"), 2)
        assert opening.pseudonym is not None
        handle = opening.pseudonym.handle
        for secret in (
            "alice@example.org",
            "bob@example.org",
            "Alice Ally",
            "Bob Member",
            handle,
            "THREAD-TITLE-CANARY",
            "Ordinary thread",
            str(opening.uid),
            "/posts/",
        ):
            self.assertNotIn(secret, dump)
        call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
        self.assertIn(["alice@example.org"], [m.to for m in mail.outbox])


class ReaddressTestCase(BaseTestCase):
    def test_old_notifications_of_safe_space_news_move_to_the_pseudonym(self) -> None:
        safe = make_space(self.org, accepted=(self.alice, self.bob), is_safe=True)
        ordinary = make_space(self.org, accepted=(self.alice, self.bob))
        opening = start(safe, self.alice, "Mine", "Safe thread")
        plain = start(ordinary, self.bob, "His", "Ordinary thread")
        made = moderation.sanction(
            opening, moderator=self.paula, kind="warning", reason="Dates"
        )
        Notice.objects.all().delete()
        mine = safespace.pseudonym_for(safe, self.alice, create=False)
        assert mine is not None
        stored = timezone.now() - timedelta(days=3)

        def old(user: User, url: str) -> Notification:
            return Notification.objects.create(
                user=user,
                organization=self.org,
                kind=Notification.Kind.ORGANIZATION,
                message=f"about {url}",
                url=url,
                created_at=stored,
            )

        post_url = f"/o/northwind/posts/{opening.uid}/"
        old(self.alice, post_url)
        old(self.alice, f"/o/northwind/sanctions/{made.pk}/")
        old(self.alice, f"/o/northwind/spaces/{safe.pk}/")
        # Bob has no pseudonym there: news of a safe-space post is dropped.
        old(self.bob, post_url)
        kept = [
            old(self.alice, f"/o/northwind/posts/{plain.uid}/"),
            old(self.paula, f"/o/northwind/moderation/posts/{opening.uid}/"),
            old(self.alice, "/o/northwind/wall/"),
        ]
        call_command("notifications_readdress", stdout=open("/dev/null", "w"))  # noqa: SIM115
        self.assertEqual(
            sorted(Notification.objects.values_list("pk", flat=True)),
            sorted(n.pk for n in kept),
        )
        moved = Notice.objects.for_user(self.alice)
        self.assertEqual(moved.count(), 3)
        self.assertEqual({n.address for n in moved}, {str(mine.pk)})
        self.assertEqual({n.day for n in moved}, {timezone.localdate(stored)})
        self.assertEqual(_rows_linking(self.alice, _safe_uids(safe)), [])
        # Again: nothing more to move.
        call_command("notifications_readdress", stdout=open("/dev/null", "w"))  # noqa: SIM115
        self.assertEqual(Notice.objects.count(), 3)
