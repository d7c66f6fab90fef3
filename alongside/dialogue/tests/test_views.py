from __future__ import annotations

from datetime import UTC, datetime, timedelta

import html5lib
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import override

from alongside.circles.models import Circle
from alongside.dialogue import services
from alongside.dialogue.models import (
    DigestSubscription,
    GuidelinesAcceptance,
    Post,
    Reaction,
    Space,
    Subscription,
    Thread,
)
from alongside.dialogue.templatetags.dialogue_tags import dialogue_time
from alongside.dialogue.tests.helpers import make_circle, make_space, start
from alongside.test import BaseTestCase

XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    '<a href="javascript:alert(1)">x</a>',
    '<img src=x onerror="alert(1)">',
    "<svg onload=alert(1)><circle r=5></circle></svg>",
    '<iframe src="https://evil.example"></iframe>',
    '<p onclick="alert(1)" style="color:red">hi</p>',
    "![x](javascript:alert(1))",
    "<style>body{display:none}</style>",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    '<a href="#" onmouseover="alert(1)">@bob-member</a>',
]


def assert_inert(testcase: BaseTestCase, html: str) -> None:
    doc = html5lib.parse(html, namespaceHTMLElements=False)
    for element in doc.iter():
        tag = element.tag if isinstance(element.tag, str) else ""
        testcase.assertNotIn(tag, {"iframe", "svg", "img", "style"}, tag)
        if tag == "script":
            testcase.assertTrue(element.get("src"), "inline script in page")
        for name, value in element.attrib.items():
            testcase.assertFalse(name.lower().startswith("on"), f"{tag} {name}")
            testcase.assertNotIn("javascript:", value.lower(), f"{tag} {name}")
            testcase.assertNotIn("data:text", value.lower(), f"{tag} {name}")
            if name == "style":
                testcase.fail(f"style attribute on {tag}")


class VisibilityTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.circle = make_circle(
            self.org, facilitator=self.fiona, members=(self.alice,)
        )
        self.space = make_space(self.org, circle=self.circle, accepted=(self.alice,))
        self.post = start(self.space, self.alice, "Private words")
        self.thread = self.post.thread

    def _urls(self) -> list[str]:
        org = self.org.slug
        return [
            reverse("dialogue:space", args=[org, self.space.pk]),
            reverse("dialogue:guidelines", args=[org, self.space.pk]),
            reverse("dialogue:thread_create", args=[org, self.space.pk]),
            reverse("dialogue:thread", args=[org, self.thread.uid]),
            reverse("dialogue:space_edit", args=[org, self.space.pk]),
        ]

    def test_non_members_of_an_unlisted_support_circle_get_404(self) -> None:
        self.client.force_login(self.bob)
        for url in self._urls():
            self.assertEqual(self.client.get(url).status_code, 404, url)
        response = self.client.post(
            reverse("dialogue:react", args=[self.org.slug, self.post.uid]),
            {"reaction": "heart:1"},
        )
        self.assertEqual(response.status_code, 404)
        response = self.client.get(reverse("dialogue:spaces", args=[self.org.slug]))
        self.assertNotContains(response, self.space.name)
        # A program admin is no exception.
        self.client.force_login(self.paula)
        self.assertEqual(self.client.get(self._urls()[3]).status_code, 404)

    def test_members_see_it(self) -> None:
        self.client.force_login(self.alice)
        response = self.client.get(self._urls()[3])
        self.assertContains(response, "Private words")
        response = self.client.get(reverse("dialogue:spaces", args=[self.org.slug]))
        self.assertContains(response, self.space.name)

    def test_a_listed_circle_space_is_readable_but_only_members_post(self) -> None:
        self.circle.listing = Circle.Listing.LISTED
        self.circle.save()
        self.client.force_login(self.bob)
        response = self.client.get(self._urls()[3])
        self.assertContains(response, "Private words")
        self.assertContains(response, "members can post here.")
        response = self.client.post(self._urls()[3], {"body": "Let me in"})
        self.assertEqual(response.status_code, 404)
        self.assertEqual(self.client.get(self._urls()[2]).status_code, 404)
        self.assertEqual(Post.objects.count(), 1)


class FlowTestCase(BaseTestCase):
    def test_guidelines_gate_then_thread_then_reply(self) -> None:
        space = make_space(self.org)
        self.client.force_login(self.alice)
        new_url = reverse("dialogue:thread_create", args=[self.org.slug, space.pk])
        response = self.client.get(new_url)
        self.assertRedirects(
            response,
            reverse("dialogue:guidelines", args=[self.org.slug, space.pk])
            + f"?next={new_url.replace('/', '%2F')}",
        )
        response = self.client.post(
            reverse("dialogue:guidelines", args=[self.org.slug, space.pk]),
            {"next": new_url},
        )
        self.assertRedirects(response, new_url)
        response = self.client.post(new_url, {"title": " ", "body": "x"})
        self.assertContains(response, "Give the conversation a title.")
        self.assertFalse(Thread.objects.exists())
        response = self.client.post(new_url, {"title": "Rotas", "body": "Who covers?"})
        thread = Thread.objects.get()
        self.assertRedirects(response, thread.get_absolute_url())
        thread_url = thread.get_absolute_url()
        response = self.client.post(thread_url, {"body": "Me"})
        self.assertEqual(response.status_code, 302)
        self.assertEqual(thread.posts.count(), 2)
        # Bob has not accepted: his reply goes to the guidelines first.
        self.client.force_login(self.bob)
        response = self.client.get(thread_url)
        self.assertContains(response, "Read and accept the guidelines")
        response = self.client.post(thread_url, {"body": "Me too"})
        self.assertEqual(response.status_code, 302)
        self.assertIn("/guidelines/", response["Location"])
        self.assertEqual(thread.posts.count(), 2)

    def test_an_empty_reply_in_a_long_thread_shows_its_error(self) -> None:
        space = make_space(self.org, accepted=(self.alice,))
        thread = start(space, self.alice).thread
        for n in range(25):
            Post.objects.create(thread=thread, author=self.alice, body=str(n))
        self.client.force_login(self.alice)
        response = self.client.get(thread.get_absolute_url())
        self.assertContains(response, "Later posts")
        self.assertNotContains(response, "Post my reply")
        response = self.client.post(thread.get_absolute_url(), {"body": "  "})
        self.assertContains(response, "Write something before posting.")
        self.assertEqual(thread.posts.count(), 26)

    def test_an_open_redirect_is_refused(self) -> None:
        space = make_space(self.org)
        self.client.force_login(self.alice)
        response = self.client.post(
            reverse("dialogue:guidelines", args=[self.org.slug, space.pk]),
            {"next": "https://evil.example/"},
        )
        self.assertRedirects(response, space.get_absolute_url())

    def test_edit_marks_edited_and_delete_needs_confirmation(self) -> None:
        space = make_space(self.org, accepted=(self.alice,))
        post = start(space, self.alice, "Original")
        edit = reverse("dialogue:post_edit", args=[self.org.slug, post.uid])
        delete = reverse("dialogue:post_delete", args=[self.org.slug, post.uid])
        self.client.force_login(self.bob)
        self.assertEqual(self.client.get(edit).status_code, 404)
        self.assertEqual(self.client.post(delete).status_code, 404)
        self.client.force_login(self.alice)
        self.client.post(edit, {"body": "Changed"})
        response = self.client.get(post.thread.get_absolute_url())
        self.assertContains(response, "Changed")
        self.assertContains(response, "edited")
        response = self.client.get(delete)
        self.assertContains(response, "Delete your post?")
        self.assertFalse(Post.objects.get().is_deleted)
        self.client.post(delete)
        response = self.client.get(post.thread.get_absolute_url())
        self.assertContains(response, "This post was deleted by its author.")
        self.assertNotContains(response, "Changed")

    def test_reactions_work_without_and_with_htmx(self) -> None:
        space = make_space(self.org, accepted=(self.alice,))
        post = start(space, self.alice)
        url = reverse("dialogue:react", args=[self.org.slug, post.uid])
        self.client.force_login(self.bob)
        response = self.client.post(url, {"reaction": "heart:1"})
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].endswith(f"#post-{post.uid}"))
        response = self.client.post(
            url, {"reaction": "heart:1"}, headers={"HX-Request": "true"}
        )
        self.assertContains(response, 'aria-pressed="true"')
        self.assertContains(response, 'aria-label="Support (1)"')
        self.assertEqual(Reaction.objects.count(), 1)
        response = self.client.post(
            url, {"reaction": "heart:0"}, headers={"HX-Request": "true"}
        )
        self.assertContains(response, 'aria-label="Support (0)"')
        self.assertFalse(Reaction.objects.exists())
        response = self.client.post(url, {"reaction": "skull:1"})
        self.assertEqual(response.status_code, 302)
        self.assertFalse(Reaction.objects.exists())
        self.assertEqual(self.client.get(url).status_code, 405)

    def test_each_viewer_gets_the_links_and_buttons_his_role_allows(self) -> None:
        space = make_space(self.org, accepted=(self.alice, self.bob))
        post = start(space, self.alice, "Mine to edit")
        url = post.thread.get_absolute_url()
        org = self.org.slug

        def link(name: str) -> str:
            return 'href="' + reverse(f"dialogue:{name}", args=[org, post.uid]) + '"'

        self.client.force_login(self.alice)
        response = self.client.get(url)
        self.assertContains(response, link("post_edit"))
        self.assertContains(response, link("post_delete"))
        self.assertNotContains(response, link("flag"))
        self.assertNotContains(response, link("moderate_post"))
        self.client.force_login(self.bob)
        services.reaction_set(post, user=self.bob, kind="heart", on=True)
        response = self.client.get(url)
        self.assertContains(response, link("flag"))
        self.assertNotContains(response, link("post_edit"))
        self.assertContains(
            response,
            f'action="{reverse("dialogue:react", args=[org, post.uid])}"',
        )
        # Pressed: the button takes the reaction back; the others add theirs.
        self.assertContains(response, 'value="heart:0"')
        self.assertContains(response, 'value="bulb:1"')
        self.client.force_login(self.paula)  # a program admin moderates it
        response = self.client.get(url)
        self.assertContains(response, link("moderate_post"))
        self.assertNotContains(response, link("flag"))

    def test_a_malformed_reaction_changes_nothing(self) -> None:
        space = make_space(self.org, accepted=(self.alice,))
        post = start(space, self.alice)
        url = reverse("dialogue:react", args=[self.org.slug, post.uid])
        self.client.force_login(self.bob)
        for value in ("", ":1", "heart:1:1", "<b>:1"):
            response = self.client.post(url, {"reaction": value})
            self.assertEqual(response.status_code, 302, value)
        self.assertFalse(Reaction.objects.exists())

    def test_follow_and_digest_toggles(self) -> None:
        space = make_space(self.org, accepted=(self.alice,))
        thread = start(space, self.alice).thread
        self.client.force_login(self.bob)
        self.client.post(
            reverse("dialogue:follow", args=[self.org.slug, thread.uid]),
            {"follow": "on"},
        )
        self.assertTrue(Subscription.objects.filter(user=self.bob).exists())
        self.client.post(
            reverse("dialogue:follow", args=[self.org.slug, thread.uid]),
            {"follow": "off"},
        )
        self.assertFalse(Subscription.objects.filter(user=self.bob).exists())
        self.client.post(
            reverse("dialogue:digest", args=[self.org.slug, space.pk]),
            {"digest": "on"},
        )
        self.assertTrue(DigestSubscription.objects.filter(user=self.bob).exists())

    def test_space_creation_doors(self) -> None:
        url = reverse("dialogue:space_create", args=[self.org.slug])
        self.client.force_login(self.bob)
        self.assertEqual(self.client.get(url).status_code, 404)
        self.client.force_login(self.paula)
        response = self.client.post(
            url, {"place": "org", "name": "", "guidelines": "Be kind"}
        )
        self.assertContains(response, "This field is required.")
        self.assertFalse(Space.objects.exists())
        response = self.client.post(
            url, {"place": "org", "name": "Open", "guidelines": "Be kind"}
        )
        space = Space.objects.get()
        self.assertIsNone(space.circle)
        self.assertRedirects(response, space.get_absolute_url())
        # Facilitators of a circle open a space in it; they may not pick others.
        circle = make_circle(self.org, facilitator=self.bob, slug="mine")
        other = make_circle(self.org, facilitator=self.fiona, slug="theirs")
        self.client.force_login(self.bob)
        response = self.client.post(
            url, {"place": str(other.pk), "name": "X", "guidelines": "G"}
        )
        self.assertEqual(response.status_code, 200)
        response = self.client.post(
            url, {"place": "org", "name": "X", "guidelines": "G"}
        )
        self.assertEqual(response.status_code, 200)
        self.client.post(url, {"place": str(circle.pk), "name": "X", "guidelines": "G"})
        self.assertEqual(Space.objects.get(name="X").circle, circle)

    def test_editing_guidelines_materially_asks_again(self) -> None:
        space = make_space(self.org, accepted=(self.alice,))
        url = reverse("dialogue:space_edit", args=[self.org.slug, space.pk])
        self.client.force_login(self.fiona)  # a facilitator, not an admin
        self.assertEqual(self.client.get(url).status_code, 404)
        self.client.force_login(self.paula)
        self.client.post(
            url,
            {"name": "Open", "guidelines": "New rules", "material_change": "on"},
        )
        space.refresh_from_db()
        self.assertEqual(space.guidelines_version, 2)
        self.assertFalse(space.has_accepted_guidelines(self.alice))
        self.assertEqual(GuidelinesAcceptance.objects.get().version, 1)


class XssTestCase(BaseTestCase):
    def test_payloads_render_inert(self) -> None:
        space = make_space(self.org, accepted=(self.alice,))
        thread = start(space, self.alice, "start", title="<script>x</script>").thread
        for payload in XSS_PAYLOADS:
            Post.objects.create(thread=thread, author=self.alice, body=payload)
        self.client.force_login(self.alice)
        response = self.client.get(thread.get_absolute_url())
        html = response.content.decode()
        assert_inert(self, html)
        self.assertIn("&lt;script&gt;x&lt;/script&gt;", html)
        for post in Post.objects.exclude(body="start"):
            response = self.client.get(
                reverse("dialogue:post_delete", args=[self.org.slug, post.uid])
            )
            assert_inert(self, response.content.decode())
        response = self.client.get(space.get_absolute_url())
        assert_inert(self, response.content.decode())


class PerformanceTestCase(BaseTestCase):
    def _queries_for(self, count: int) -> int:
        space = make_space(self.org, accepted=(self.alice,))
        thread = start(space, self.alice).thread
        people = (self.alice, self.bob, self.fiona, self.paula)
        for n in range(count - 1):
            post = Post.objects.create(
                thread=thread, author=people[n % 4], body=f"Post **{n}**"
            )
            for user in people[: n % 3]:
                Reaction.objects.create(post=post, user=user, kind="heart")
                Reaction.objects.create(post=post, user=user, kind="bulb")
        self.client.force_login(self.bob)
        url = thread.get_absolute_url()
        self.client.get(url)  # warm the session and caches
        with CaptureQueriesContext(connection) as context:
            response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        return len(context.captured_queries)

    def test_a_thread_page_costs_the_same_for_5_and_60_posts(self) -> None:
        small = self._queries_for(5)
        Space.objects.all().delete()
        large = self._queries_for(60)
        self.assertEqual(small, large)
        self.assertLessEqual(large, 15)

    def test_no_offset_and_no_count_on_thread_pages(self) -> None:
        space = make_space(self.org, accepted=(self.alice,))
        thread = start(space, self.alice).thread
        for n in range(30):
            Post.objects.create(thread=thread, author=self.bob, body=str(n))
        self.client.force_login(self.alice)
        with CaptureQueriesContext(connection) as context:
            self.client.get(thread.get_absolute_url())
            self.client.get(space.get_absolute_url())
        sql = " ".join(
            q["sql"] for q in context.captured_queries if "dialogue_" in q["sql"]
        ).upper()
        self.assertNotIn("OFFSET", sql)
        self.assertNotIn("COUNT(*)", sql)


class KeysetPaginationTestCase(BaseTestCase):
    def test_posts_sharing_a_timestamp_are_neither_skipped_nor_repeated(self) -> None:
        space = make_space(self.org, accepted=(self.alice,))
        thread = start(space, self.alice, "first").thread
        moment = timezone.now() + timedelta(minutes=1)
        for n in range(45):  # 45 posts with the same created_at
            Post.objects.create(
                thread=thread, author=self.bob, body=f"tie-{n}", created_at=moment
            )
        self.client.force_login(self.alice)
        url, seen = thread.get_absolute_url(), []
        pages = 0
        while url:
            response = self.client.get(url)
            pages += 1
            seen += [row["uid"] for row in response.context["rows"]]
            page = response.context["page"]
            url = (
                thread.get_absolute_url() + "?after=" + page.next_cursor
                if page.has_next
                else ""
            )
            url = url.replace("+", "%2B")
        expected = list(
            thread.posts.order_by("created_at", "id").values_list("uid", flat=True)
        )
        self.assertEqual(seen, expected)
        self.assertEqual(pages, 3)

    def test_threads_are_listed_latest_first_across_pages(self) -> None:
        space = make_space(self.org)
        moment = timezone.now()
        for n in range(25):
            Thread.objects.create(
                space=space,
                title=f"T{n}",
                last_posted_at=moment - timedelta(minutes=n // 5),
            )
        self.client.force_login(self.alice)
        first = self.client.get(space.get_absolute_url())
        page = first.context["page"]
        self.assertTrue(page.has_next)
        second = self.client.get(space.get_absolute_url(), {"after": page.next_cursor})
        seen = [t.pk for t in page.items + second.context["page"].items]
        expected = list(
            Thread.objects.order_by("-last_posted_at", "-id").values_list(
                "pk", flat=True
            )
        )
        self.assertEqual(seen, expected)
        self.assertContains(second, "Latest conversations")

    def test_a_malformed_cursor_gives_the_first_page(self) -> None:
        space = make_space(self.org, accepted=(self.alice,))
        thread = start(space, self.alice, "first").thread
        self.client.force_login(self.alice)
        for bad in ("nonsense", "2026-01-01T00:00:00_x", "2026-01-01T00:00:00_1", "_"):
            response = self.client.get(thread.get_absolute_url(), {"after": bad})
            self.assertContains(response, "first")


class DialogueTimeTestCase(BaseTestCase):
    def test_the_fast_format_writes_what_date_format_writes(self) -> None:
        for language in ("en", "fr", "de"):
            with override(language):
                for moment in (
                    datetime(2026, 1, 5, 7, 3, tzinfo=UTC),
                    datetime(2026, 12, 31, 23, 59, tzinfo=UTC),
                ):
                    local = timezone.localtime(moment)
                    self.assertIn(
                        f">{date_format(local, 'j F Y, H:i')}</time>",
                        dialogue_time(moment, False),
                    )
                    self.assertIn(
                        f">{date_format(local, 'j F Y')}</time>",
                        dialogue_time(moment, True),
                    )
