"""The abusive-language screen and its settings page."""

from __future__ import annotations

from typing import Any

from django.test import SimpleTestCase

from alongside.audit.models import AuditEvent
from alongside.dialogue import language_screen, services, trust
from alongside.dialogue.models import ModerationSettings, Post
from alongside.dialogue.tests.helpers import make_space, start
from alongside.test import BaseTestCase


class MatchingTestCase(SimpleTestCase):
    def test_whole_words_any_case(self) -> None:
        self.assertEqual(language_screen.matches("What a BITCH."), ["bitch"])
        self.assertEqual(
            language_screen.matches("Scunthorpe and classic cocktails"), []
        )
        self.assertEqual(language_screen.matches("She is a skilled analyst."), [])

    def test_simple_disguises(self) -> None:
        for text in (
            "biiiiitch",
            "b1tch",
            "B!TCH",
            "b.i.t.c.h",
            "b i t c h",
            "bítch",
            "$lut",
            "sluuut",
        ):
            with self.subTest(text=text):
                self.assertTrue(language_screen.matches(text), text)

    def test_threats_as_phrases(self) -> None:
        self.assertEqual(
            language_screen.matches("I will   KILL you"), ["i will kill you"]
        )
        self.assertIn("kys", language_screen.matches("just k y s"))
        self.assertEqual(language_screen.matches("I will find your notes"), [])

    def test_extra_and_allowed_terms(self) -> None:
        self.assertEqual(
            language_screen.matches("you snowflake", extra=["snowflake"]), ["snowflake"]
        )
        self.assertEqual(language_screen.matches("whore", allowed=["whore"]), [])
        self.assertEqual(language_screen.parse_terms(" a \n\nA\n b  c "), ["a", "b c"])


class ScreenPostingTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.space = make_space(self.org, accepted=(self.alice, self.bob))

    def test_a_matching_post_is_held_and_its_author_told(self) -> None:
        self.client.force_login(self.alice)
        response = self.client.post(
            f"/o/northwind/spaces/{self.space.pk}/new/",
            {"title": "Rant", "body": "He is a total b1tch about rotas"},
            follow=True,
        )
        self.assertContains(response, "a moderator will read it before it appears")
        post = Post.objects.get()
        self.assertEqual(post.state, Post.State.HELD)
        self.assertEqual(post.held_because, Post.HeldBecause.SCREEN)
        # Moderators see which terms matched.
        self.client.force_login(self.paula)
        page = self.client.get(f"/o/northwind/moderation/posts/{post.uid}/")
        self.assertContains(page, "What the language screen found")
        self.assertContains(page, "<li>bitch</li>", html=True)

    def test_screen_off_and_org_terms(self) -> None:
        ModerationSettings.objects.create(
            organization=self.org, screen_enabled=False, screen_extra_terms="snowflake"
        )
        self.assertEqual(start(self.space, self.alice, "b1tch").state, "published")
        ModerationSettings.objects.filter(organization=self.org).update(
            screen_enabled=True
        )
        post = start(self.space, self.alice, "what a snowflake", title="2")
        self.assertEqual(post.held_because, Post.HeldBecause.SCREEN)

    def test_leaders_are_not_held(self) -> None:
        space = make_space(self.org, accepted=(self.paula,), name="Two")
        self.assertEqual(
            start(space, self.paula, "kill yourself is a threat").state, "published"
        )


class ScreenEditingTestCase(BaseTestCase):
    """An edit can't smuggle in what posting would have held."""

    def setUp(self) -> None:
        self.space = make_space(self.org, accepted=(self.alice, self.paula))

    def test_a_screened_edit_is_refused_with_the_reason_and_changes_nothing(
        self,
    ) -> None:
        post = start(self.space, self.alice, "About the rota")
        self.assertEqual(post.state, Post.State.PUBLISHED)
        self.client.force_login(self.alice)
        response = self.client.post(
            f"/o/northwind/posts/{post.uid}/edit/", {"body": "He is a b1tch"}
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "was not saved")
        post.refresh_from_db()
        self.assertEqual(post.body, "About the rota")
        self.assertIsNone(post.edited_at)
        self.assertEqual(post.state, Post.State.PUBLISHED)
        # A clean edit still saves.
        self.client.post(f"/o/northwind/posts/{post.uid}/edit/", {"body": "Rotas!"})
        post.refresh_from_db()
        self.assertEqual(post.body, "Rotas!")

    def test_a_new_members_edit_keeps_the_link_limit(self) -> None:
        newcomer = make_space(
            self.org, name="Two", accepted=(self.bob,), established=False
        )
        post = start(newcomer, self.bob, "hello")  # held: he is new, yet his own
        with self.assertRaises(trust.PostingRefused):
            services.post_edit(
                post,
                user=self.bob,
                body="https://a.example https://b.example https://c.example",
            )

    def test_leaders_edits_are_not_screened(self) -> None:
        post = start(self.space, self.paula, "Quoting a threat")
        services.post_edit(post, user=self.paula, body="He wrote: kill yourself")
        post.refresh_from_db()
        self.assertEqual(post.body, "He wrote: kill yourself")


class SettingsPageTestCase(BaseTestCase):
    url = "/o/northwind/moderation/settings/"

    def _post(self, **fields: object) -> Any:
        data = {
            "screen_enabled": "on",
            "screen_extra_terms": "",
            "screen_allowed_terms": "",
            "auto_hide_score": "6",
            "auto_hide_reporters": "3",
        } | {k: str(v) for k, v in fields.items()}
        return self.client.post(self.url, data)

    def test_only_program_admins(self) -> None:
        for user in (self.alice, self.fiona):
            self.client.force_login(user)
            self.assertEqual(self.client.get(self.url).status_code, 404)
        self.client.force_login(self.paula)
        self.assertEqual(self.client.get(self.url).status_code, 200)

    def test_bad_input_is_explained_and_changes_nothing(self) -> None:
        self.client.force_login(self.paula)
        for fields, message in (
            ({"auto_hide_reporters": "1"}, "one member alone never hides a post"),
            ({"auto_hide_score": "0"}, "between 2 and 50"),
            ({"screen_allowed_terms": "rota"}, "is not on the built-in list"),
            ({"screen_extra_terms": "x" * 101}, "is too long"),
            ({"screen_extra_terms": "!!!"}, "has no letters"),
        ):
            with self.subTest(fields=fields):
                self.assertContains(self._post(**fields), message)
        self.assertFalse(ModerationSettings.objects.exists())

    def test_saving_is_audited(self) -> None:
        self.client.force_login(self.paula)
        response = self._post(
            screen_extra_terms="snowflake\nSnowflake\n", screen_allowed_terms="whore"
        )
        self.assertEqual(response.status_code, 302)
        saved = ModerationSettings.objects.get(organization=self.org)
        self.assertEqual(saved.screen_extra_terms, "snowflake")
        self.assertTrue(
            AuditEvent.objects.filter(action="dialogue.mod_settings_changed").exists()
        )
