"""Safe spaces: pseudonym keys and handles, posting, reacting and following as the
pseudonym, notifications through the sealed link, mentions, digests, privacy, coarse
times, opaque cursors, the recent sign-in rule, and the admin site."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from io import StringIO
from unittest import mock

from django.conf import settings
from django.contrib import admin
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from alongside.accounts.models import User
from alongside.audit.models import AuditEvent
from alongside.dialogue import safespace, services
from alongside.dialogue.models import (
    DigestSubscription,
    Post,
    Pseudonym,
    Reaction,
    RevealRequest,
    Space,
    Subscription,
    Thread,
)
from alongside.dialogue.privacy import erase_user_data, export_user_data
from alongside.dialogue.tests.helpers import (
    make_space,
    reviewed,
    sign_in_recently,
    start,
)
from alongside.notifications.models import Notice, Notification
from alongside.organizations.models import Membership
from alongside.test import BaseTestCase

HANDLE = re.compile(r"^[A-Z][a-z]+ [A-Z][a-z]+ [1-9][0-9]$")


class KeysTestCase(BaseTestCase):
    def test_the_digest_is_keyed_and_differs_by_space_and_member(self) -> None:
        d = safespace.owner_digest(1, 2)
        self.assertRegex(d, r"^[0-9a-f]{64}$")
        self.assertEqual(d, safespace.owner_digest(1, 2))
        self.assertNotEqual(d, safespace.owner_digest(2, 2))
        self.assertNotEqual(d, safespace.owner_digest(1, 3))
        with override_settings(PSEUDONYM_KEY="another-key-entirely-0123456789"):
            self.assertNotEqual(d, safespace.owner_digest(1, 2))

    def test_a_sealed_link_opens_only_for_its_pseudonym_and_key(self) -> None:
        pid = uuid.uuid4()
        sealed = safespace.seal(42, pseudonym_id=pid, space_id=7)
        self.assertNotIn("42", sealed)
        self.assertEqual(safespace.unseal(sealed, pseudonym_id=pid, space_id=7), 42)
        # Two seals of the same id differ (random nonce): equal values tell nothing.
        self.assertNotEqual(sealed, safespace.seal(42, pseudonym_id=pid, space_id=7))
        with self.assertRaises(safespace.PseudonymKeyError):
            safespace.unseal(sealed, pseudonym_id=uuid.uuid4(), space_id=7)
        with self.assertRaises(safespace.PseudonymKeyError):
            safespace.unseal(sealed, pseudonym_id=pid, space_id=8)
        with (
            override_settings(PSEUDONYM_KEY="another-key-entirely-0123456789"),
            self.assertRaises(safespace.PseudonymKeyError),
        ):
            safespace.unseal(sealed, pseudonym_id=pid, space_id=7)
        with self.assertRaises(safespace.PseudonymKeyError):
            safespace.unseal("not base64 !!", pseudonym_id=pid, space_id=7)


OLD_KEY = settings.PSEUDONYM_KEY  # the test settings' key
NEW_KEY = "the-rotated-pseudonym-key-0123456789abcdef"


class KeyRotationTestCase(BaseTestCase):
    """A new PSEUDONYM_KEY with the former one in OLD_PSEUDONYM_KEYS, then
    `manage.py pseudonym_rekey`, then the former key removed."""

    def setUp(self) -> None:
        super().setUp()
        self.space = make_space(self.org, accepted=(self.alice,), is_safe=True)
        self.post = start(self.space, self.alice, "Under the old key")
        self.pseudonym = Pseudonym.objects.get(posts=self.post)

    def _rekey(self) -> str:
        out = StringIO()
        call_command("pseudonym_rekey", stdout=out)
        return out.getvalue()

    def _still_his(self) -> None:
        self.assertEqual(
            safespace.pseudonym_for(self.space, self.alice, create=False),
            self.pseudonym,
        )
        self.pseudonym.refresh_from_db()
        self.assertTrue(safespace.is_owner(self.pseudonym, self.alice))
        self.assertFalse(safespace.is_owner(self.pseudonym, self.bob))
        self.assertEqual(safespace.owner_of(self.pseudonym), self.alice)
        self.assertEqual(safespace.pseudonyms_of(self.alice), [self.pseudonym])

    def test_a_rotation_keeps_every_link_and_moves_it_to_the_new_key(self) -> None:
        before = Pseudonym.objects.get()
        with override_settings(
            PSEUDONYM_KEY=NEW_KEY, PSEUDONYM_KEY_FALLBACKS=[OLD_KEY]
        ):
            # Before the command runs, the former key still finds and opens it.
            self._still_his()
            output = self._rekey()
            self.assertIn("1 pseudonym(s) moved to the current key", output)
            self.assertIn("OLD_PSEUDONYM_KEYS can be removed", output)
            after = Pseudonym.objects.get()
            self.assertNotEqual(after.owner_digest, before.owner_digest)
            self.assertNotEqual(after.owner_sealed, before.owner_sealed)
            self.assertEqual(after.handle, before.handle)
            # Run again: nothing left to move.
            self.assertIn(
                "0 pseudonym(s) moved to the current key, 1 already under it",
                self._rekey(),
            )
        with override_settings(PSEUDONYM_KEY=NEW_KEY, PSEUDONYM_KEY_FALLBACKS=[]):
            self._still_his()
            # Posting again uses the same pseudonym, not a new one.
            sign_in_recently(self.client, self.alice)
            services.reply(thread=self.post.thread, author=self.alice, body="Again")
            self.assertEqual(Pseudonym.objects.count(), 1)
        event = AuditEvent.objects.get(action="dialogue.pseudonyms_rekeyed")
        self.assertEqual(event.data, {"rekeyed": 1, "unopenable": 0, "conflicts": 0})

    def test_without_the_former_key_nothing_is_found_and_nothing_changes(self) -> None:
        before = Pseudonym.objects.get()
        with override_settings(PSEUDONYM_KEY=NEW_KEY, PSEUDONYM_KEY_FALLBACKS=[]):
            self.assertIsNone(
                safespace.pseudonym_for(self.space, self.alice, create=False)
            )
            self.assertIsNone(safespace.owner_of(before))
            output = self._rekey()
            self.assertIn("1 under no configured key", output)
            self.assertIn("Keep OLD_PSEUDONYM_KEYS", output)
        after = Pseudonym.objects.get()
        self.assertEqual(
            (after.owner_digest, after.owner_sealed),
            (before.owner_digest, before.owner_sealed),
        )
        # Put the key back: all is as it was.
        self._still_his()


class PseudonymTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.safe = make_space(self.org, name="Safe", is_safe=True)

    def test_one_stable_pseudonym_per_member_and_space(self) -> None:
        self.assertIsNone(safespace.pseudonym_for(self.safe, self.alice, create=False))
        mine = safespace.pseudonym_for(self.safe, self.alice)
        assert mine is not None
        self.assertRegex(mine.handle, HANDLE)
        self.assertEqual(mine.id.version, 4)
        self.assertEqual(safespace.pseudonym_for(self.safe, self.alice), mine)
        self.assertEqual(
            safespace.pseudonym_for(self.safe, self.alice, create=False), mine
        )
        other_space = make_space(self.org, name="Safe 2", is_safe=True)
        elsewhere = safespace.pseudonym_for(other_space, self.alice)
        assert elsewhere is not None
        self.assertNotEqual(elsewhere.pk, mine.pk)
        self.assertNotEqual(elsewhere.owner_digest, mine.owner_digest)
        self.assertEqual(safespace.owner_of(mine), self.alice)
        self.assertTrue(safespace.is_owner(mine, self.alice))
        self.assertFalse(safespace.is_owner(mine, self.bob))
        # Nothing in the row names her in the clear.
        row = (
            Pseudonym.objects.filter(pk=mine.pk)
            .values("id", "handle", "owner_digest", "owner_sealed")
            .get()
        )
        for value in row.values():
            self.assertNotIn(str(value), ("", str(self.alice.pk), self.alice.email))

    def test_an_ordinary_space_has_no_pseudonyms(self) -> None:
        with self.assertRaises(ValueError):
            safespace.pseudonym_for(make_space(self.org), self.alice)

    def test_a_handle_taken_in_the_space_is_drawn_again(self) -> None:
        first = safespace.pseudonym_for(self.safe, self.alice)
        assert first is not None
        draws = iter([first.handle, first.handle, "Quiet Wren 42"])
        with mock.patch.object(safespace, "random_handle", lambda: next(draws)):
            second = safespace.pseudonym_for(self.safe, self.bob)
        assert second is not None
        self.assertEqual(second.handle, "Quiet Wren 42")

    def test_opaque_ids_do_not_follow_account_creation(self) -> None:
        """1,000 pseudonyms interleaved with 1,000 new accounts: every id a UUIDv4, and
        the ids' order has no correlation with the order of creation."""
        space = make_space(self.org, name="Big", is_safe=True)
        ids = []
        for n in range(1000):
            user = User.objects.create(email=f"interleaved{n}@example.org")
            pseudonym = safespace.pseudonym_for(space, user)
            assert pseudonym is not None
            ids.append(pseudonym.pk)
        self.assertTrue(all(i.version == 4 and i.variant == uuid.RFC_4122 for i in ids))
        self.assertEqual(len(set(ids)), 1000)
        ranks = {pk: rank for rank, pk in enumerate(sorted(ids, key=lambda u: u.int))}
        n = len(ids)
        d2 = sum((i - ranks[pk]) ** 2 for i, pk in enumerate(ids))
        rho = 1 - 6 * d2 / (n * (n * n - 1))  # Spearman's rank correlation
        self.assertLess(abs(rho), 0.1)
        # And no creation time is stored at all.
        field_names = {f.name for f in Pseudonym._meta.get_fields()}
        self.assertFalse({"created_at", "created", "updated_at"} & field_names)


class PostingTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.safe = make_space(
            self.org, accepted=(self.alice, self.bob, self.fiona), is_safe=True
        )
        reviewed(self.safe, self.alice, self.bob)

    def _mine(self, user: User) -> Pseudonym:
        found = safespace.pseudonym_for(self.safe, user, create=False)
        assert found is not None
        return found

    def test_a_thread_belongs_to_the_pseudonym_not_the_member(self) -> None:
        post = start(self.safe, self.alice, "My question", "A question")
        post.refresh_from_db()
        self.assertIsNone(post.author_id)
        self.assertIsNone(post.thread.started_by_id)
        mine = self._mine(self.alice)
        self.assertEqual(post.pseudonym_id, mine.pk)
        self.assertEqual(post.display_author_for(self.bob), mine.handle)
        self.assertEqual(post.display_author_for(self.alice), mine.handle)
        self.assertTrue(post.is_written_by(self.alice))
        self.assertFalse(post.is_written_by(self.bob))
        self.assertFalse(post.is_written_by(None))
        self.assertTrue(
            Subscription.objects.filter(
                thread=post.thread, pseudonym=mine, user__isnull=True
            ).exists()
        )
        self.assertFalse(Subscription.objects.filter(user=self.alice).exists())
        # The owner edits and deletes his post; nobody else can.
        services.post_edit(post, user=self.alice, body="Edited question")
        with self.assertRaises(PermissionDenied):
            services.post_edit(post, user=self.bob, body="Hijack")
        services.post_delete(post, user=self.alice)
        self.assertIsNotNone(Post.objects.get(pk=post.pk).deleted_at)

    def test_followers_hear_through_the_sealed_link_and_learn_no_name(self) -> None:
        opening = start(self.safe, self.alice, "Question", "Q")
        with self.captureOnCommitCallbacks(execute=True):
            reply = services.reply(
                thread=opening.thread, author=self.bob, body="Answer"
            )
        bob_handle = self._mine(self.bob).handle
        # A notice addressed to her pseudonym: no row ties her to the post.
        note = Notice.objects.for_user(self.alice).get()
        self.assertEqual(note.address, str(self._mine(self.alice).pk))
        self.assertIn(bob_handle, note.message)
        self.assertNotIn("Bob", note.message)
        self.assertIn(str(reply.uid), note.url)
        self.assertFalse(Notification.objects.exists())
        # His own pseudonym's follow does not notify him of his own post.
        self.assertFalse(Notice.objects.for_user(self.bob).exists())
        # No email at the moment of the post: the daily mail says there is news.
        self.assertFalse([m for m in mail.outbox if m.to == ["alice@example.org"]])

    def test_a_member_who_left_hears_nothing(self) -> None:
        circle_space = self.safe
        opening = start(circle_space, self.alice, "Question", "Q")
        Membership.objects.of_user(self.alice).delete()
        services.reply(thread=opening.thread, author=self.bob, body="Answer")
        self.assertFalse(Notification.objects.filter(user=self.alice).exists())

    def test_mentions_name_pseudonyms_only(self) -> None:
        reviewed(self.safe, self.fiona)
        opening = start(self.safe, self.alice, "Question", "Q")
        handle = self._mine(self.alice).handle
        slug = "-".join(handle.lower().split())
        services.reply(
            thread=opening.thread,
            author=self.fiona,
            body=f"@alice-ally @bob-member and @{slug}, thank you",
        )
        # Real names are never resolved in a safe space...
        self.assertFalse(Notification.objects.filter(user=self.bob).exists())
        self.assertFalse(Notice.objects.for_user(self.bob).exists())
        # ...a pseudonym's handle reaches its owner (once, not also as a follower).
        (note,) = Notice.objects.for_user(self.alice)
        self.assertIn("mentioned you", note.message)
        self.assertIn(self._mine(self.fiona).handle, note.message)

    def test_reactions_and_follows_are_the_pseudonyms(self) -> None:
        post = start(self.safe, self.alice)
        services.reaction_set(post, user=self.bob, kind="heart", on=True)
        services.reaction_set(post, user=self.bob, kind="heart", on=True)
        reaction = Reaction.objects.get(post=post)
        self.assertIsNone(reaction.user_id)
        self.assertEqual(reaction.pseudonym_id, self._mine(self.bob).pk)
        services.reaction_set(post, user=self.bob, kind="heart", on=False)
        self.assertFalse(Reaction.objects.exists())
        # Taking off what he never gave makes no pseudonym.
        services.reaction_set(post, user=self.fiona, kind="heart", on=False)
        self.assertIsNone(safespace.pseudonym_for(self.safe, self.fiona, create=False))
        services.subscription_set(post.thread, user=self.fiona, on=True)
        self.assertTrue(services.is_following(post.thread, self.fiona))
        self.assertFalse(Subscription.objects.filter(user=self.fiona).exists())
        services.subscription_set(post.thread, user=self.fiona, on=False)
        self.assertFalse(services.is_following(post.thread, self.fiona))

    def test_the_digest_shows_handles_and_his_own_posts_like_anyone_s(self) -> None:
        DigestSubscription.objects.create(
            space=self.safe,
            user=self.alice,
            covered_until=timezone.now() - timedelta(hours=1),
        )
        start(self.safe, self.alice, "ALICE-OWN-POST", "Mine")
        start(self.safe, self.bob, "BOB-POST", "His")
        # A safe space's digest covers whole past days: tomorrow's carries today's.
        tomorrow = timezone.now() + timedelta(days=1)
        with self.captureOnCommitCallbacks(execute=True):
            self.assertEqual(services.send_digests(tomorrow), 1)
        email = mail.outbox[-1]
        self.assertIn("BOB-POST", email.body)
        self.assertIn(self._mine(self.bob).handle, email.body)
        self.assertNotIn("Bob Member", email.body)
        # His own pseudonymous posts too: leaving them out would mark them as his.
        self.assertIn("ALICE-OWN-POST", email.body)
        self.assertIn(self._mine(self.alice).handle, email.body)
        self.assertNotRegex(str(email.body), r"(?<![\d.])\d{1,2}:\d{2}(?!\d)")


class PrivacyTestCase(BaseTestCase):
    def test_export_has_his_pseudonymous_posts_and_nobody_elses(self) -> None:
        safe = make_space(self.org, accepted=(self.alice, self.bob), is_safe=True)
        start(safe, self.alice, "ALICE-WORDS", "Mine")
        start(safe, self.bob, "BOB-WORDS", "His")
        data = export_user_data(self.alice)
        bodies = [p["body"] for p in data["posts"]]
        self.assertEqual(bodies, ["ALICE-WORDS"])
        mine = safespace.pseudonym_for(safe, self.alice, create=False)
        assert mine is not None
        self.assertEqual(data["pseudonyms"][0]["pseudonym"], mine.handle)
        self.assertEqual(len(data["pseudonyms"]), 1)

    def test_erasure_cuts_the_link_and_keeps_the_posts(self) -> None:
        safe = make_space(self.org, accepted=(self.alice, self.bob), is_safe=True)
        post = start(safe, self.alice, "Stays", "Mine")
        mine = safespace.pseudonym_for(safe, self.alice, create=False)
        assert mine is not None
        erase_user_data(self.alice)
        mine.refresh_from_db()
        self.assertIsNone(mine.owner_digest)
        self.assertEqual(mine.owner_sealed, "")
        self.assertIsNone(safespace.owner_of(mine))
        self.assertFalse(Subscription.objects.filter(pseudonym=mine).exists())
        post.refresh_from_db()
        self.assertEqual(post.body, "Stays")
        self.assertEqual(post.display_author_for(self.bob), mine.handle)
        self.assertFalse(post.is_written_by(self.alice))
        self.assertEqual(export_user_data(self.alice)["posts"], [])
        # A new post makes a new, unrelated pseudonym.
        again = safespace.pseudonym_for(safe, self.alice)
        assert again is not None
        self.assertNotEqual(again.pk, mine.pk)


class SafeSpacePagesTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.safe = make_space(
            self.org, accepted=(self.alice, self.bob), name="Quiet room", is_safe=True
        )

    def test_only_the_create_form_offers_a_safe_space(self) -> None:
        self.client.force_login(self.paula)
        url = "/o/northwind/spaces/new/"
        self.assertContains(self.client.get(url), 'name="is_safe"')
        r = self.client.post(
            url,
            {
                "place": "org",
                "name": "Ask anything",
                "description": "",
                "guidelines": "Be kind.",
                "is_safe": "on",
            },
        )
        space = Space.objects.get(name="Ask anything")
        self.assertRedirects(r, space.get_absolute_url(), fetch_redirect_response=False)
        self.assertTrue(space.is_safe)
        edit = f"/o/northwind/spaces/{space.pk}/edit/"
        page = self.client.get(edit)
        self.assertNotContains(page, 'name="is_safe"')
        self.assertContains(page, "can't be changed")
        self.client.post(
            edit, {"name": "Ask anything", "guidelines": "Be kind.", "is_safe": ""}
        )
        space.refresh_from_db()
        self.assertTrue(space.is_safe)

    def test_banner_compose_notice_and_coarse_times(self) -> None:
        reviewed(self.safe, self.alice, self.bob)
        post = start(self.safe, self.alice, "A question", "My question")
        services.reply(thread=post.thread, author=self.bob, body="An answer")
        Post.objects.filter(pk=post.pk).update(edited_at=timezone.now())
        self.client.force_login(self.bob)
        pages = [
            self.client.get(self.safe.get_absolute_url()),
            self.client.get(post.thread.get_absolute_url()),
            self.client.get("/o/northwind/spaces/search/", {"q": "question"}),
            self.client.get("/o/northwind/"),
            self.client.get(f"/o/northwind/spaces/{self.safe.pk}/new/"),
        ]
        # Moderators' pages date safe-space posts by day too.
        Post.objects.filter(pk=post.pk).update(state=Post.State.HELD)
        self.client.force_login(self.paula)
        queue = self.client.get("/o/northwind/moderation/")
        self.assertContains(queue, "My question")
        moderation = [
            queue,
            self.client.get(f"/o/northwind/moderation/posts/{post.uid}/"),
        ]
        for page in pages + moderation:
            self.assertEqual(page.status_code, 200)
        self.assertContains(pages[0], "A safe space")
        self.assertContains(pages[1], "A safe space")
        self.assertContains(pages[1], 'id="safe-space-compose-notice"')
        self.assertContains(pages[4], 'id="safe-space-compose-notice"')
        self.assertContains(pages[2], "My question")
        self.assertContains(pages[3], "My question")
        for page in pages + moderation:
            html = page.content.decode()
            self.assertNotIn("Alice Ally", html.split("</header>")[-1])
            for stamp in re.findall(r'datetime="([^"]*)"', html):
                self.assertRegex(
                    stamp, r"^\d{4}-\d{2}-\d{2}$", page.request["PATH_INFO"]
                )
            text = re.sub(r"<[^>]+>", " ", html)
            self.assertIsNone(
                re.search(r"\b\d{1,2}:\d{2}\b", text), page.request["PATH_INFO"]
            )
            for word in ("online", "typing", "last seen", "seen by"):
                self.assertNotIn(word, text.lower())

    def test_cursors_are_random_uids_not_times_or_ids(self) -> None:
        first = start(self.safe, self.alice)
        thread = first.thread
        for n in range(25):
            Post.objects.create(thread=thread, pseudonym=first.pseudonym, body=f"p{n}")
        for n in range(25):
            Thread.objects.create(space=self.safe, title=f"T{n}")
        self.client.force_login(self.bob)
        for url in (thread.get_absolute_url(), self.safe.get_absolute_url()):
            page = self.client.get(url).context["page"]
            uuid.UUID(page.next_cursor)  # a uid, nothing else
            second = self.client.get(url, {"after": page.next_cursor})
            self.assertFalse(second.context["page"].is_first)

    def test_a_pseudonyms_post_can_be_edited_by_its_owner_only(self) -> None:
        post = start(self.safe, self.alice)
        sign_in_recently(self.client, self.bob)
        url = f"/o/northwind/posts/{post.uid}/edit/"
        self.assertEqual(self.client.get(url).status_code, 404)
        sign_in_recently(self.client, self.alice)
        self.assertEqual(self.client.get(url).status_code, 200)
        r = self.client.post(url, {"body": "Better words"})
        self.assertEqual(r.status_code, 302)
        post.refresh_from_db()
        self.assertEqual(post.body, "Better words")
        page = self.client.get(post.thread.get_absolute_url())
        self.assertContains(page, "edited")
        self.assertContains(page, "Your pseudonym here is")


class RecentSignInTestCase(BaseTestCase):
    """Acting as a pseudonym needs a sign-in in the last ten minutes (ATO amplification)."""

    def setUp(self) -> None:
        self.safe = make_space(self.org, accepted=(self.alice, self.bob), is_safe=True)
        reviewed(self.safe, self.bob)
        self.post = start(self.safe, self.bob)

    def test_an_old_session_reads_but_must_sign_in_again_to_act(self) -> None:
        self.client.force_login(self.alice)  # a session with no recent sign-in
        thread_url = self.post.thread.get_absolute_url()
        self.assertEqual(self.client.get(thread_url).status_code, 200)
        attempts = [
            (f"/o/northwind/spaces/{self.safe.pk}/new/", {"title": "T", "body": "B"}),
            (thread_url, {"body": "A reply"}),
            (
                f"/o/northwind/posts/{self.post.uid}/react/",
                {"reaction": "heart:1"},
            ),
            (f"{thread_url}follow/", {"follow": "on"}),
        ]
        for url, data in attempts:
            r = self.client.post(url, data)
            self.assertEqual(r.status_code, 302, url)
            self.assertTrue(r["Location"].startswith("/accounts/reauthenticate/"), url)
        self.assertEqual(Post.objects.count(), 1)
        self.assertFalse(Reaction.objects.exists())
        self.assertIsNone(safespace.pseudonym_for(self.safe, self.alice, create=False))

    def test_after_confirming_the_password_the_post_goes_through(self) -> None:
        self.client.force_login(self.alice)
        thread_url = self.post.thread.get_absolute_url()
        r = self.client.post(thread_url, {"body": "Kept across the password check"})
        self.assertTrue(r["Location"].startswith("/accounts/reauthenticate/"))
        r = self.client.post(
            r["Location"], {"password": "correct horse battery staple"}
        )
        self.assertEqual(r.status_code, 302)
        self.assertTrue(
            Post.objects.filter(body="Kept across the password check").exists()
        )

    def test_a_sign_in_older_than_ten_minutes_does_not_count(self) -> None:
        sign_in_recently(self.client, self.alice)
        session = self.client.session
        records = session["account_authentication_methods"]
        records[-1]["at"] -= 11 * 60
        session["account_authentication_methods"] = records
        session.save()
        r = self.client.post(self.post.thread.get_absolute_url(), {"body": "Late"})
        self.assertTrue(r["Location"].startswith("/accounts/reauthenticate/"))

    def test_ordinary_spaces_ask_nothing_more(self) -> None:
        space = make_space(self.org, accepted=(self.alice,))
        self.client.force_login(self.alice)
        r = self.client.post(
            f"/o/northwind/spaces/{space.pk}/new/", {"title": "T", "body": "B"}
        )
        self.assertEqual(r.status_code, 302)
        self.assertFalse(r["Location"].startswith("/accounts/"))


class RealAccountIsolationTestCase(BaseTestCase):
    def test_acting_as_the_pseudonym_changes_nothing_on_the_real_account(self) -> None:
        safe = make_space(self.org, accepted=(self.alice, self.bob), is_safe=True)
        other = start(safe, self.bob)
        sign_in_recently(self.client, self.alice)
        before = User.objects.filter(pk=self.alice.pk).values().get()
        membership = Membership.objects.of_user(self.alice).values().get()
        thread_url = other.thread.get_absolute_url()
        self.client.post(thread_url, {"body": "PSEUDO-WORDS"})
        self.client.post(
            f"/o/northwind/posts/{other.uid}/react/", {"reaction": "heart:1"}
        )
        self.client.post(f"{thread_url}follow/", {"follow": "on"})
        self.client.post(
            f"/o/northwind/spaces/{safe.pk}/new/", {"title": "T2", "body": "More"}
        )
        self.assertEqual(Post.objects.filter(pseudonym__isnull=False).count(), 3)
        self.assertEqual(User.objects.filter(pk=self.alice.pk).values().get(), before)
        self.assertEqual(
            Membership.objects.of_user(self.alice).values().get(), membership
        )
        # Her profile, seen by bob, shows nothing of it.
        self.client.force_login(self.bob)
        profile = self.client.get(f"/o/northwind/allies/{self.alice.pk}/")
        handle = safespace.pseudonym_for(safe, self.alice, create=False)
        assert handle is not None
        self.assertNotContains(profile, handle.handle)
        self.assertNotContains(profile, "PSEUDO-WORDS")


class AdminSiteTestCase(BaseTestCase):
    def test_dialogue_registers_nothing_that_could_show_an_owner(self) -> None:
        for model in (Pseudonym, Post, RevealRequest, Reaction, Subscription, Thread):
            self.assertNotIn(model, admin.site._registry)


class HtmxRecentSignInTestCase(BaseTestCase):
    def test_an_htmx_reaction_sends_the_whole_page_to_the_password_check(self) -> None:
        safe = make_space(self.org, accepted=(self.alice, self.bob), is_safe=True)
        reviewed(safe, self.bob)
        post = start(safe, self.bob)
        self.client.force_login(self.alice)
        r = self.client.post(
            f"/o/northwind/posts/{post.uid}/react/",
            {"reaction": "heart:1"},
            headers={"HX-Request": "true"},
        )
        self.assertEqual(r.status_code, 204)
        self.assertTrue(r["HX-Redirect"].startswith("/accounts/reauthenticate/?next="))
        self.assertIn(str(post.uid), r["HX-Redirect"])
        self.assertFalse(Reaction.objects.exists())
        sign_in_recently(self.client, self.alice)
        r = self.client.post(
            f"/o/northwind/posts/{post.uid}/react/",
            {"reaction": "heart:1"},
            headers={"HX-Request": "true"},
        )
        self.assertContains(r, 'aria-pressed="true"')
        mine = safespace.pseudonym_for(safe, self.alice, create=False)
        assert mine is not None
        self.assertEqual(Reaction.objects.get().pseudonym_id, mine.pk)


class HeldOpeningPostTestCase(BaseTestCase):
    def test_a_new_member_sees_his_held_thread_in_the_list_and_nobody_else_does(
        self,
    ) -> None:
        safe = make_space(
            self.org,
            name="Safe",
            is_safe=True,
            accepted=(self.alice, self.bob),
            established=False,
        )
        post = start(safe, self.alice, body="Is this ok?", title="A first question")
        self.assertEqual(post.state, Post.State.HELD)
        self.assertIsNone(post.thread.started_by)
        self.client.force_login(self.alice)
        self.assertContains(
            self.client.get(safe.get_absolute_url()), "A first question"
        )
        self.client.force_login(self.bob)
        self.assertNotContains(
            self.client.get(safe.get_absolute_url()), "A first question"
        )
