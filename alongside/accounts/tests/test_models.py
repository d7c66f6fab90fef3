from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from alongside.accounts.models import User
from alongside.lib.visibility import Visibility
from alongside.test import BaseTestCase, make_user


class ProfileVisibilityTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.alice.pronouns = "he/him"
        self.alice.gender = "man"
        self.alice.bio = "Nurse on the night shift."
        self.alice.why_ally = "My sister."
        self.alice.save()

    def test_gender_is_private_by_default(self) -> None:
        fresh = User.objects.create_user("fresh@example.org", "pw")
        self.assertEqual(fresh.gender_visibility, Visibility.PRIVATE)

    def test_gender_is_never_shown_to_others_unless_opted_in(self) -> None:
        for viewer, same_org in (
            (self.bob, True),
            (self.paula, True),
            (self.olga, False),
            (None, False),
        ):
            with self.subTest(viewer=viewer):
                visible = self.alice.profile_visible_to(
                    viewer, same_organization=same_org
                )
                self.assertNotIn("gender", visible)

    def test_the_owner_always_sees_everything(self) -> None:
        visible = self.alice.profile_visible_to(self.alice, same_organization=False)
        self.assertEqual(visible["gender"], "man")
        self.assertEqual(set(visible), {"pronouns", "gender", "bio", "why_ally"})

    def test_organization_visibility_needs_the_same_organization(self) -> None:
        self.alice.gender_visibility = Visibility.ORGANIZATION
        self.alice.save()
        self.assertIn(
            "gender", self.alice.profile_visible_to(self.bob, same_organization=True)
        )
        self.assertNotIn(
            "gender", self.alice.profile_visible_to(self.olga, same_organization=False)
        )
        self.assertNotIn(
            "gender", self.alice.profile_visible_to(None, same_organization=False)
        )

    def test_public_fields_are_seen_by_anyone(self) -> None:
        self.alice.bio_visibility = Visibility.PUBLIC
        self.alice.save()
        visible = self.alice.profile_visible_to(
            AnonymousUser(),  # type: ignore[arg-type]
            same_organization=False,
        )
        self.assertEqual(visible, {"bio": "Nurse on the night shift."})

    def test_private_fields_are_hidden_even_from_admins(self) -> None:
        self.alice.why_ally_visibility = Visibility.PRIVATE
        self.alice.save()
        self.assertNotIn(
            "why_ally",
            self.alice.profile_visible_to(self.paula, same_organization=True),
        )

    def test_empty_fields_are_left_out(self) -> None:
        self.bob.pronouns_visibility = Visibility.PUBLIC
        self.bob.save()
        self.assertEqual(self.bob.profile_visible_to(None, same_organization=False), {})

    def test_labelled_items_keep_the_field_order(self) -> None:
        items = self.alice.profile_items_visible_to(self.bob, same_organization=True)
        self.assertEqual(
            items,
            [
                ("pronouns", "he/him"),
                ("short bio", "Nurse on the night shift."),
                ("why I am an ally", "My sister."),
            ],
        )


class UserTestCase(BaseTestCase):
    def test_name_never_falls_back_to_the_email_address(self) -> None:
        user = User.objects.create_user("secret.person@example.org", "pw")
        self.assertNotIn("secret", user.name)
        self.assertEqual(user.name, f"Member {user.pk}")

    def test_it_knows_who_shares_an_organization(self) -> None:
        self.assertTrue(self.alice.shares_organization_with(self.paula))
        self.assertTrue(self.alice.shares_organization_with(self.alice))
        self.assertFalse(self.alice.shares_organization_with(self.olga))
        self.assertFalse(self.alice.shares_organization_with(None))
        self.assertFalse(self.alice.shares_organization_with(make_user()))
