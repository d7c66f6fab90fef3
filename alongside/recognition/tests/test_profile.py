from __future__ import annotations

from datetime import date

import time_machine
from django.urls import reverse
from django.utils import timezone

from alongside.lib.visibility import Visibility
from alongside.pledges.models import Cadence, PledgeCommitment
from alongside.recognition.models import BadgeAward
from alongside.recognition.services import badges_evaluate, kudos_give
from alongside.recognition.tests.helpers import make_action, make_pledge
from alongside.test import BaseTestCase


def profile_url(user, org: str = "northwind") -> str:
    return reverse("recognition:profile", kwargs={"org": org, "user_id": user.pk})


class ProfileTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.url = profile_url(self.alice)

    def test_it_shows_the_record_to_members(self) -> None:
        pledge = make_pledge(
            self.alice,
            self.org,
            statement="I will share the load at home and at work.",
            commitments=("Take meeting notes in turn", "Credit ideas by name"),
        )
        kept = pledge.commitments.get(title="Credit ideas by name")
        kept.outcome = PledgeCommitment.Outcome.KEPT
        kept.save()
        make_action(pledge, confirmed=True)
        make_action(pledge, confirmed=True)
        make_action(pledge)
        self.client.force_login(self.bob)
        r = self.client.get(self.url)
        self.assertContains(r, "<h1>Alice Ally</h1>", html=True)
        self.assertContains(r, "I will share the load")
        self.assertContains(r, "Take meeting notes in turn")
        self.assertContains(r, "In progress")
        self.assertContains(r, "Kept")
        ally = r.context["ally"]
        self.assertEqual((ally.confirmed_actions, ally.self_reported_actions), (2, 1))
        self.assertContains(r, "<strong>2</strong> confirmed actions", html=True)
        self.assertContains(r, "<strong>1</strong> self-reported action", html=True)

    def test_it_links_members_to_the_pledges_and_actions(self) -> None:
        pledge = make_pledge(self.alice, self.org)
        action = make_action(pledge, confirmed=True)
        self.client.force_login(self.bob)
        r = self.client.get(self.url)
        self.assertContains(
            r, reverse("pledges:detail", kwargs={"org": "northwind", "pk": pledge.pk})
        )
        self.assertContains(
            r,
            reverse(
                "pledges:action_detail", kwargs={"org": "northwind", "pk": action.pk}
            ),
        )

    def test_it_says_member_rather_than_ally_without_a_visible_pledge(self) -> None:
        make_pledge(self.alice, self.org, visibility=Visibility.PRIVATE)
        self.client.force_login(self.bob)
        r = self.client.get(self.url)
        self.assertContains(r, "Member of Northwind Collective")
        self.assertNotContains(r, "Ally at")

    def test_it_shows_kudos_received_and_current_badges(self) -> None:
        pledge = make_pledge(self.alice, self.org)
        make_action(pledge, confirmed=True)
        kudos_give(
            giver=self.bob, organization=self.org, pledge=pledge, message="Inspiring"
        )
        with self.captureOnCommitCallbacks(execute=True):
            badges_evaluate(organization=self.org, member=self.alice)
        revoked = BadgeAward.objects.create(
            organization=self.org,
            member=self.alice,
            badge="five-confirmed-actions",
            revoked_at=timezone.now(),
            revoke_reason="Mistake",
        )
        self.client.force_login(self.fiona)
        r = self.client.get(self.url)
        self.assertContains(r, "Inspiring")
        self.assertContains(r, "From Bob Member")
        self.assertContains(r, "First confirmed action")
        self.assertNotContains(r, "Five confirmed actions")
        self.assertNotContains(r, revoked.revoke_reason)

    def test_it_measures_consistency_per_pledge(self) -> None:
        with time_machine.travel(date(2026, 1, 15), tick=False):
            pledge = make_pledge(self.alice, self.org, cadence=Cadence.MONTHLY)
        with time_machine.travel(date(2026, 4, 10), tick=False):
            # January and March out of Jan, Feb, Mar (April is running, no action yet).
            make_action(pledge, occurred_on=date(2026, 1, 20))
            make_action(pledge, occurred_on=date(2026, 3, 2))
            self.client.force_login(self.bob)
            r = self.client.get(self.url)
        self.assertContains(r, "Consistency: 67% (2 of 3 periods, monthly")

    def test_consistency_counts_only_actions_the_viewer_may_see(self) -> None:
        with time_machine.travel(date(2026, 1, 15), tick=False):
            pledge = make_pledge(self.alice, self.org, cadence=Cadence.MONTHLY)
        with time_machine.travel(date(2026, 3, 10), tick=False):
            make_action(pledge, occurred_on=date(2026, 1, 20))
            make_action(
                pledge, occurred_on=date(2026, 2, 2), visibility=Visibility.PRIVATE
            )
            self.client.force_login(self.bob)
            self.assertContains(self.client.get(self.url), "Consistency: 50%")
            self.client.force_login(self.alice)
            self.assertContains(self.client.get(self.url), "Consistency: 100%")

    def test_it_hides_private_pledges_and_actions_from_other_members(self) -> None:
        make_pledge(
            self.alice,
            self.org,
            visibility=Visibility.PRIVATE,
            statement="A private pledge statement",
        )
        shared = make_pledge(self.alice, self.org, commitments=("Shared commitment",))
        make_action(shared, confirmed=True, visibility=Visibility.PRIVATE)
        self.client.force_login(self.bob)
        r = self.client.get(self.url)
        self.assertNotContains(r, "A private pledge statement")
        self.assertContains(r, "Shared commitment")
        self.assertEqual(r.context["ally"].confirmed_actions, 0)
        # The ally sees all of his own record.
        self.client.force_login(self.alice)
        r = self.client.get(self.url)
        self.assertContains(r, "A private pledge statement")
        self.assertEqual(r.context["ally"].confirmed_actions, 1)

    def test_it_never_shows_the_confirmation_note(self) -> None:
        make_action(
            make_pledge(self.alice, self.org),
            confirmed=True,
            confirmation_note="Note for Alice only",
        )
        self.client.force_login(self.bob)
        self.assertNotContains(self.client.get(self.url), "Note for Alice only")

    def test_it_offers_kudos_to_other_members_only(self) -> None:
        pledge = make_pledge(self.alice, self.org)
        action = make_action(pledge, confirmed=True)
        kudos_pledge = reverse(
            "recognition:kudos_pledge",
            kwargs={"org": "northwind", "pledge_id": pledge.pk},
        )
        kudos_action = reverse(
            "recognition:kudos_action",
            kwargs={"org": "northwind", "action_id": action.pk},
        )
        self.client.force_login(self.bob)
        r = self.client.get(self.url)
        self.assertContains(r, kudos_pledge)
        self.assertContains(r, kudos_action)
        kudos_give(giver=self.bob, organization=self.org, pledge=pledge)
        r = self.client.get(self.url)
        self.assertNotContains(r, f'action="{kudos_pledge}"')
        self.assertContains(r, f'action="{kudos_action}"')
        self.assertContains(r, "You gave kudos")
        self.client.force_login(self.alice)
        r = self.client.get(self.url)
        self.assertNotContains(r, kudos_pledge)
        self.assertNotContains(r, kudos_action)

    def test_it_shows_revoke_links_to_program_admins_only(self) -> None:
        make_action(make_pledge(self.alice, self.org), confirmed=True)
        with self.captureOnCommitCallbacks(execute=True):
            (award,) = badges_evaluate(organization=self.org, member=self.alice)
        revoke_url = reverse(
            "recognition:badge_revoke",
            kwargs={"org": "northwind", "award_id": award.pk},
        )
        self.client.force_login(self.bob)
        self.assertNotContains(self.client.get(self.url), revoke_url)
        self.client.force_login(self.paula)
        self.assertContains(self.client.get(self.url), revoke_url)

    def test_it_returns_404_to_other_organizations(self) -> None:
        make_pledge(self.alice, self.org, visibility=Visibility.PUBLIC)
        for outsider in (self.olga, self.oscar):
            self.client.force_login(outsider)
            self.assertEqual(self.client.get(self.url).status_code, 404)
            # Alice is not a member of "other": no profile there either.
            url = profile_url(self.alice, org="other")
            self.assertEqual(self.client.get(url).status_code, 404)

    def test_it_returns_404_for_non_members_and_unknown_users(self) -> None:
        self.client.force_login(self.bob)
        self.assertEqual(self.client.get(profile_url(self.oscar)).status_code, 404)
        url = reverse(
            "recognition:profile", kwargs={"org": "northwind", "user_id": 999999}
        )
        self.assertEqual(self.client.get(url).status_code, 404)
        url = reverse("recognition:profile", kwargs={"org": "nope", "user_id": 1})
        self.assertEqual(self.client.get(url).status_code, 404)


class ProfileFieldsTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.url = profile_url(self.alice)
        self.alice.gender = "Nonbinary woman"
        self.alice.bio = "Engineer and parent."
        self.alice.pronouns = "she/her"
        self.alice.save()

    def test_gender_is_hidden_by_default(self) -> None:
        self.client.force_login(self.bob)
        r = self.client.get(self.url)
        self.assertNotContains(r, "Nonbinary woman")
        self.assertNotContains(r, "Gender")
        self.assertContains(r, "Engineer and parent.")
        self.assertContains(r, "she/her")

    def test_gender_shows_when_the_member_opted_in(self) -> None:
        self.alice.gender_visibility = Visibility.ORGANIZATION
        self.alice.save()
        self.client.force_login(self.bob)
        self.assertContains(self.client.get(self.url), "Nonbinary woman")

    def test_the_member_sees_her_own_private_fields(self) -> None:
        self.client.force_login(self.alice)
        self.assertContains(self.client.get(self.url), "Nonbinary woman")

    def test_private_fields_stay_hidden(self) -> None:
        self.alice.bio_visibility = Visibility.PRIVATE
        self.alice.save()
        self.client.force_login(self.bob)
        self.assertNotContains(self.client.get(self.url), "Engineer and parent.")

    def test_it_never_shows_email_addresses(self) -> None:
        make_pledge(self.alice, self.org)
        self.client.force_login(self.bob)
        self.assertNotContains(self.client.get(self.url), "alice@example.org")


class AnonymousProfileTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.url = profile_url(self.alice)
        self.alice.gender = "Woman"
        self.alice.bio = "Organization-only bio"
        self.alice.why_ally = "Public reason to be an ally"
        self.alice.why_ally_visibility = Visibility.PUBLIC
        self.alice.save()

    def test_it_links_to_no_page_for_members_only(self) -> None:
        public = make_pledge(self.alice, self.org, visibility=Visibility.PUBLIC)
        make_action(public, confirmed=True, visibility=Visibility.PUBLIC)
        r = self.client.get(self.url)
        self.assertEqual(r.status_code, 200)
        self.assertNotContains(r, "/o/northwind/pledges/")
        self.assertNotContains(r, "/o/northwind/actions/")

    def test_it_is_404_without_anything_public(self) -> None:
        make_pledge(self.alice, self.org)  # organization-only
        self.assertEqual(self.client.get(self.url).status_code, 404)

    def test_it_shows_only_public_parts(self) -> None:
        public = make_pledge(
            self.alice,
            self.org,
            visibility=Visibility.PUBLIC,
            statement="A public pledge",
            commitments=("Public commitment",),
        )
        make_pledge(
            self.alice,
            self.org,
            statement="An organization pledge",
            commitments=("Organization commitment",),
        )
        make_action(public, confirmed=True, visibility=Visibility.PUBLIC)
        make_action(public, confirmed=True)  # organization-only action
        kudos_give(
            giver=self.bob, organization=self.org, pledge=public, message="Kudos text"
        )
        with self.captureOnCommitCallbacks(execute=True):
            badges_evaluate(organization=self.org, member=self.alice)
        r = self.client.get(self.url)
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "A public pledge")
        self.assertContains(r, "Public reason to be an ally")
        self.assertNotContains(r, "An organization pledge")
        self.assertNotContains(r, "Organization commitment")
        self.assertNotContains(r, "Organization-only bio")
        self.assertNotContains(r, "Woman")
        self.assertEqual(r.context["ally"].confirmed_actions, 1)
        self.assertEqual(r.context["ally"].kudos_received_count, 1)
        # Who gave kudos (members) and badges stay inside the organization, and
        # nothing invites an anonymous visitor to act.
        self.assertNotContains(r, "Bob Member")
        self.assertNotContains(r, "Kudos text")
        self.assertNotContains(r, "First confirmed action")
        self.assertNotContains(r, "Give kudos")
        self.assertNotContains(r, "/o/northwind/wall/")
