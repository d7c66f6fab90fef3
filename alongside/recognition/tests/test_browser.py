from __future__ import annotations

from django.core.management import call_command

from alongside.organizations.models import Role
from alongside.recognition.models import BadgeAward, Kudos
from alongside.recognition.tests.helpers import make_action, make_pledge
from alongside.test import BrowserTestCase, make_member, make_organization


class RecognitionBrowserTestCase(BrowserTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.org = make_organization("Northwind Collective", slug="northwind")
        self.alice = make_member(
            self.org, email="alice@example.org", display_name="Alice Ally"
        )
        self.bob = make_member(
            self.org, email="bob@example.org", display_name="Bob Member"
        )
        self.paula = make_member(
            self.org,
            Role.PROGRAM_ADMIN,
            email="paula@example.org",
            display_name="Paula Admin",
        )
        self.pledge = make_pledge(
            self.alice,
            self.org,
            statement="I will make room for every voice in our meetings.",
            commitments=("Credit ideas by name",),
        )
        self.action = make_action(self.pledge, confirmed=True)
        call_command("award_badges", stdout=open("/dev/null", "w"))  # noqa: SIM115

    def test_a_member_gives_kudos_and_earns_a_badge(self) -> None:
        page = self.page
        self.log_in("bob@example.org")

        page.goto(self.url("/o/northwind/wall/"))
        page.get_by_role("heading", name="Recognition wall").wait_for()
        self.assert_accessible()
        entry = page.locator(f"#action-{self.action.pk}")
        entry.get_by_text("Add a message (optional)").click()
        entry.get_by_label("Message").fill("You made the meeting better.")
        entry.get_by_role("button", name="Give kudos").click()
        entry.get_by_text("You gave kudos").wait_for()
        self.assertEqual(page.url, self.url("/o/northwind/wall/"))  # swapped in place
        self.assert_accessible()
        kudos = Kudos.objects.get()
        self.assertEqual(kudos.message, "You made the meeting better.")

        # Alice's profile: her badge, and kudos for her pledge from there.
        entry.get_by_role("link", name="Alice Ally").first.click()
        page.get_by_role("heading", name="Alice Ally", level=1).wait_for()
        badges = page.locator("#badges")
        badges.get_by_text("First confirmed action").wait_for()
        self.assert_accessible()
        pledge = page.locator(f"#pledge-{self.pledge.pk}")
        pledge.get_by_role("button", name="Give kudos").click()
        pledge.get_by_text("You gave kudos").wait_for()
        self.assertEqual(Kudos.objects.count(), 2)
        self.assert_accessible()

        # Giving kudos earned Bob a badge of his own.
        page.goto(self.url(f"/o/northwind/allies/{self.bob.pk}/"))
        page.locator("#badges").get_by_text("First kudos given").wait_for()
        self.assert_accessible()
        self.assertTrue(
            BadgeAward.objects.filter(
                member=self.bob, badge="first-kudos-given"
            ).exists()
        )

    def test_kudos_work_without_javascript(self) -> None:
        context = self.browser.new_context(java_script_enabled=False)
        self.context.close()
        self.context = context
        self.page = context.new_page()
        self.page.set_default_timeout(15_000)
        self.log_in("bob@example.org")
        self.page.goto(self.url(f"/o/northwind/allies/{self.alice.pk}/"))
        self.page.locator(f"#action-{self.action.pk}").get_by_role(
            "button", name="Give kudos"
        ).click()
        self.page.wait_for_load_state()
        self.page.get_by_text("You gave kudos to Alice Ally.").wait_for()
        self.assertEqual(Kudos.objects.get().action, self.action)

    def test_the_receiver_reads_notifications_and_an_admin_revokes_a_badge(
        self,
    ) -> None:
        page = self.page
        self.log_in("alice@example.org")
        page.goto(self.url("/notifications/"))
        page.get_by_role(
            "link", name="You earned the badge “First confirmed action”."
        ).wait_for()
        self.assert_accessible()
        page.get_by_role("button", name="Mark all as read").click()
        page.get_by_text("All notifications are marked as read.").wait_for()
        self.assert_accessible()
        page.get_by_role(
            "link", name="Choose which notifications you also get by email"
        ).click()
        page.get_by_label("Kudos I receive").uncheck()
        page.get_by_role("button", name="Save").click()
        page.get_by_text("Your email preferences are saved.").wait_for()
        self.assert_accessible()

        self.context.clear_cookies()
        self.log_in("paula@example.org")
        page.goto(self.url(f"/o/northwind/allies/{self.alice.pk}/"))
        page.get_by_role("link", name="Revoke “First confirmed action”").click()
        page.get_by_role("heading", name="Revoke a badge").wait_for()
        self.assert_accessible()
        page.get_by_role("button", name="Revoke the badge").click()
        page.get_by_text("Give the reason for revoking this badge.").wait_for()
        self.assert_accessible()
        page.get_by_label("Reason").fill("Confirmed by a second account of hers.")
        page.get_by_role("button", name="Revoke the badge").click()
        page.get_by_role("heading", name="Badges awarded").wait_for()
        page.get_by_text("Confirmed by a second account of hers.").wait_for()
        self.assert_accessible()
        self.assertTrue(BadgeAward.objects.get(member=self.alice).is_revoked)
