"""Every recognition page, walked as members of another organization: always 404."""

from __future__ import annotations

from django.urls import URLPattern, reverse

from alongside.lib.visibility import Visibility
from alongside.recognition import urls
from alongside.recognition.models import BadgeAward
from alongside.recognition.tests.helpers import make_action, make_pledge
from alongside.test import BaseTestCase


class CrossOrganizationTestCase(BaseTestCase):
    def test_every_page_is_404_to_other_organizations(self) -> None:
        # Public items, so that nothing is hidden for visibility reasons alone.
        pledge = make_pledge(self.alice, self.org, visibility=Visibility.PUBLIC)
        action = make_action(pledge, confirmed=True, visibility=Visibility.PUBLIC)
        award = BadgeAward.objects.create(
            organization=self.org, member=self.alice, badge="first-confirmed-action"
        )
        kwargs = {
            "org": "northwind",
            "user_id": self.alice.pk,
            "action_id": action.pk,
            "pledge_id": pledge.pk,
            "award_id": award.pk,
        }
        patterns = [p for p in urls.urlpatterns if isinstance(p, URLPattern)]
        self.assertGreaterEqual(len(patterns), 6)
        for outsider in (self.olga, self.oscar):
            self.client.force_login(outsider)
            for pattern in patterns:
                names = pattern.pattern.regex.groupindex
                url = reverse(
                    f"recognition:{pattern.name}",
                    kwargs={k: v for k, v in kwargs.items() if k in names},
                )
                with self.subTest(url=url, outsider=outsider.name):
                    self.assertEqual(self.client.get(url).status_code, 404)
                    r = self.client.post(url, {"reason": "x", "message": "x"})
                    self.assertEqual(r.status_code, 404)
        award.refresh_from_db()
        self.assertFalse(award.is_revoked)
        self.assertFalse(action.kudos.exists())
