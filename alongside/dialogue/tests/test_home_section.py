from __future__ import annotations

from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext

from alongside.dialogue.tests.helpers import make_circle, make_space, start
from alongside.test import BaseTestCase


class HomeSectionTestCase(BaseTestCase):
    def _render(self, user: object) -> str:
        return render_to_string(
            "dialogue/_org_home_section.html",
            {"organization": self.org, "user": user},
        )

    def test_it_lists_only_threads_the_viewer_may_see(self) -> None:
        self.assertIn("No conversations yet.", self._render(self.bob))
        space = make_space(self.org, accepted=(self.alice,))
        start(space, self.alice, title="Open rota talk")
        circle = make_circle(self.org, facilitator=self.fiona, members=(self.alice,))
        private = make_space(self.org, circle=circle, accepted=(self.alice,))
        start(private, self.alice, title="Support circle talk")
        other = make_space(self.other_org, accepted=(self.oscar,))
        start(other, self.oscar, title="Elsewhere talk")
        alice = self._render(self.alice)
        self.assertIn("Open rota talk", alice)
        self.assertIn("Support circle talk", alice)
        self.assertNotIn("Elsewhere talk", alice)
        with CaptureQueriesContext(connection) as context:
            bob = self._render(self.bob)
        self.assertIn("Open rota talk", bob)
        self.assertNotIn("Support circle talk", bob)
        self.assertEqual(len(context.captured_queries), 1)
