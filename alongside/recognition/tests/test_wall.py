from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from alongside.lib.visibility import Visibility
from alongside.pledges.models import ConfirmationRequest
from alongside.recognition.models import Kudos
from alongside.recognition.services import kudos_give
from alongside.recognition.tests.helpers import make_action, make_pledge
from alongside.test import BaseTestCase, make_member


class WallTestCase(BaseTestCase):
    url = reverse("recognition:wall", kwargs={"org": "northwind"})

    def test_it_shows_an_empty_state(self) -> None:
        self.client.force_login(self.bob)
        r = self.client.get(self.url)
        self.assertContains(r, "Recognition wall")
        self.assertContains(r, 'class="empty-state"')

    def test_it_shows_confirmed_actions_and_kudos(self) -> None:
        pledge = make_pledge(self.alice, self.org)
        action = make_action(pledge, confirmed=True)
        kudos_give(
            giver=self.fiona, organization=self.org, action=action, message="Bravo"
        )
        self.client.force_login(self.bob)
        r = self.client.get(self.url)
        self.assertContains(r, "Amplify colleagues")
        self.assertContains(r, "Alice Ally")
        self.assertContains(r, "Fiona Facilitator")
        self.assertContains(r, "Bravo")
        self.assertContains(
            r,
            reverse(
                "recognition:profile",
                kwargs={"org": "northwind", "user_id": self.alice.pk},
            ),
        )
        # Bob may give kudos for Alice's action.
        self.assertContains(
            r,
            reverse(
                "recognition:kudos_action",
                kwargs={"org": "northwind", "action_id": action.pk},
            ),
        )

    def test_it_links_each_entry_to_what_it_recognizes(self) -> None:
        pledge = make_pledge(self.alice, self.org)
        action = make_action(pledge, confirmed=True)
        kudos_give(giver=self.fiona, organization=self.org, pledge=pledge, message="")
        self.client.force_login(self.bob)
        r = self.client.get(self.url)
        self.assertContains(
            r,
            reverse(
                "pledges:action_detail", kwargs={"org": "northwind", "pk": action.pk}
            ),
        )
        self.assertContains(
            r, reverse("pledges:detail", kwargs={"org": "northwind", "pk": pledge.pk})
        )

    def test_it_offers_no_kudos_button_for_your_own_action(self) -> None:
        action = make_action(make_pledge(self.alice, self.org), confirmed=True)
        self.client.force_login(self.alice)
        r = self.client.get(self.url)
        self.assertContains(r, "Amplify colleagues")
        self.assertNotContains(
            r,
            reverse(
                "recognition:kudos_action",
                kwargs={"org": "northwind", "action_id": action.pk},
            ),
        )

    def test_it_leaves_out_unconfirmed_and_private_items(self) -> None:
        shared = make_pledge(self.alice, self.org, commitments=("Shared commitment",))
        private = make_pledge(
            self.bob,
            self.org,
            visibility=Visibility.PRIVATE,
            commitments=("Secret commitment",),
        )
        make_action(shared, commitment=shared.commitments.get())
        make_action(
            make_pledge(self.alice, self.org, commitments=("Private action",)),
            confirmed=True,
            visibility=Visibility.PRIVATE,
        )
        make_action(private, confirmed=True)
        # Kudos given before Bob made his pledge private.
        Kudos.objects.create(
            organization=self.org,
            giver=self.alice,
            receiver=self.bob,
            action=make_action(private),
        )
        self.client.force_login(self.bob)  # even the owner of the private pledge
        r = self.client.get(self.url)
        self.assertNotContains(r, "Shared commitment")  # not confirmed
        self.assertNotContains(r, "Private action")
        self.assertNotContains(r, "Secret commitment")
        self.assertContains(r, 'class="empty-state"')

    def test_it_drops_kudos_when_the_target_becomes_private(self) -> None:
        pledge = make_pledge(self.alice, self.org, statement="My pledge statement")
        kudos_give(giver=self.bob, organization=self.org, pledge=pledge, message="Yes!")
        self.client.force_login(self.fiona)
        self.assertContains(self.client.get(self.url), "Yes!")
        pledge.visibility = Visibility.PRIVATE
        pledge.save()
        self.assertNotContains(self.client.get(self.url), "Yes!")

    def test_it_never_shows_who_was_helped_nor_the_confirmation_note(self) -> None:
        action = make_action(
            make_pledge(self.alice, self.org),
            confirmed=True,
            confirmation_note="Thanks, Maria here: this mattered.",
        )
        ConfirmationRequest.objects.create(
            action=action,
            requester=self.alice,
            recipient_email="maria.helped@example.org",
            recipient_name="Maria Helped",
            token_digest="x" * 64,
            status=ConfirmationRequest.Status.CONFIRMED,
            expires_at=timezone.now() + timedelta(days=14),
        )
        self.client.force_login(self.bob)
        r = self.client.get(self.url)
        self.assertContains(r, "Amplify colleagues")
        for secret in ("Maria", "maria.helped", "this mattered", "alice@example.org"):
            self.assertNotContains(r, secret)

    def test_it_shows_only_its_own_organizations_items(self) -> None:
        make_action(
            make_pledge(self.oscar, self.other_org, commitments=("Other org item",)),
            confirmed=True,
        )
        self.client.force_login(self.bob)
        self.assertNotContains(self.client.get(self.url), "Other org item")

    def test_it_returns_404_to_other_organizations(self) -> None:
        for outsider in (self.olga, self.oscar):
            self.client.force_login(outsider)
            self.assertEqual(self.client.get(self.url).status_code, 404)

    def test_it_paginates_newest_first(self) -> None:
        pledge = make_pledge(self.alice, self.org)
        now = timezone.now()
        for i in range(25):
            action = make_action(pledge, confirmed=True)
            action.confirmed_at = now - timedelta(minutes=i)
            action.save()
        self.client.force_login(self.bob)
        r = self.client.get(self.url)
        self.assertEqual(len(r.context["page_obj"].object_list), 20)
        first = r.context["page_obj"].object_list[0]
        self.assertEqual(first.action.confirmed_at, now)
        r = self.client.get(self.url, {"page": 2})
        self.assertEqual(len(r.context["page_obj"].object_list), 5)
        self.assertContains(r, "Page 2 of 2")


class WallQueryCountTestCase(BaseTestCase):
    url = reverse("recognition:wall", kwargs={"org": "northwind"})

    def make_items(self, n: int) -> None:
        """n more items: half confirmed actions by several allies, half kudos."""
        allies = [make_member(self.org) for _ in range(3)]
        for i in range(n // 2):
            ally = allies[i % 3]
            action = make_action(make_pledge(ally, self.org), confirmed=True)
            giver = allies[(i + 1) % 3]
            kudos_give(
                giver=giver, organization=self.org, action=action, message=f"k{i}"
            )

    def count_queries(self) -> int:
        with CaptureQueriesContext(connection) as queries:
            r = self.client.get(self.url)
        self.assertEqual(r.status_code, 200)
        return len(queries)

    def test_the_query_count_does_not_grow_with_the_items(self) -> None:
        self.client.force_login(self.bob)
        self.make_items(10)
        few = self.count_queries()
        self.make_items(20)  # 30 in all
        with self.assertNumQueries(few):
            r = self.client.get(self.url)
        self.assertEqual(len(r.context["page_obj"].object_list), 20)
