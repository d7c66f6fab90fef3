"""PublicPageFastPath: a known anonymous answer, given again without the middleware stack,
is the answer the stack gives, and nobody else gets one."""

from __future__ import annotations

import re
from typing import Any

from django.test import Client, override_settings

from alongside.campaigns import public_cache, services
from alongside.campaigns.models import Campaign
from alongside.campaigns.tests.helpers import sign_data
from alongside.campaigns.tests.test_public_views import PublicTestCase

_TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
# The visitor's masked token: in the form, and in the page's htmx headers.
_ANY_TOKEN = re.compile(rb'(value="|"X-CSRFToken": ")([A-Za-z0-9]{64})"')


def by_fast_path(response: Any) -> bool:
    """The stack's AuthenticationMiddleware gives every request it handles a user."""
    return not hasattr(response.wsgi_request, "user")


def without_tokens(content: bytes) -> bytes:
    return _ANY_TOKEN.sub(rb'\1"', content)


# Long enough that no answer goes stale during a test on a slow machine.
@override_settings(CAMPAIGN_PUBLIC_CACHE_SECONDS=600)
class FastPathTestCase(PublicTestCase):
    def setUp(self) -> None:
        super().setUp()
        public_cache.invalidate_all()
        self.addCleanup(public_cache.invalidate_all)

    def visitor(self) -> Client:
        """An anonymous visitor who has been on the page once (so has a CSRF cookie)."""
        client = Client()
        first = client.get(self.url("public"))
        self.assertIn("csrftoken", first.cookies)  # set by the stack, not learned
        return client

    def test_a_known_page_is_answered_exactly_as_the_stack_answered_it(self) -> None:
        client = self.visitor()
        by_stack = client.get(self.url("public"))
        again = client.get(self.url("public"))
        self.assertFalse(by_fast_path(by_stack))
        self.assertTrue(by_fast_path(again))
        self.assertEqual(again.status_code, 200)
        self.assertEqual(dict(again.items()), dict(by_stack.items()))
        self.assertEqual(again.cookies.keys(), by_stack.cookies.keys())
        self.assertEqual(
            without_tokens(again.content), without_tokens(by_stack.content)
        )
        # Each answer masks the visitor's secret afresh (BREACH), like get_token.
        tokens = [
            {t for _, t in _ANY_TOKEN.findall(r.content)} for r in (by_stack, again)
        ]
        self.assertEqual([len(t) for t in tokens], [1, 1])  # one token, in two places
        self.assertFalse(tokens[0] & tokens[1])
        self.assertContains(again, "Stand with women")
        self.assertIn("Cookie", again["Vary"])
        self.assertIn("frame-ancestors 'none'", again["Content-Security-Policy"])
        self.assertEqual(again["Content-Length"], str(len(again.content)))

    def test_the_token_of_a_fast_answer_signs(self) -> None:
        client = Client(enforce_csrf_checks=True)
        for _ in range(3):
            page = client.get(self.url("public"))
        self.assertTrue(by_fast_path(page))
        token = _TOKEN.search(page.content)
        assert token is not None
        response = client.post(
            self.url("sign"),
            {**sign_data("fast@example.net"), "csrfmiddlewaretoken": token[1].decode()},
            REMOTE_ADDR=self.ip,
        )
        self.assertContains(response, 'data-signing="received"')

    def test_the_counter_is_answered_as_the_stack_answered_it(self) -> None:
        by_stack = self.client.get(self.url("counter"))
        again = self.client.get(self.url("counter"), headers={"HX-Request": "true"})
        self.assertFalse(by_fast_path(by_stack))
        self.assertTrue(by_fast_path(again))
        self.assertEqual(dict(again.items()), dict(by_stack.items()))
        self.assertEqual(again.content, by_stack.content)
        self.assertIn("max-age=2", again["Cache-Control"])

    def test_a_visitor_without_a_csrf_cookie_gets_one_from_the_stack(self) -> None:
        self.visitor().get(self.url("public"))  # learned
        newcomer = Client().get(self.url("public"))
        self.assertFalse(by_fast_path(newcomer))
        self.assertIn("csrftoken", newcomer.cookies)
        malformed = Client()
        malformed.cookies["csrftoken"] = "not-a-secret"
        response = malformed.get(self.url("public"))
        self.assertFalse(by_fast_path(response))
        self.assertEqual(len(response.cookies["csrftoken"].value), 32)

    def test_members_and_visitors_with_a_message_take_the_stack(self) -> None:
        self.visitor().get(self.url("public"))  # learned
        member = Client()
        member.force_login(self.alice)
        response = member.get(self.url("public"))
        self.assertFalse(by_fast_path(response))
        self.assertTrue(response.wsgi_request.user.is_authenticated)
        with_message = self.visitor()
        with_message.cookies["messages"] = "anything"
        self.assertFalse(by_fast_path(with_message.get(self.url("public"))))

    def test_a_change_made_here_ends_the_known_answer_at_once(self) -> None:
        client = self.visitor()
        client.get(self.url("public"))
        self.assertTrue(by_fast_path(client.get(self.url("public"))))
        services.campaign_close(campaign=self.campaign, actor=self.paula)
        closed = client.get(self.url("public"))
        self.assertFalse(by_fast_path(closed))
        self.assertContains(closed, "no longer taking signatures")
        self.assertNotContains(closed, 'name="csrfmiddlewaretoken"')
        self.assertTrue(by_fast_path(client.get(self.url("public"))))

    def test_only_gets_of_marked_pages_are_answered(self) -> None:
        client = self.visitor()
        client.get(self.url("public"))
        self.assertFalse(by_fast_path(client.head(self.url("public"))))
        for _ in range(2):
            missing = client.get("/c/no-such-campaign/")
            self.assertEqual(missing.status_code, 404)
            self.assertFalse(by_fast_path(missing))
            wall = client.get(self.url("wall"))
            self.assertFalse(by_fast_path(wall))
        draft = Campaign.objects.filter(pk=self.campaign.pk)
        draft.update(status=Campaign.Status.DRAFT)
        public_cache.invalidate_all()
        self.assertEqual(client.get(self.url("public")).status_code, 404)

    def test_a_host_not_allowed_gets_the_stacks_400(self) -> None:
        client = self.visitor()
        for _ in range(2):
            with self.assertLogs("django.security.DisallowedHost", "ERROR"):
                response = client.get(
                    self.url("public"), headers={"Host": "evil.example"}
                )
            self.assertEqual(response.status_code, 400)

    @override_settings(CAMPAIGN_PUBLIC_CACHE_SECONDS=0)
    def test_without_a_public_cache_nothing_is_answered_again(self) -> None:
        client = self.visitor()
        for _ in range(3):
            self.assertFalse(by_fast_path(client.get(self.url("public"))))
