from __future__ import annotations

import importlib.util
import json

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.apps import apps
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.test import TestCase

from alongside.accounts import services
from alongside.accounts.models import User
from alongside.audit.models import AuditEvent
from alongside.audit.services import audit_record
from alongside.notifications.models import Notification
from alongside.organizations import services as org_services
from alongside.organizations.models import Invitation, Membership, Organization, Role
from alongside.test import BaseTestCase

# Models that point at the User but keep no personal data of their own beyond what is
# handled elsewhere. Everything else with a link to the User must live in an app that
# has a privacy module (alongside/<app>/privacy.py).
PRIVACY_EXCLUSIONS = {
    # Email addresses: exported and erased by alongside.accounts.privacy.
    "account.emailaddress",
    # Second factors: listed by type in alongside.accounts.privacy (never secrets),
    # deleted by it and with the User row.
    "mfa.authenticator",
    # Django admin's change log of staff actions; deleted with the User row.
    "admin.logentry",
}


class PrivacyCoverageTestCase(TestCase):
    def test_every_model_linked_to_the_user_is_covered_by_a_privacy_module(
        self,
    ) -> None:
        """A new model with a link to the User fails here until its app gets privacy.py."""
        user_model = apps.get_model(settings.AUTH_USER_MODEL)
        uncovered = []
        for model in apps.get_models(include_auto_created=True):
            label = model._meta.label_lower
            links_to_user = [
                f.name
                for f in model._meta.get_fields()
                if getattr(f, "concrete", False)
                and (f.many_to_one or f.one_to_one or f.many_to_many)
                and f.related_model is user_model
            ]
            if not links_to_user or label in PRIVACY_EXCLUSIONS:
                continue
            app = model._meta.app_config
            assert app is not None
            if model._meta.auto_created:
                # Many-to-many tables belong to the app of the model that declares them.
                app = apps.get_containing_app_config(model.__module__) or app
            if importlib.util.find_spec(f"{app.name}.privacy") is None:
                uncovered.append(f"{label} ({', '.join(links_to_user)})")
        self.assertEqual(
            uncovered,
            [],
            "Add export_user_data/erase_user_data in <app>/privacy.py for these models, "
            "or list them in PRIVACY_EXCLUSIONS with the reason.",
        )

    def test_every_privacy_module_has_both_functions(self) -> None:
        modules = services.privacy_modules()
        labels = [label for label, _module in modules]
        for label in ("accounts", "organizations", "audit", "notifications"):
            self.assertIn(label, labels)
        for label, module in modules:
            with self.subTest(app=label):
                self.assertTrue(callable(module.export_user_data))
                self.assertTrue(callable(module.erase_user_data))


class DataExportTestCase(BaseTestCase):
    def test_it_contains_everything_of_mine_and_nothing_of_others(self) -> None:
        self.alice.gender = "man"
        self.alice.bio = "Night nurse."
        self.alice.save()
        EmailAddress.objects.create(
            user=self.alice, email="alice@home.example", verified=False
        )
        Authenticator.objects.create(
            user=self.alice, type=Authenticator.Type.TOTP, data={"secret": "TOPSECRET"}
        )
        Notification.objects.create(
            user=self.alice, organization=self.org, kind="kudos", message="Well done"
        )
        Notification.objects.create(
            user=self.bob, organization=self.org, kind="kudos", message="For Bob only"
        )
        org_services.membership_change_role(
            membership=Membership.objects.get(user=self.alice),
            role=Role.PROGRAM_ADMIN,
            actor=self.paula,
        )
        Invitation.objects.all().delete()
        org_services.invitation_create(
            organization=self.org, email="friend@example.net", invited_by=self.alice
        )
        audit_record(action="test.acted", actor=self.alice, organization=self.org)

        data = services.user_data_export(self.alice)
        text = json.dumps(data, cls=DjangoJSONEncoder)

        self.assertEqual(data["export"]["format"], "alongside-personal-data")
        profile = data["accounts"]["profile"]
        self.assertEqual(profile["email"], "alice@example.org")
        self.assertEqual(profile["display_name"], "Alice Ally")
        self.assertEqual(profile["gender"], "man")
        self.assertEqual(profile["gender_visibility"], "private")
        self.assertEqual(
            data["accounts"]["email_addresses"],
            [
                {"email": "alice@example.org", "verified": True, "primary": True},
                {"email": "alice@home.example", "verified": False, "primary": False},
            ],
        )
        self.assertEqual(data["accounts"]["two_factor_methods"][0]["type"], "totp")
        self.assertNotIn("TOPSECRET", text)
        self.assertEqual(
            data["organizations"]["memberships"][0]["role"], Role.PROGRAM_ADMIN
        )
        self.assertEqual(
            data["organizations"]["invitations_sent"][0]["email"], "friend@example.net"
        )
        messages = [n["message"] for n in data["notifications"]["notifications"]]
        self.assertIn("Well done", messages)
        self.assertNotIn("For Bob only", text)
        self.assertIn(
            "test.acted", [e["action"] for e in data["audit"]["actions_recorded"]]
        )
        # Other people stay out: not the admin who changed Alice's role, nor other members.
        self.assertNotIn("paula", text.lower())
        self.assertNotIn("bob@example.org", text)

    def test_every_installed_privacy_module_contributes(self) -> None:
        data = services.user_data_export(self.alice)
        for label, _module in services.privacy_modules():
            self.assertIn(label, data)
        json.dumps(data, cls=DjangoJSONEncoder)  # serializable


class UserEraseTestCase(BaseTestCase):
    def test_it_removes_the_user_and_personal_data(self) -> None:
        alice_pk = self.alice.pk
        EmailAddress.objects.create(user=self.alice, email="alice@home.example")
        Authenticator.objects.create(
            user=self.alice, type=Authenticator.Type.TOTP, data={"secret": "x"}
        )
        Notification.objects.create(
            user=self.alice, organization=self.org, kind="kudos", message="Well done"
        )
        addressed_to_alice = org_services.invitation_create(
            organization=self.other_org,
            email="alice@home.example",
            invited_by=self.olga,
        )
        Membership.objects.filter(user=self.alice).update(role=Role.PROGRAM_ADMIN)
        sent_by_alice = org_services.invitation_create(
            organization=self.org, email="friend@example.net", invited_by=self.alice
        )
        acted = audit_record(
            action="test.acted", actor=self.alice, organization=self.org
        )

        expected_reference = services.erased_user_reference(self.alice)
        services.user_erase(user=self.alice)

        self.assertFalse(User.objects.filter(pk=alice_pk).exists())
        self.assertFalse(EmailAddress.objects.filter(user_id=alice_pk).exists())
        self.assertFalse(Authenticator.objects.filter(user_id=alice_pk).exists())
        self.assertFalse(Notification.objects.filter(user_id=alice_pk).exists())
        self.assertFalse(Membership.objects.filter(user_id=alice_pk).exists())
        self.assertFalse(Invitation.objects.filter(pk=addressed_to_alice.pk).exists())
        sent_by_alice.refresh_from_db()
        self.assertIsNone(sent_by_alice.invited_by)
        # The audit log keeps its rows, without the link to the person.
        kept = AuditEvent.objects.get(pk=acted.pk)
        self.assertIsNone(kept.actor_id)
        erased = AuditEvent.objects.get(action="account.erased")
        reference = erased.data["user"]
        # A keyed hash of the id: stable across events, no email, not the bare id.
        self.assertEqual(reference, expected_reference)
        self.assertRegex(reference, r"^[0-9a-f]{32}$")
        self.assertTrue(
            AuditEvent.objects.filter(
                action="membership.account_erased",
                organization=self.org,
                data__user=reference,
            ).exists()
        )
        everything = json.dumps(
            list(AuditEvent.objects.values("data", "target_id")), cls=DjangoJSONEncoder
        )
        self.assertNotIn("alice", everything.lower())
        # Nobody else was touched.
        self.assertTrue(User.objects.filter(pk=self.bob.pk).exists())
        self.assertEqual(Membership.objects.filter(organization=self.org).count(), 3)

    def test_it_clears_the_ip_addresses_of_audit_events(self) -> None:
        from django.test import RequestFactory

        request = RequestFactory().get("/", REMOTE_ADDR="203.0.113.9")
        event = audit_record(action="test.acted", actor=self.bob, request=request)
        self.assertEqual(event.ip, "203.0.113.9")
        services.user_erase(user=self.bob)
        event = AuditEvent.objects.get(pk=event.pk)
        self.assertIsNone(event.ip)
        self.assertIsNone(event.actor_id)

    def test_a_sole_admin_of_an_organization_with_members_must_hand_over(self) -> None:
        with self.assertRaises(services.ErasureBlocked) as caught:
            services.user_erase(user=self.paula)
        self.assertEqual(caught.exception.organizations, [self.org])
        self.assertTrue(User.objects.filter(pk=self.paula.pk).exists())
        self.assertFalse(AuditEvent.objects.filter(action="account.erased").exists())

    def test_an_organization_with_no_one_else_goes_with_its_only_member(self) -> None:
        lonely = Organization.objects.create(name="Solo", slug="solo")
        Membership.objects.create(
            organization=lonely, user=self.bob, role=Role.PROGRAM_ADMIN
        )
        services.user_erase(user=self.bob)
        self.assertFalse(Organization.objects.filter(pk=lonely.pk).exists())
        self.assertTrue(Organization.objects.filter(pk=self.org.pk).exists())

    def test_it_rolls_back_entirely_when_an_app_fails(self) -> None:
        from unittest import mock

        Notification.objects.create(
            user=self.bob, organization=self.org, kind="kudos", message="Keep me"
        )
        with (
            mock.patch(
                "alongside.audit.privacy.erase_user_data", side_effect=RuntimeError
            ),
            self.assertRaises(RuntimeError),
        ):
            services.user_erase(user=self.bob)
        self.assertTrue(User.objects.filter(pk=self.bob.pk).exists())
        self.assertTrue(Notification.objects.filter(user=self.bob).exists())
