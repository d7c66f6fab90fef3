"""Journey 2 (a public campaign), end to end in Chromium: a supporter signs a public campaign,
confirms by email, and the counter moves on a page another visitor has open (htmx
polling of the stored counter). Every page visited passes axe-core with the CSP on."""

from __future__ import annotations

from django.core import mail

from alongside.campaigns.models import Campaign, Signature
from alongside.campaigns.tests.helpers import link_in, make_campaign
from alongside.test import BrowserTestCase, make_organization


class SupporterJourneyBrowserTestCase(BrowserTestCase):
    def test_a_supporter_signs_confirms_and_the_counter_moves(self) -> None:
        org = make_organization("Riverside Health Trust", slug="riverside")
        campaign = make_campaign(
            org,
            slug="stand-with-women",
            title="Stand with women in healthcare",
            goal=10,
            confirmed_count=3,
        )
        public_url = self.url(f"/c/{campaign.slug}/")

        # Someone else is watching the campaign page.
        watcher = self.context.new_page()
        watcher.goto(public_url)
        counter = watcher.locator("#campaign-counter")
        self.assertEqual(counter.get_attribute("data-count"), "3")

        # The supporter opens the campaign and signs, no account needed.
        page = self.page
        page.goto(public_url)
        page.get_by_role("heading", name="Stand with women in healthcare").wait_for()
        self.assert_accessible()
        page.get_by_label("Email address").fill("Supporter@Example.net")
        page.locator("#id_first_name").fill("Sam")
        page.get_by_label("Country").select_option("GB")
        page.get_by_label("I sign as a man").check()
        page.get_by_label("Show my first name on the public list").check()
        page.get_by_label("I agree to the privacy notice.").check()
        page.get_by_role("button", name="Sign", exact=True).click()
        page.get_by_role("heading", name="Check your inbox").wait_for()
        self.assert_accessible()
        signature = Signature.objects.get()
        self.assertEqual(signature.normalized_email, "supporter@example.net")
        self.assertIsNone(signature.confirmed_at)

        # The emailed link: a page with a button (a mail scanner's GET counts nothing).
        message = mail.outbox[-1]
        self.assertEqual(message.to, ["supporter@example.net"])
        page.goto(self.url(link_in(message.body, "confirm")))
        page.get_by_role("heading", name="Confirm your signature").wait_for()
        self.assert_accessible()
        page.get_by_role("button", name="Yes, confirm my signature").click()
        page.get_by_role("heading", name="You're counted").wait_for()
        self.assert_accessible()
        campaign.refresh_from_db()
        self.assertEqual(campaign.confirmed_count, 4)

        # The watcher's counter moves by itself within a few seconds (htmx polling).
        watcher.wait_for_function(
            "() => document.querySelector('#campaign-counter')"
            ".getAttribute('data-count') === '4'",
            timeout=10_000,
        )
        self.assertIn("4", watcher.locator("#campaign-counter strong").inner_text())
        # The invitation to turn the signature into a pledge (no account yet: sign up
        # with the address filled in).
        page.get_by_role("button", name="Make it a pledge").click()
        page.get_by_role("heading", name="Turn your signature into a pledge").wait_for()
        self.assert_accessible()
        self.assertIn(
            "email=supporter%40example.net",
            page.get_by_role("button", name="Create an account").get_attribute("href")
            or "",
        )

        # The supporter's first name is on the public wall, as chosen.
        page.goto(public_url)
        self.assertIn("Sam", page.locator(".campaign-wall").inner_text())
        self.assert_accessible()
        self.assertTrue(Campaign.objects.filter(confirmed_count=4).exists())


class AdminPagesBrowserTestCase(BrowserTestCase):
    def test_the_admin_pages_are_accessible(self) -> None:
        from alongside.campaigns.tests.test_admin_views import add_signatures
        from alongside.organizations.models import Role
        from alongside.test import make_member

        org = make_organization("Riverside Health Trust", slug="riverside")
        make_member(org, Role.PROGRAM_ADMIN, email="amara@example.org")
        campaign = make_campaign(
            org, title="Stand with women", frame_ancestors="https://partner.example.org"
        )
        add_signatures(campaign, man=9, woman=6, another=1)
        self.log_in("amara@example.org")
        page = self.page
        for path, heading in (
            ("/o/riverside/campaigns/", "Campaigns"),
            ("/o/riverside/campaigns/new/", "New campaign"),
            (f"/o/riverside/campaigns/{campaign.pk}/", "Stand with women"),
            (f"/o/riverside/campaigns/{campaign.pk}/close/", "Close the campaign?"),
            (f"/o/riverside/campaigns/{campaign.pk}/preview/", "Stand with women"),
        ):
            with self.subTest(path):
                page.goto(self.url(path))
                page.get_by_role("heading", name=heading, exact=True).first.wait_for()
                self.assert_accessible()
        page.goto(self.url(f"/c/{campaign.slug}/widget/"))
        self.assert_accessible()
