from __future__ import annotations

from django.test import TestCase

from alongside.circles import demo
from alongside.circles.models import Circle, CircleMembership, JoinRequest
from alongside.demo.loader import DEMO_SLUG, demo_load
from alongside.organizations.models import Membership, Organization


class DemoTestCase(TestCase):
    def test_it_loads_every_kind_once(self) -> None:
        demo_load()
        organization = Organization.objects.get(slug=DEMO_SLUG)
        circles = Circle.objects.for_organization(organization)
        self.assertEqual(
            set(circles.values_list("kind", flat=True)), set(Circle.Kind.values)
        )
        self.assertTrue(circles.filter(listing=Circle.Listing.UNLISTED).exists())
        project = circles.get(kind=Circle.Kind.PROJECT)
        progress = project.progress()
        self.assertEqual((progress.done, progress.total), (2, 4))
        self.assertEqual(project.updates.count(), 3)
        self.assertEqual(JoinRequest.objects.pending().count(), 1)
        # Every circle member belongs to the organization; every circle has a facilitator.
        members = Membership.objects.filter(organization=organization)
        for membership in CircleMembership.objects.filter(circle__in=circles):
            self.assertTrue(members.filter(user_id=membership.user_id).exists())
        for circle in circles:
            self.assertTrue(circle.facilitators().exists(), circle)
        count = CircleMembership.objects.count()
        users = {
            m.user.email.split("@")[0]: m.user for m in members.select_related("user")
        }
        demo.load(organization, users)
        demo_load()
        self.assertEqual(circles.count(), 4)
        self.assertEqual(CircleMembership.objects.count(), count)
