from __future__ import annotations

import json

from alongside.accounts.services import user_erase
from alongside.dialogue import services
from alongside.dialogue.models import (
    DigestSubscription,
    GuidelinesAcceptance,
    Post,
    Reaction,
    Subscription,
)
from alongside.dialogue.privacy import export_user_data
from alongside.dialogue.tests.helpers import make_space, start
from alongside.test import BaseTestCase


class PrivacyTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.space = make_space(self.org, accepted=(self.alice, self.bob))
        self.post = start(self.space, self.alice, "Alice's words", title="Rotas")
        self.reply = services.reply(
            thread=self.post.thread, author=self.bob, body="Bob's words"
        )
        services.reaction_set(self.reply, user=self.alice, kind="heart", on=True)
        services.digest_set(self.space, user=self.alice, on=True)

    def test_export_holds_her_posts_and_choices(self) -> None:
        data = export_user_data(self.alice)
        json.dumps(data)
        self.assertEqual([p["body"] for p in data["posts"]], ["Alice's words"])
        self.assertEqual(data["posts"][0]["thread"], "Rotas")
        self.assertEqual([r["kind"] for r in data["reactions"]], ["heart"])
        self.assertEqual(data["threads_followed"], ["Rotas"])
        self.assertEqual(data["daily_digests"], ["Open conversation"])
        self.assertEqual(data["guidelines_accepted"][0]["version"], 1)
        self.assertNotIn("Bob's words", json.dumps(data))

    def test_erasure_keeps_posts_as_a_former_member(self) -> None:
        user_erase(user=self.alice)
        post = Post.objects.get(pk=self.post.pk)
        self.assertIsNone(post.author)
        self.assertEqual(post.body, "Alice's words")
        for model in (Reaction, Subscription, DigestSubscription, GuidelinesAcceptance):
            self.assertFalse(
                model.objects.exclude(user=self.bob).exists(), model.__name__
            )
        self.client.force_login(self.bob)
        response = self.client.get(post.thread.get_absolute_url())
        self.assertContains(response, "A former member")
        self.assertContains(response, "Alice's words")
        self.assertNotContains(response, "Alice Ally")
