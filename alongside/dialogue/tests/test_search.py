from __future__ import annotations

import html
import re

from django.contrib.postgres.search import SearchQuery
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from alongside.dialogue import services
from alongside.dialogue.models import Post
from alongside.dialogue.search import BodyVector, search_posts
from alongside.dialogue.tests.helpers import make_circle, make_space, start
from alongside.test import BaseTestCase


class SearchTestCase(BaseTestCase):
    def setUp(self) -> None:
        open_space = make_space(self.org, accepted=(self.alice, self.bob))
        self.public = start(open_space, self.alice, "The night rota is unfair.")
        circle = make_circle(self.org, facilitator=self.fiona, members=(self.alice,))
        private = make_space(self.org, circle=circle, accepted=(self.alice,))
        self.secret = start(private, self.alice, "Our rota secret plan.")
        gone = start(open_space, self.bob, "A rota post I regret.")
        services.post_delete(gone, user=self.bob)
        other = make_space(self.other_org, accepted=(self.oscar,))
        start(other, self.oscar, "Another rota, elsewhere.")

    def _found(self, user: object, query: str = "rota") -> set[int]:
        return set(
            search_posts(query, viewer=user, organization=self.org).values_list(  # type: ignore[arg-type]
                "pk", flat=True
            )
        )

    def test_results_follow_what_the_viewer_may_see(self) -> None:
        self.assertEqual(self._found(self.alice), {self.public.pk, self.secret.pk})
        # Bob is not in the unlisted circle; deleted posts and other organizations
        # never appear.
        self.assertEqual(self._found(self.bob), {self.public.pk})
        self.assertEqual(self._found(self.paula), {self.public.pk})
        self.assertEqual(self._found(self.alice, "nothing-like-this"), set())

    def test_the_page_shows_results_and_links_to_the_post(self) -> None:
        self.client.force_login(self.bob)
        url = reverse("dialogue:search", args=[self.org.slug])
        response = self.client.get(url, {"q": "rota"})
        self.assertContains(response, "The night rota is unfair.")
        self.assertNotContains(response, "secret")
        self.assertNotContains(response, "regret")
        self.assertNotContains(response, "elsewhere")
        response = self.client.get(url, {"q": "<script>zzz"})
        self.assertContains(response, "Nothing found for “&lt;script&gt;zzz”.")
        self.assertEqual(self.client.get(url).status_code, 200)
        permalink = reverse("dialogue:post", args=[self.org.slug, self.public.uid])
        response = self.client.get(permalink)
        self.assertRedirects(
            response,
            self.public.thread.get_absolute_url() + f"#post-{self.public.uid}",
            fetch_redirect_response=False,
        )
        secret = reverse("dialogue:post", args=[self.org.slug, self.secret.uid])
        self.assertEqual(self.client.get(secret).status_code, 404)

    def test_search_pages_cost_the_same_whatever_the_results(self) -> None:
        thread = self.public.thread
        self.client.force_login(self.alice)
        url = reverse("dialogue:search", args=[self.org.slug])
        self.client.get(url, {"q": "rota"})
        with CaptureQueriesContext(connection) as few:
            self.client.get(url, {"q": "rota"})
        for n in range(30):
            Post.objects.create(thread=thread, author=self.bob, body=f"rota {n}")
        with CaptureQueriesContext(connection) as many:
            response = self.client.get(url, {"q": "rota"})
        self.assertEqual(len(few), len(many))
        self.assertContains(response, "Older results")
        sql = " ".join(q["sql"] for q in many.captured_queries).upper()
        self.assertNotIn("OFFSET", sql)
        # The next page keeps the query and shows older results.
        older = re.search(r'href="([^"]*)" rel="next"', response.content.decode())
        assert older is not None
        link = html.unescape(older.group(1))
        self.assertTrue(link.startswith("?q=rota&after="), link)
        second = self.client.get(url + link)
        self.assertContains(second, "rota")
        self.assertNotEqual(second.context["results"], response.context["results"])


class PostgresIndexTestCase(BaseTestCase):
    def test_the_full_text_query_can_use_the_gin_index(self) -> None:
        if connection.vendor != "postgresql":
            self.skipTest("PostgreSQL only")
        space = make_space(self.org, accepted=(self.alice,))
        start(space, self.alice, "rota")
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
        # The match on its own (with the permission joins the planner starts from
        # the thread on a tiny table): the expression must be the indexed one.
        plan = (
            Post.objects.annotate(document=BodyVector(F("body")))
            .filter(document=SearchQuery("rota", config="english"))
            .explain()
        )
        self.assertIn("dialogue_post_body_fts", plan)
