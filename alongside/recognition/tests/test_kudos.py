from __future__ import annotations

import html5lib
from django.core import mail
from django.db import IntegrityError, transaction
from django.urls import reverse

from alongside.lib.visibility import Visibility
from alongside.notifications.models import Notification, NotificationPreference
from alongside.recognition.models import BadgeAward, Kudos
from alongside.recognition.services import KudosError, kudos_give
from alongside.recognition.tests.helpers import make_action, make_pledge
from alongside.test import BaseTestCase, make_member

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


class KudosServiceTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.pledge = make_pledge(self.alice, self.org)
        self.action = make_action(self.pledge, confirmed=True)

    def test_it_gives_kudos_and_notifies_the_receiver(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            kudos, created = kudos_give(
                giver=self.bob,
                organization=self.org,
                action=self.action,
                message="  Thank   you!  ",
            )
        self.assertTrue(created)
        self.assertEqual(kudos.receiver, self.alice)
        self.assertEqual(kudos.message, "Thank you!")
        notification = Notification.objects.get(user=self.alice, kind="kudos")
        self.assertIn("Bob Member", notification.message)
        self.assertIn("Amplify colleagues", notification.message)
        self.assertEqual(
            notification.url, f"/o/northwind/allies/{self.alice.pk}/#kudos"
        )
        kudos_mail = [m for m in mail.outbox if m.to == ["alice@example.org"]]
        self.assertEqual(len(kudos_mail), 1)
        self.assertIn("Bob Member gave you kudos", kudos_mail[0].subject)
        self.assertIn("Thank you!", kudos_mail[0].body)
        self.assertNotIn("bob@example.org", kudos_mail[0].body)

    def test_giving_twice_keeps_one_kudos_and_one_notification(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            first, created = kudos_give(
                giver=self.bob, organization=self.org, action=self.action
            )
            again, created_again = kudos_give(
                giver=self.bob, organization=self.org, action=self.action
            )
        self.assertTrue(created)
        self.assertFalse(created_again)
        self.assertEqual(first.pk, again.pk)
        self.assertEqual(Kudos.objects.count(), 1)
        self.assertEqual(Notification.objects.filter(kind="kudos").count(), 1)

    def test_the_database_refuses_a_second_kudos(self) -> None:
        kudos_give(giver=self.bob, organization=self.org, pledge=self.pledge)
        with self.assertRaises(IntegrityError), transaction.atomic():
            Kudos.objects.create(
                organization=self.org,
                giver=self.bob,
                receiver=self.alice,
                pledge=self.pledge,
            )

    def test_one_member_may_give_kudos_for_the_action_and_the_pledge(self) -> None:
        kudos_give(giver=self.bob, organization=self.org, action=self.action)
        kudos_give(giver=self.bob, organization=self.org, pledge=self.pledge)
        kudos_give(giver=self.fiona, organization=self.org, pledge=self.pledge)
        self.assertEqual(Kudos.objects.count(), 3)

    def test_it_refuses_kudos_to_yourself(self) -> None:
        with self.assertRaises(KudosError):
            kudos_give(giver=self.alice, organization=self.org, action=self.action)
        self.assertFalse(Kudos.objects.exists())

    def test_it_refuses_outsiders_and_other_organizations(self) -> None:
        with self.assertRaises(KudosError):
            kudos_give(giver=self.oscar, organization=self.org, action=self.action)
        with self.assertRaises(KudosError):
            kudos_give(
                giver=self.oscar, organization=self.other_org, action=self.action
            )
        self.assertFalse(Kudos.objects.exists())

    def test_it_refuses_kudos_for_what_the_giver_cannot_see(self) -> None:
        private_pledge = make_pledge(
            self.alice, self.org, visibility=Visibility.PRIVATE
        )
        private_action = make_action(self.pledge, visibility=Visibility.PRIVATE)
        with self.assertRaises(KudosError):
            kudos_give(giver=self.bob, organization=self.org, pledge=private_pledge)
        with self.assertRaises(KudosError):
            kudos_give(giver=self.bob, organization=self.org, action=private_action)
        self.assertFalse(Kudos.objects.exists())

    def test_it_refuses_an_overlong_message(self) -> None:
        with self.assertRaises(KudosError):
            kudos_give(
                giver=self.bob,
                organization=self.org,
                action=self.action,
                message="x" * 281,
            )
        self.assertFalse(Kudos.objects.exists())

    def test_it_needs_exactly_one_target(self) -> None:
        with self.assertRaises(ValueError):
            kudos_give(giver=self.bob, organization=self.org)
        with self.assertRaises(ValueError):
            kudos_give(
                giver=self.bob,
                organization=self.org,
                action=self.action,
                pledge=self.pledge,
            )

    def test_it_refuses_kudos_to_someone_who_left(self) -> None:
        self.alice.memberships.all().delete()
        with self.assertRaises(KudosError):
            kudos_give(giver=self.bob, organization=self.org, pledge=self.pledge)

    def test_it_honors_the_receivers_email_preference(self) -> None:
        NotificationPreference.objects.create(user=self.alice, email_kudos=False)
        with self.captureOnCommitCallbacks(execute=True):
            kudos_give(giver=self.bob, organization=self.org, action=self.action)
        self.assertTrue(Notification.objects.filter(user=self.alice).exists())
        self.assertEqual([m for m in mail.outbox if m.to == [self.alice.email]], [])


class KudosViewTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.pledge = make_pledge(self.alice, self.org)
        self.action = make_action(self.pledge, confirmed=True)
        self.action_url = reverse(
            "recognition:kudos_action",
            kwargs={"org": "northwind", "action_id": self.action.pk},
        )
        self.pledge_url = reverse(
            "recognition:kudos_pledge",
            kwargs={"org": "northwind", "pledge_id": self.pledge.pk},
        )
        self.wall_url = reverse("recognition:wall", kwargs={"org": "northwind"})

    def test_it_shows_the_kudos_form(self) -> None:
        self.client.force_login(self.bob)
        r = self.client.get(self.action_url)
        self.assertContains(r, "Give kudos")
        self.assertContains(r, "Amplify colleagues")
        self.assertContains(r, 'name="message"')

    def test_it_gives_kudos_without_javascript_and_redirects_back(self) -> None:
        self.client.force_login(self.bob)
        with self.captureOnCommitCallbacks(execute=True):
            r = self.client.post(
                self.action_url, {"message": "Well done", "next": self.wall_url}
            )
        self.assertRedirects(r, self.wall_url, fetch_redirect_response=False)
        kudos = Kudos.objects.get()
        self.assertEqual((kudos.giver, kudos.action), (self.bob, self.action))
        r = self.client.get(self.wall_url)
        self.assertContains(r, "You gave kudos to Alice Ally.")
        self.assertContains(r, "You gave kudos")
        # Giving kudos earned Bob his first badge.
        self.assertTrue(
            BadgeAward.objects.filter(
                member=self.bob, badge="first-kudos-given"
            ).exists()
        )

    def test_it_swaps_in_place_with_htmx(self) -> None:
        self.client.force_login(self.bob)
        r = self.client.post(
            self.pledge_url, {"next": self.wall_url}, HTTP_HX_REQUEST="true"
        )
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "You gave kudos")
        self.assertNotContains(r, "<html")
        self.assertEqual(Kudos.objects.get().pledge, self.pledge)

    def test_a_double_submit_leaves_one_kudos(self) -> None:
        self.client.force_login(self.bob)
        self.client.post(self.action_url, {"message": "one"})
        r = self.client.post(self.action_url, {"message": "two"})
        self.assertRedirects(r, self.wall_url)
        self.assertEqual(list(Kudos.objects.values_list("message", flat=True)), ["one"])
        self.assertEqual(Notification.objects.filter(kind="kudos").count(), 1)

    def test_it_ignores_a_next_url_on_another_site(self) -> None:
        self.client.force_login(self.bob)
        r = self.client.post(self.action_url, {"next": "https://evil.example/"})
        self.assertRedirects(r, self.wall_url)

    def test_an_overlong_message_is_refused_with_a_clear_message(self) -> None:
        self.client.force_login(self.bob)
        r = self.client.post(self.action_url, {"message": "x" * 281})
        self.assertEqual(r.status_code, 400)
        self.assertContains(
            r, "Keep the message to 280 characters or fewer", status_code=400
        )
        r = self.client.post(
            self.action_url, {"message": "x" * 281}, HTTP_HX_REQUEST="true"
        )
        self.assertContains(r, "Keep the message to 280 characters or fewer")
        self.assertFalse(Kudos.objects.exists())

    def test_it_refuses_kudos_to_yourself(self) -> None:
        self.client.force_login(self.alice)
        r = self.client.get(self.action_url)
        self.assertContains(r, "This is yours")
        self.assertNotContains(r, 'name="message"')
        r = self.client.post(self.action_url)
        self.assertEqual(r.status_code, 400)
        self.assertFalse(Kudos.objects.exists())

    def test_it_hides_private_items_with_404(self) -> None:
        private_pledge = make_pledge(
            self.alice, self.org, visibility=Visibility.PRIVATE
        )
        private_action = make_action(self.pledge, visibility=Visibility.PRIVATE)
        # An organization-wide action of a private pledge is private too.
        hidden_action = make_action(private_pledge)
        self.client.force_login(self.bob)
        for url in (
            reverse(
                "recognition:kudos_pledge",
                kwargs={"org": "northwind", "pledge_id": private_pledge.pk},
            ),
            reverse(
                "recognition:kudos_action",
                kwargs={"org": "northwind", "action_id": private_action.pk},
            ),
            reverse(
                "recognition:kudos_action",
                kwargs={"org": "northwind", "action_id": hidden_action.pk},
            ),
        ):
            self.assertEqual(self.client.get(url).status_code, 404, url)
            self.assertEqual(self.client.post(url).status_code, 404, url)
        self.assertFalse(Kudos.objects.exists())

    def test_it_returns_404_to_other_organizations(self) -> None:
        for outsider in (self.olga, self.oscar):
            self.client.force_login(outsider)
            for url in (self.action_url, self.pledge_url):
                self.assertEqual(self.client.get(url).status_code, 404)
                self.assertEqual(self.client.post(url).status_code, 404)
            # Nor through the outsider's own organization's address.
            url = reverse(
                "recognition:kudos_action",
                kwargs={"org": "other", "action_id": self.action.pk},
            )
            self.assertEqual(self.client.post(url).status_code, 404)
        self.assertFalse(Kudos.objects.exists())

    def test_it_requires_login(self) -> None:
        r = self.client.post(self.action_url)
        self.assertEqual(r.status_code, 302)
        self.assertIn("/accounts/login/", r["Location"])
        self.assertFalse(Kudos.objects.exists())

    def test_a_kudos_message_renders_inert(self) -> None:
        carol = make_member(self.org, display_name="Carol")
        self.client.force_login(carol)
        self.client.post(self.action_url, {"message": XSS})
        self.client.force_login(self.bob)
        for url in (
            self.wall_url,
            reverse(
                "recognition:profile",
                kwargs={"org": "northwind", "user_id": self.alice.pk},
            ),
        ):
            r = self.client.get(url)
            self.assertContains(r, "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;")
            document = html5lib.parse(r.content, namespaceHTMLElements=False)
            for element in document.iter():
                handlers = [a for a in element.attrib if a.lower().startswith("on")]
                self.assertEqual(handlers, [], url)
                if element.tag == "script":
                    self.assertTrue(element.get("src"), url)
                    self.assertFalse((element.text or "").strip(), url)
            self.assertEqual(document.findall(".//img"), [], url)
