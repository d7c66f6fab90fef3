from __future__ import annotations

import json

from alongside.recognition.models import BadgeAward, Kudos
from alongside.recognition.privacy import erase_user_data, export_user_data
from alongside.recognition.services import badge_revoke, kudos_give
from alongside.recognition.tests.helpers import make_action, make_pledge
from alongside.test import BaseTestCase


class PrivacyTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.alice_pledge = make_pledge(self.alice, self.org)
        self.bob_pledge = make_pledge(self.bob, self.org, statement="Bob's pledge")
        action = make_action(self.alice_pledge, confirmed=True)
        kudos_give(giver=self.bob, organization=self.org, action=action, message="Hi")
        kudos_give(giver=self.alice, organization=self.org, pledge=self.bob_pledge)
        kudos_give(giver=self.fiona, organization=self.org, pledge=self.bob_pledge)
        self.award = BadgeAward.objects.create(
            organization=self.org, member=self.alice, badge="first-confirmed-action"
        )
        badge_revoke(award=self.award, actor=self.paula, reason="Checked: a mistake.")
        BadgeAward.objects.create(
            organization=self.org, member=self.bob, badge="first-kudos-given"
        )

    def test_it_exports_the_users_kudos_and_badges(self) -> None:
        data = export_user_data(self.alice)
        json.dumps(data)  # serialisable
        self.assertEqual(len(data["kudos_received"]), 1)
        self.assertEqual(data["kudos_received"][0]["member"], "Bob Member")
        self.assertEqual(data["kudos_received"][0]["message"], "Hi")
        self.assertEqual(len(data["kudos_given"]), 1)
        self.assertEqual(data["kudos_given"][0]["member"], "Bob Member")
        self.assertEqual(data["kudos_given"][0]["for"], "pledge")
        (badge,) = data["badges"]
        self.assertEqual(badge["badge"], "First confirmed action")
        self.assertEqual(badge["revoke_reason"], "Checked: a mistake.")
        text = json.dumps(data)
        for other in ("bob@example.org", "paula", "Paula", "fiona", "Fiona"):
            self.assertNotIn(other, text)

    def test_it_erases_the_users_kudos_and_badges_only(self) -> None:
        erase_user_data(self.alice)
        self.assertFalse(Kudos.objects.filter(giver=self.alice).exists())
        self.assertFalse(Kudos.objects.filter(receiver=self.alice).exists())
        self.assertFalse(BadgeAward.objects.filter(member=self.alice).exists())
        # Other people's kudos and badges stay.
        self.assertTrue(Kudos.objects.filter(giver=self.fiona).exists())
        self.assertTrue(BadgeAward.objects.filter(member=self.bob).exists())

    def test_an_erased_admin_leaves_the_revocation_in_place(self) -> None:
        self.paula.delete()
        self.award.refresh_from_db()
        self.assertTrue(self.award.is_revoked)
        self.assertIsNone(self.award.revoked_by)
        self.assertEqual(self.award.revoke_reason, "Checked: a mistake.")
