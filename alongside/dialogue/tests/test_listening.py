"""Listening rounds: prompt, then stories, then reflections, then closed."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.urls import reverse

from alongside.audit.models import AuditEvent
from alongside.circles.models import Circle
from alongside.dialogue import listening, services
from alongside.dialogue.models import ListeningPhase, Post, Thread
from alongside.dialogue.tests.helpers import make_circle, make_space
from alongside.notifications.models import Notification
from alongside.test import BaseTestCase


class ListeningRoundTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.circle = make_circle(
            self.org,
            facilitator=self.fiona,
            members=(self.alice, self.bob),
            kind=Circle.Kind.LISTENING,
            slug="listening",
        )
        self.space = make_space(
            self.org, circle=self.circle, accepted=(self.fiona, self.alice, self.bob)
        )

    def open_round(self) -> Thread:
        return services.thread_start(
            space=self.space,
            author=self.fiona,
            title="A time someone backed you up",
            body="Tell us about it.",
            listening_round=True,
        ).thread

    def test_posts_take_the_kind_of_the_phase_and_the_round_only_moves_forward(
        self,
    ) -> None:
        thread = self.open_round()
        self.assertEqual(thread.phase, ListeningPhase.SHARING)
        self.assertEqual(thread.posts.get().kind, Post.Kind.PROMPT)
        story = services.reply(thread=thread, author=self.alice, body="In 2019...")
        self.assertEqual(story.kind, Post.Kind.STORY)
        note = services.reply(thread=thread, author=self.fiona, body="Thank you.")
        self.assertEqual(note.kind, Post.Kind.PROMPT)

        with self.assertRaises(PermissionDenied):  # no skipping ahead
            listening.round_phase_set(thread, user=self.fiona, phase="closed")
        with self.assertRaises(PermissionDenied):  # only the facilitator
            listening.round_phase_set(thread, user=self.alice, phase="reflecting")
        listening.round_phase_set(thread, user=self.fiona, phase="reflecting")
        listening.round_phase_set(thread, user=self.fiona, phase="reflecting")  # no-op
        reflection = services.reply(thread=thread, author=self.bob, body="I heard...")
        self.assertEqual(reflection.kind, Post.Kind.REFLECTION)
        with self.assertRaises(PermissionDenied):  # never back
            listening.round_phase_set(thread, user=self.fiona, phase="sharing")

        listening.round_phase_set(thread, user=self.fiona, phase="closed")
        with self.assertRaises(listening.RoundClosed):
            services.reply(thread=thread, author=self.bob, body="One more thing")
        self.assertEqual(thread.posts.count(), 4)
        self.assertEqual(
            AuditEvent.objects.filter(
                action="dialogue.listening_phase_changed"
            ).count(),
            2,
        )

    def test_followers_hear_when_reflections_open(self) -> None:
        thread = self.open_round()
        services.reply(thread=thread, author=self.alice, body="My story")
        services.subscription_set(thread, user=self.bob, on=True)
        Notification.objects.all().delete()
        listening.round_phase_set(thread, user=self.fiona, phase="reflecting")
        told = set(Notification.objects.values_list("user__email", flat=True))
        self.assertEqual(told, {self.alice.email, self.bob.email})

    def test_only_listening_circles_facilitators_open_rounds(self) -> None:
        with self.assertRaises(PermissionDenied):
            services.thread_start(
                space=self.space,
                author=self.alice,
                title="Mine",
                body="x",
                listening_round=True,
            )
        support = make_circle(
            self.org, facilitator=self.fiona, members=(), slug="support"
        )
        other = make_space(self.org, circle=support, accepted=(self.fiona,))
        with self.assertRaises(PermissionDenied):
            services.thread_start(
                space=other,
                author=self.fiona,
                title="x",
                body="x",
                listening_round=True,
            )
        org_wide = make_space(self.org, accepted=(self.paula,), name="Everyone")
        self.assertFalse(listening.can_run_round(org_wide, self.paula))
        self.assertFalse(Thread.objects.filter(phase__gt="").exists())

    def test_the_pages_show_the_round_and_its_controls(self) -> None:
        org = self.org.slug
        self.client.force_login(self.fiona)
        space_page = self.client.get(self.space.get_absolute_url())
        self.assertContains(space_page, "Open a listening round")
        create = (
            reverse("dialogue:thread_create", args=[org, self.space.pk]) + "?round=1"
        )
        self.assertContains(self.client.get(create), "Write the prompt")
        response = self.client.post(
            create, {"title": "Being believed", "body": "When were you believed?"}
        )
        thread = Thread.objects.get(title="Being believed")
        self.assertRedirects(response, thread.get_absolute_url())
        self.assertEqual(thread.phase, ListeningPhase.SHARING)
        page = self.client.get(thread.get_absolute_url())
        self.assertContains(page, "Listening round: Sharing")
        self.assertContains(page, "Open reflections")

        self.client.force_login(self.alice)
        self.assertNotContains(
            self.client.get(self.space.get_absolute_url()), "?round=1"
        )
        page = self.client.get(thread.get_absolute_url())
        self.assertContains(page, "Share your story")
        self.assertNotContains(page, "Open reflections")
        phase_url = reverse("dialogue:listening_phase", args=[org, thread.uid])
        self.assertEqual(
            self.client.post(phase_url, {"phase": "reflecting"}).status_code, 404
        )
        # ?round=1 from a member starts an ordinary thread, not a round.
        self.client.post(create, {"title": "Just a question", "body": "Hi"})
        self.assertEqual(Thread.objects.get(title="Just a question").phase, "")

        self.client.force_login(self.fiona)
        self.client.post(phase_url, {"phase": "reflecting"})
        self.client.post(phase_url, {"phase": "closed"})
        thread.refresh_from_db()
        self.assertEqual(thread.phase, ListeningPhase.CLOSED)
        self.client.force_login(self.alice)
        page = self.client.get(thread.get_absolute_url())
        self.assertContains(page, "This listening round is closed.")
        self.assertNotContains(page, "Post my reply")
        response = self.client.post(thread.get_absolute_url(), {"body": "Late"})
        self.assertRedirects(response, thread.get_absolute_url())
        self.assertEqual(thread.posts.count(), 1)
