from __future__ import annotations

from django.test import TestCase

from alongside.circles.models import Circle
from alongside.demo.loader import DEMO_SLUG, demo_load
from alongside.dialogue import demo
from alongside.dialogue.models import ListeningPhase, Post, Reaction, Space, Thread
from alongside.organizations.models import Membership, Organization


class DemoTestCase(TestCase):
    def test_it_loads_an_active_discussion_once(self) -> None:
        demo_load()
        organization = Organization.objects.get(slug=DEMO_SLUG)
        open_space = Space.objects.get(
            organization=organization, circle=None, is_safe=False
        )
        self.assertEqual(open_space.name, "Open conversation")
        self.assertGreaterEqual(open_space.threads.count(), 3)
        self.assertGreaterEqual(
            Post.objects.filter(thread__space=open_space).count(), 12
        )
        self.assertTrue(Reaction.objects.filter(post__thread__space=open_space))
        circle_space = Space.objects.get(
            organization=organization, circle__slug="men-for-fair-rotas"
        )
        assert circle_space.circle is not None
        self.assertEqual(circle_space.circle.slug, "men-for-fair-rotas")
        round_ = Thread.objects.get(space__name=demo.LISTENING_SPACE)
        assert round_.space.circle is not None
        self.assertEqual(round_.space.circle.kind, Circle.Kind.LISTENING)
        self.assertEqual(round_.phase, ListeningPhase.REFLECTING)
        self.assertEqual(
            list(round_.posts.order_by("created_at").values_list("kind", flat=True)),
            ["prompt", "story", "story", "reflection"],
        )
        for thread in Thread.objects.all():
            # Held posts (the demo's new member) count once approved.
            self.assertEqual(
                thread.post_count, thread.posts.exclude(state=Post.State.HELD).count()
            )
        members = set(
            Membership.objects.for_organization(organization).values_list(
                "user_id", flat=True
            )
        )
        self.assertTrue(
            set(
                Post.objects.filter(author__isnull=False).values_list(
                    "author_id", flat=True
                )
            )
            <= members
        )
        # The safe space: pseudonymous threads, nothing under a real name.
        safe = Space.objects.get(organization=organization, name=demo.SAFE_SPACE)
        self.assertTrue(safe.is_safe)
        self.assertEqual(safe.threads.count(), 3)
        self.assertFalse(safe.threads.filter(started_by__isnull=False).exists())
        safe_posts = Post.objects.filter(thread__space=safe)
        self.assertGreaterEqual(safe_posts.count(), 9)
        self.assertFalse(safe_posts.filter(author__isnull=False).exists())
        self.assertFalse(safe_posts.filter(pseudonym__isnull=True).exists())
        self.assertFalse(
            Reaction.objects.filter(post__thread__space=safe, user__isnull=False)
        )
        count = Post.objects.count()
        users = {
            m.user.email.split("@")[0]: m.user
            for m in Membership.objects.for_organization(organization).select_related(
                "user"
            )
        }
        demo.load(organization, users)
        demo_load()
        self.assertEqual(Post.objects.count(), count)
        self.assertEqual(Space.objects.count(), 4)
