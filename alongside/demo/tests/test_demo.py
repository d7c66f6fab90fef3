from __future__ import annotations

from io import StringIO

from django.core.management import call_command
from django.test import TestCase

from alongside.demo.loader import DEMO_SLUG
from alongside.demo.people import DEMO_PASSWORD, PEOPLE
from alongside.organizations.models import Membership, Organization
from alongside.pledges.models import Action, Pledge
from alongside.recognition.models import BadgeAward, Kudos


class DemoCommandTestCase(TestCase):
    def test_it_loads_a_living_program_once(self) -> None:
        out = StringIO()
        call_command("demo", stdout=out)
        organization = Organization.objects.get(slug=DEMO_SLUG)
        self.assertTrue(organization.is_demo)
        self.assertFalse(organization.require_admin_mfa)
        self.assertEqual(
            Membership.objects.filter(organization=organization).count(), len(PEOPLE)
        )
        self.assertGreaterEqual(len(PEOPLE), 30)
        self.assertGreaterEqual(
            Pledge.objects.filter(organization=organization).count(), 10
        )
        self.assertGreater(
            Action.objects.filter(organization=organization).confirmed().count(), 10
        )
        self.assertGreater(
            Action.objects.filter(
                organization=organization, confirmed_at__isnull=True
            ).count(),
            5,
        )
        self.assertGreater(Kudos.objects.filter(organization=organization).count(), 10)
        self.assertTrue(
            BadgeAward.objects.filter(
                organization=organization, member__email="daniel@riverside.test"
            ).exists()
        )
        self.assertIn("daniel@riverside.test", out.getvalue())
        self.assertIn(DEMO_PASSWORD, out.getvalue())

        counts = (
            Pledge.objects.count(),
            Action.objects.count(),
            Kudos.objects.count(),
            BadgeAward.objects.count(),
        )
        call_command("demo", stdout=StringIO())
        self.assertEqual(
            counts,
            (
                Pledge.objects.count(),
                Action.objects.count(),
                Kudos.objects.count(),
                BadgeAward.objects.count(),
            ),
        )

    def test_a_demo_member_can_log_in(self) -> None:
        call_command("demo", "--quiet")
        r = self.client.post(
            "/accounts/login/",
            {"login": "daniel@riverside.test", "password": DEMO_PASSWORD},
        )
        self.assertEqual(r.status_code, 302)
        r = self.client.get(f"/o/{DEMO_SLUG}/wall/")
        self.assertContains(r, "Daniel Brooks")
