"""The public pages: signing over HTTP, emailed links, counter, widget, OG card."""

from __future__ import annotations

import io
import uuid
from datetime import timedelta
from typing import Any
from unittest import mock

import time_machine
from django.core import mail
from django.db import OperationalError, connection
from django.db.backends.utils import CursorWrapper
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from alongside.campaigns.models import Campaign, Signature, SignRateLimit
from alongside.campaigns.tests.helpers import (
    last_email_to,
    link_in,
    make_campaign,
    sign_data,
)
from alongside.pledges.models import Pledge
from alongside.test import BaseTestCase, make_user


class PublicTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.campaign = make_campaign(
            self.org, slug="stand-with-women", title="Stand with women"
        )
        # A fresh "client address" per test keeps rate-limit slots apart.
        self.ip = f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.7"

    def url(self, name: str, campaign: Campaign | None = None, **kwargs: str) -> str:
        return reverse(
            f"campaigns:{name}",
            kwargs={"campaign": (campaign or self.campaign).slug, **kwargs},
        )

    def post_sign(self, email: str = "sam@example.net", **extra: str) -> Any:
        with self.captureOnCommitCallbacks(execute=True):
            return self.client.post(
                self.url("sign"), sign_data(email, **extra), REMOTE_ADDR=self.ip
            )

    def count(self) -> int:
        self.campaign.refresh_from_db()
        return self.campaign.confirmed_count


class CampaignPageTestCase(PublicTestCase):
    def test_the_page_shows_the_form_counter_and_share_links(self) -> None:
        response = self.client.get(self.url("public"))
        self.assertEqual(response.status_code, 200)
        html = response.content.decode()
        for name in (
            "email",
            "first_name",
            "country",
            "gender",
            "show_name",
            "consent",
            "website",
        ):
            self.assertIn(f'name="{name}"', html)
        self.assertIn('hx-trigger="every 3s"', html)
        self.assertIn("https://www.linkedin.com/sharing/share-offsite/?url=http", html)
        self.assertIn("https://wa.me/?text=", html)
        self.assertNotIn("<script>", html)

    def test_open_graph_tags_point_at_the_card(self) -> None:
        html = self.client.get(self.url("public")).content.decode()
        head = html.split("</head>")[0]
        self.assertIn(
            '<meta property="og:image" content="http://testserver/c/stand-with-women/og.png">',
            head,
        )
        self.assertIn('<meta property="og:title" content="Stand with women">', head)

    def test_drafts_are_404_on_every_public_route(self) -> None:
        draft = make_campaign(self.org, status=Campaign.Status.DRAFT)
        for name in (
            "public",
            "sign",
            "counter",
            "wall",
            "og_image",
            "widget",
            "convert",
        ):
            with self.subTest(name):
                self.assertEqual(
                    self.client.get(self.url(name, draft)).status_code, 404
                )
        self.client.force_login(self.paula)  # even for the organization's admins
        self.assertEqual(self.client.get(self.url("public", draft)).status_code, 404)

    def test_the_wall_shows_first_names_of_those_who_opted_in_only(self) -> None:
        self.post_sign("shown@example.net", first_name="Shown")
        self.client.post(link_in(mail.outbox[-1].body, "confirm"))
        self.post_sign("hidden@example.net", first_name="Hidden", show_name="")
        self.client.post(link_in(mail.outbox[-1].body, "confirm"))
        self.post_sign("pending@example.net", first_name="Pending")
        for name in ("public", "wall"):
            html = self.client.get(self.url(name)).content.decode()
            self.assertIn("Shown", html)
            self.assertNotIn("Hidden", html)
            self.assertNotIn("Pending", html)
            self.assertNotIn("@example.net", html)

    def test_a_closed_campaign_shows_its_count_but_no_form(self) -> None:
        Campaign.objects.filter(pk=self.campaign.pk).update(
            status=Campaign.Status.CLOSED, confirmed_count=7
        )
        html = self.client.get(self.url("public")).content.decode()
        self.assertNotIn('name="email"', html)
        self.assertIn('data-count="7"', html)
        self.assertNotIn("hx-trigger", html)


class SignViewTestCase(PublicTestCase):
    def test_signing_answers_check_your_inbox_and_emails_the_links(self) -> None:
        response = self.post_sign("Sam@Example.net")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'data-signing="received"')
        self.assertContains(response, "Check your inbox")
        message = last_email_to("sam@example.net")
        self.assertIn("Stand with women", message.subject)
        self.assertTrue(
            link_in(message.body, "confirm").startswith("/c/stand-with-women/confirm/")
        )
        self.assertTrue(
            link_in(message.body, "withdraw").startswith(
                "/c/stand-with-women/withdraw/"
            )
        )
        self.assertEqual(self.count(), 0)

    def test_a_repeated_submit_gets_the_same_answer_and_makes_nothing_more(
        self,
    ) -> None:
        first = self.post_sign()
        second = self.post_sign()
        self.assertEqual(second.status_code, 200)
        strip = lambda r: r.content.decode().split("<main")[1]  # noqa: E731
        self.assertEqual(strip(first), strip(second))
        self.assertEqual(Signature.objects.count(), 1)
        self.assertEqual(len(mail.outbox), 1)

    def test_bad_addresses_get_a_clear_message_and_change_nothing(self) -> None:
        cases = {
            "not-an-address": "exactly one @",
            "a" * 250 + "@example.org": "at most 254",
            "sam@p\u0430ypal.com": "different alphabets",
            "sam@\u0430\u0440\u0440\u04cf\u0435.com": "only look like",
            "": "Enter your email address",
        }
        for email, message in cases.items():
            with self.subTest(email[:30]):
                response = self.post_sign(email)
                self.assertEqual(response.status_code, 400)
                self.assertContains(response, message, status_code=400)
        self.assertFalse(Signature.objects.exists())
        self.assertEqual(mail.outbox, [])

    def test_missing_consent_name_or_country_are_explained(self) -> None:
        response = self.post_sign(consent="", first_name="", country="XX")
        self.assertContains(response, "Tick the box to agree", status_code=400)
        self.assertContains(response, "Enter your first name", status_code=400)
        self.assertContains(response, "Choose a country from the list", status_code=400)
        self.assertFalse(Signature.objects.exists())

    def test_the_honeypot_looks_like_success_and_stores_nothing(self) -> None:
        with self.assertLogs("alongside.campaigns.views", "INFO"):
            response = self.post_sign(website="http://spam.example")
        self.assertContains(response, 'data-signing="received"')
        self.assertFalse(Signature.objects.exists())
        self.assertEqual(mail.outbox, [])

    @override_settings(CAMPAIGN_SIGN_RATE_LIMIT=3, CAMPAIGN_SIGN_RATE_WINDOW=600)
    def test_signing_is_rate_limited_per_client_address(self) -> None:
        for n in range(3):
            self.assertEqual(self.post_sign(f"p{n}@example.net").status_code, 200)
        response = self.post_sign("p9@example.net")
        self.assertEqual(response.status_code, 429)
        self.assertEqual(response["Retry-After"], "600")
        self.assertFalse(
            Signature.objects.filter(normalized_email="p9@example.net").exists()
        )
        self.ip = "192.0.2.99"  # another address is not affected
        self.assertEqual(self.post_sign("p9@example.net").status_code, 200)

    def test_signing_a_closed_or_ended_campaign_answers_410(self) -> None:
        Campaign.objects.filter(pk=self.campaign.pk).update(ends_at=timezone.now())
        self.assertContains(
            self.post_sign(), "no longer taking signatures", status_code=410
        )
        Campaign.objects.filter(pk=self.campaign.pk).update(
            status=Campaign.Status.CLOSED
        )
        self.assertEqual(self.post_sign().status_code, 410)
        self.assertFalse(Signature.objects.exists())

    def test_a_get_on_the_sign_url_goes_to_the_campaign(self) -> None:
        self.assertRedirects(self.client.get(self.url("sign")), self.url("public"))


class DatabaseOutageTestCase(PublicTestCase):
    """Alone in its class: the middleware closes the broken connection, as it must in
    production, so nothing after the request in this test case may use the database."""

    def test_database_outage_answers_503_with_retry_after(self) -> None:
        execute = CursorWrapper.execute

        def unreachable(self: CursorWrapper, sql: str, params: Any = None) -> Any:
            # The signing writes fail as with the server gone (whichever path the
            # database takes: pgsign's one statement, or the transaction).
            if SignRateLimit._meta.db_table in sql:
                raise OperationalError("connection refused")
            return execute(self, sql, params)

        with (
            mock.patch.object(CursorWrapper, "execute", unreachable),
            self.assertLogs("alongside.lib.middleware", "WARNING"),
        ):
            response = self.post_sign()
        self.assertEqual(response.status_code, 503)
        self.assertEqual(response["Retry-After"], "5")
        self.assertNotIn(b"Traceback", response.content)
        with (
            mock.patch(
                "alongside.campaigns.views.public.Campaign.objects.public",
                side_effect=OperationalError("connection refused"),
            ),
            self.assertLogs("alongside.lib.middleware", "WARNING"),
        ):
            response = self.client.get(self.url("counter"))
        self.assertEqual(response.status_code, 503)


class LinkViewTestCase(PublicTestCase):
    def test_confirming_by_link_counts_and_a_replay_gets_a_friendly_410(self) -> None:
        self.post_sign()
        path = link_in(mail.outbox[-1].body, "confirm")
        page = self.client.get(path)
        self.assertContains(page, "Yes, confirm my signature")
        self.assertEqual(page["Referrer-Policy"], "same-origin")
        self.assertEqual(self.count(), 0)  # a GET (a mail scanner) confirms nothing
        done = self.client.post(path)
        self.assertContains(done, "You're counted")
        self.assertContains(done, "from_signature=")
        self.assertEqual(self.count(), 1)
        again = self.client.post(path)
        self.assertContains(again, "already confirmed", status_code=410)
        self.assertEqual(self.count(), 1)

    def test_forged_and_expired_confirm_links_change_nothing(self) -> None:
        self.post_sign()
        path = link_in(mail.outbox[-1].body, "confirm")
        forged = path[:-3] + ("AA/" if not path.endswith("AA/") else "BB/")
        self.assertContains(
            self.client.post(forged), "don't recognize", status_code=404
        )
        other = make_campaign(self.org)
        wrong_campaign = path.replace("/stand-with-women/", f"/{other.slug}/")
        self.assertEqual(self.client.post(wrong_campaign).status_code, 404)
        with time_machine.travel(timezone.now() + timedelta(days=8)):
            self.assertContains(self.client.post(path), "expired", status_code=410)
        self.assertEqual(self.count(), 0)

    def test_withdrawing_by_link_deletes_and_a_replay_gets_a_friendly_404(self) -> None:
        self.post_sign()
        body = mail.outbox[-1].body
        self.client.post(link_in(body, "confirm"))
        path = link_in(body, "withdraw")
        self.assertContains(self.client.get(path), "Yes, withdraw")
        self.assertEqual(self.count(), 1)
        self.assertContains(self.client.post(path), "Your signature is withdrawn")
        self.assertEqual(self.count(), 0)
        self.assertFalse(Signature.objects.exists())
        self.assertContains(
            self.client.post(path), "If you already withdrew", status_code=404
        )


class CounterTestCase(PublicTestCase):
    def test_the_counter_reads_the_stored_count_in_one_query_and_is_cacheable(
        self,
    ) -> None:
        Campaign.objects.filter(pk=self.campaign.pk).update(confirmed_count=42)
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get(self.url("counter"))
        self.assertEqual(len(queries), 1, [q["sql"] for q in queries])
        self.assertNotIn("COUNT(", queries[0]["sql"].upper())
        self.assertContains(response, 'data-count="42"')
        self.assertContains(response, 'hx-trigger="every 3s"')
        self.assertContains(response, '<progress value="42" max="100"')
        self.assertIn("public", response["Cache-Control"])
        self.assertIn("max-age=2", response["Cache-Control"])
        self.assertNotIn("Cookie", response.get("Vary", ""))
        self.assertNotIn(b"<html", response.content)

    @override_settings(CAMPAIGN_PUBLIC_CACHE_SECONDS=600)
    def test_the_counter_is_kept_per_process_until_the_count_moves_here(self) -> None:
        self.assertContains(self.client.get(self.url("counter")), 'data-count="0"')
        with CaptureQueriesContext(connection) as queries:
            self.assertContains(self.client.get(self.url("counter")), 'data-count="0"')
        self.assertEqual(len(queries), 0)
        self.post_sign()
        self.client.post(link_in(mail.outbox[-1].body, "confirm"))
        self.assertContains(self.client.get(self.url("counter")), 'data-count="1"')

    def test_the_counter_moves_with_confirmations(self) -> None:
        self.post_sign()
        self.assertContains(self.client.get(self.url("counter")), 'data-count="0"')
        self.client.post(link_in(mail.outbox[-1].body, "confirm"))
        self.assertContains(self.client.get(self.url("counter")), 'data-count="1"')


class ShareTestCase(PublicTestCase):
    def test_the_open_graph_card_is_a_png_with_a_short_cache(self) -> None:
        response = self.client.get(self.url("og_image"))
        self.assertEqual(response["Content-Type"], "image/png")
        self.assertIn("max-age=60", response["Cache-Control"])
        image = Image.open(io.BytesIO(response.content))
        self.assertEqual((image.format, image.size), ("PNG", (1200, 630)))
        image.verify()

    def test_the_card_changes_when_the_count_does(self) -> None:
        before = self.client.get(self.url("og_image")).content
        Campaign.objects.filter(pk=self.campaign.pk).update(confirmed_count=57)
        self.assertNotEqual(self.client.get(self.url("og_image")).content, before)

    def test_the_widget_may_be_framed_by_the_listed_origins_only(self) -> None:
        Campaign.objects.filter(pk=self.campaign.pk).update(
            frame_ancestors="https://partner.example.org\nhttps://*.ngo.example"
        )
        response = self.client.get(self.url("widget"))
        csp = response["Content-Security-Policy"]
        self.assertIn(
            "frame-ancestors https://partner.example.org https://*.ngo.example", csp
        )
        self.assertIn("script-src 'self'", csp)  # the rest stays as strict
        self.assertNotIn("X-Frame-Options", response)
        self.assertContains(response, 'data-count="0"')
        self.assertContains(response, 'href="http://testserver/c/stand-with-women/"')
        # Every other page still refuses to be framed.
        page = self.client.get(self.url("public"))
        self.assertIn("frame-ancestors 'none'", page["Content-Security-Policy"])
        self.assertEqual(page["X-Frame-Options"], "DENY")

    def test_a_widget_without_listed_origins_cannot_be_framed(self) -> None:
        response = self.client.get(self.url("widget"))
        self.assertIn("frame-ancestors 'none'", response["Content-Security-Policy"])
        self.assertEqual(response["X-Frame-Options"], "DENY")


class ConversionViewTestCase(PublicTestCase):
    def confirmed_convert_url(self, email: str) -> str:
        self.post_sign(email)
        done = self.client.post(link_in(mail.outbox[-1].body, "confirm"))
        html = done.content.decode()
        start = html.index("/c/stand-with-women/pledge/?from_signature=")
        return html[start : html.index('"', start)].replace("&amp;", "&")

    def test_a_visitor_is_offered_sign_up_with_the_email_filled_in(self) -> None:
        url = self.confirmed_convert_url("newcomer@example.net")
        response = self.client.get(url)
        self.assertContains(response, "/accounts/signup/?email=newcomer%40example.net")
        self.assertContains(response, "Only members of Northwind Collective")
        self.org.join_domains = "example.net"
        self.org.save()
        self.assertContains(self.client.get(url), "lets you join")

    def test_a_member_makes_a_pledge_and_the_signature_records_it(self) -> None:
        url = self.confirmed_convert_url("alice@example.org")
        self.client.force_login(self.alice)
        response = self.client.get(url)
        self.assertEqual(response.status_code, 302)
        form_url = response["Location"]
        self.assertTrue(
            form_url.startswith(f"/o/northwind/campaigns/{self.campaign.pk}/pledge/")
        )
        form = self.client.get(form_url)
        self.assertContains(form, "I signed “Stand with women”")
        data = {
            "statement": "I signed, and I will act.",
            "cadence": "monthly",
            "target_date": "",
            "visibility": "organization",
            "submission_key": str(uuid.uuid4()),
            "commitments-TOTAL_FORMS": "5",
            "commitments-INITIAL_FORMS": "0",
            "commitments-MIN_NUM_FORMS": "0",
            "commitments-MAX_NUM_FORMS": "5",
            "commitments-0-title": "Speak up in meetings",
        }
        response = self.client.post(form_url, data)
        pledge = Pledge.objects.get(member=self.alice)
        self.assertRedirects(response, pledge.get_absolute_url())
        signature = Signature.objects.get()
        self.assertEqual(signature.converted_pledge, pledge)
        self.assertIsNotNone(signature.converted_at)

    def test_a_non_member_with_an_open_join_domain_joins_then_pledges(self) -> None:
        self.org.join_domains = "example.net"
        self.org.save()
        url = self.confirmed_convert_url("dev@example.net")
        dev = make_user("dev@example.net")
        self.client.force_login(dev)
        self.assertContains(self.client.get(url), "Join Northwind Collective")
        response = self.client.post(url)
        self.assertTrue(self.org.memberships.filter(user=dev).exists())
        self.assertTrue(
            response["Location"].startswith(
                f"/o/northwind/campaigns/{self.campaign.pk}/pledge/"
            )
        )

    def test_a_non_member_without_open_join_is_told_how_it_works(self) -> None:
        url = self.confirmed_convert_url("oscar@other.example")
        self.client.force_login(self.oscar)
        response = self.client.get(url)
        self.assertContains(response, "Ask the organization for an invitation")
        self.assertEqual(self.client.post(url).status_code, 200)
        self.assertFalse(self.org.memberships.filter(user=self.oscar).exists())

    def test_a_forged_conversion_token_is_refused(self) -> None:
        response = self.client.get(self.url("convert") + "?from_signature=forged")
        self.assertEqual(response.status_code, 404)
        self.client.force_login(self.alice)
        url = reverse(
            "campaigns:pledge_from_signature",
            kwargs={"org": "northwind", "pk": self.campaign.pk},
        )
        self.assertEqual(
            self.client.get(url + "?from_signature=forged").status_code, 404
        )
