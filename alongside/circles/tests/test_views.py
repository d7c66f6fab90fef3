from __future__ import annotations

from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from alongside.circles.models import Circle, CircleMembership, Goal, JoinRequest
from alongside.circles.tests.helpers import make_circle
from alongside.circles.views import DIRECTORY_PAGE_SIZE
from alongside.lib.visibility import Visibility
from alongside.test import BaseTestCase


def url(name: str, circle: Circle | None = None, **kwargs: object) -> str:
    if circle is not None:
        kwargs["circle"] = circle.slug
    return reverse(f"circles:{name}", kwargs={"org": "northwind", **kwargs})


class DirectoryTestCase(BaseTestCase):
    def test_it_shows_an_empty_state(self) -> None:
        self.client.force_login(self.alice)
        r = self.client.get(url("directory"))
        self.assertContains(r, "No circles yet.")
        self.assertNotContains(r, "Start a circle")
        r = self.client.get(url("directory") + "?mine=1")
        self.assertContains(r, "You are not in any circle yet.")

    def test_facilitators_see_the_start_button(self) -> None:
        self.client.force_login(self.fiona)
        self.assertContains(self.client.get(url("directory")), "Start a circle")

    def test_it_filters_by_kind_and_mine_and_hides_unlisted(self) -> None:
        make_circle(self.org, self.fiona, name="Rotas")
        make_circle(
            self.org, self.fiona, name="Tool", kind="project", members=(self.alice,)
        )
        make_circle(
            self.org,
            self.fiona,
            name="Secret dads",
            kind="support",
            listing="unlisted",
            join_policy="invitation",
        )
        make_circle(self.other_org, self.olga, name="Elsewhere")
        self.client.force_login(self.alice)
        r = self.client.get(url("directory"))
        self.assertContains(r, "Rotas")
        self.assertContains(r, "Tool")
        self.assertNotContains(r, "Secret dads")
        self.assertNotContains(r, "Elsewhere")
        r = self.client.get(url("directory") + "?kind=project")
        self.assertNotContains(r, "Rotas")
        self.assertContains(r, "Tool")
        r = self.client.get(url("directory") + "?mine=1")
        self.assertNotContains(r, "Rotas")
        self.assertContains(r, "Tool")
        r = self.client.get(url("directory") + "?kind=listening")
        self.assertContains(r, "No circle of this kind yet.")
        r = self.client.get(url("directory") + "?kind=<script>&page=zz")
        self.assertEqual(r.status_code, 200)

    def test_it_paginates(self) -> None:
        for n in range(DIRECTORY_PAGE_SIZE + 1):
            make_circle(self.org, self.fiona, name=f"Circle {n:02d}")
        self.client.force_login(self.alice)
        r = self.client.get(url("directory"))
        self.assertContains(r, "Page 1 of 2")
        self.assertNotContains(r, f"Circle {DIRECTORY_PAGE_SIZE:02d}")
        r = self.client.get(url("directory") + "?page=2")
        self.assertContains(r, f"Circle {DIRECTORY_PAGE_SIZE:02d}")

    def test_outsiders_get_404(self) -> None:
        self.client.force_login(self.oscar)
        self.assertEqual(self.client.get(url("directory")).status_code, 404)


class CircleCreateViewTestCase(BaseTestCase):
    def test_a_facilitator_creates_a_circle(self) -> None:
        self.client.force_login(self.fiona)
        r = self.client.post(
            url("create"),
            {
                "name": "Men for fair rotas",
                "kind": "advocacy",
                "description": "We **push** for fair rotas.",
                "join_policy": "open",
                "listing": "listed",
            },
        )
        circle = Circle.objects.get()
        self.assertRedirects(r, circle.get_absolute_url())
        r = self.client.get(circle.get_absolute_url())
        self.assertContains(r, "<strong>push</strong>", html=True)
        self.assertContains(r, "You facilitate this circle")

    def test_bad_input_changes_nothing_and_says_why(self) -> None:
        self.client.force_login(self.fiona)
        r = self.client.post(
            url("create"),
            {"name": " ", "kind": "", "join_policy": "open", "listing": "unlisted"},
        )
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "Give the circle a name.")
        self.assertContains(r, "Choose what kind of circle this is.")
        self.assertContains(r, "can only be joined by invitation")
        self.assertFalse(Circle.objects.exists())

    def test_a_member_gets_404(self) -> None:
        self.client.force_login(self.alice)
        self.assertEqual(self.client.get(url("create")).status_code, 404)
        r = self.client.post(url("create"), {"name": "X", "kind": "advocacy"})
        self.assertEqual(r.status_code, 404)
        self.assertFalse(Circle.objects.exists())


class CirclePageTestCase(BaseTestCase):
    def test_an_unlisted_circle_is_404_to_non_members(self) -> None:
        circle = make_circle(
            self.org,
            self.fiona,
            name="New fathers",
            kind="support",
            listing="unlisted",
            join_policy="invitation",
            members=(self.alice,),
        )
        self.client.force_login(self.bob)
        for name in ("detail", "leave", "request", "updates"):
            self.assertEqual(self.client.get(url(name, circle)).status_code, 404, name)
        self.assertEqual(self.client.post(url("join", circle)).status_code, 404)
        self.client.force_login(self.alice)
        self.assertContains(self.client.get(url("detail", circle)), "New fathers")

    def test_a_support_circle_member_list_is_hidden_to_non_members(self) -> None:
        circle = make_circle(
            self.org, self.fiona, name="Dads", kind="support", members=(self.alice,)
        )
        self.client.force_login(self.bob)
        r = self.client.get(url("detail", circle))
        self.assertContains(r, "Only the members of this circle see who is in it.")
        self.assertNotContains(r, "Alice Ally")
        self.assertContains(r, "Fiona Facilitator")  # facilitators are named
        r = self.client.get(url("directory"))
        self.assertNotContains(r, "2 members")
        self.client.force_login(self.alice)
        r = self.client.get(url("detail", circle))
        self.assertContains(r, "Alice Ally")
        self.assertContains(r, "2 members")

    def test_an_advocacy_circle_member_list_respects_profile_visibility(self) -> None:
        self.alice.pronouns = "she/her"
        self.alice.pronouns_visibility = Visibility.PRIVATE
        self.alice.gender = "woman-canary"
        self.alice.gender_visibility = Visibility.ORGANIZATION
        self.alice.save()
        self.bob.pronouns = "he/him"
        self.bob.pronouns_visibility = Visibility.ORGANIZATION
        self.bob.save()
        circle = make_circle(self.org, self.fiona, members=(self.alice, self.bob))
        self.client.force_login(self.paula)
        r = self.client.get(url("detail", circle))
        profile = reverse(
            "recognition:profile", kwargs={"org": "northwind", "user_id": self.alice.pk}
        )
        self.assertContains(r, f'href="{profile}"')
        self.assertContains(r, "Alice Ally")
        self.assertNotContains(r, "she/her")
        self.assertNotContains(r, "woman-canary")  # gender is never shown
        self.assertContains(r, "he/him")

    def test_join_buttons_follow_the_policy(self) -> None:
        open_circle = make_circle(self.org, self.fiona, name="Open", join_policy="open")
        by_request = make_circle(
            self.org, self.fiona, name="Req", join_policy="request"
        )
        invitation = make_circle(
            self.org, self.fiona, name="Inv", join_policy="invitation"
        )
        self.client.force_login(self.alice)
        self.assertContains(
            self.client.get(url("detail", open_circle)), "Join this circle"
        )
        self.assertContains(self.client.get(url("detail", by_request)), "Ask to join")
        self.assertContains(
            self.client.get(url("detail", invitation)), "joined by invitation"
        )

    def test_joining_is_post_only_and_works(self) -> None:
        circle = make_circle(self.org, self.fiona, join_policy="open")
        self.client.force_login(self.alice)
        self.assertEqual(self.client.get(url("join", circle)).status_code, 405)
        r = self.client.post(url("join", circle))
        self.assertRedirects(r, circle.get_absolute_url())
        self.assertTrue(circle.is_member(self.alice))

    def test_a_request_and_its_approval_through_the_pages(self) -> None:
        circle = make_circle(self.org, self.fiona, join_policy="request")
        self.client.force_login(self.alice)
        r = self.client.post(url("request", circle), {"message": "Count me in"})
        self.assertRedirects(r, circle.get_absolute_url())
        join_request = JoinRequest.objects.get()
        self.client.force_login(self.fiona)
        r = self.client.get(url("requests", circle))
        self.assertContains(r, "Count me in")
        r = self.client.post(
            url("request_decide", circle, join_request_id=join_request.pk),
            {"decision": "approve"},
        )
        self.assertRedirects(r, url("requests", circle))
        self.assertTrue(circle.is_member(self.alice))
        self.assertContains(
            self.client.get(url("requests", circle)), "No request is waiting."
        )

    def test_leaving_needs_confirmation(self) -> None:
        circle = make_circle(self.org, self.fiona, members=(self.alice,))
        self.client.force_login(self.alice)
        r = self.client.get(url("leave", circle))
        self.assertContains(r, "Yes, leave the circle")
        self.assertTrue(circle.is_member(self.alice))
        self.client.post(url("leave", circle))
        self.assertFalse(circle.is_member(self.alice))

    def test_the_last_facilitator_is_told_to_hand_over(self) -> None:
        circle = make_circle(self.org, self.fiona, members=(self.alice,))
        self.client.force_login(self.fiona)
        r = self.client.post(url("leave", circle), follow=True)
        self.assertContains(r, "only facilitator")
        self.assertTrue(circle.is_member(self.fiona))


class FacilitatorPagesTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.circle = make_circle(
            self.org,
            self.fiona,
            kind="project",
            join_policy="request",
            members=(self.alice,),
        )
        self.alice_membership = CircleMembership.objects.get(user=self.alice)
        self.goal = Goal.objects.create(circle=self.circle, title="Survey")

    def test_non_facilitators_get_404_on_manage_pages(self) -> None:
        gets = [
            url("edit", self.circle),
            url("members", self.circle),
            url("requests", self.circle),
            url("archive", self.circle),
            url(
                "member_remove", self.circle, circle_member_id=self.alice_membership.pk
            ),
            url("goal_delete", self.circle, goal_id=self.goal.pk),
        ]
        posts = [
            *gets,
            url("invite", self.circle),
            url("reopen", self.circle),
            url("member_role", self.circle, circle_member_id=self.alice_membership.pk),
        ]
        # alice is a member of the circle, paula a program admin of the organization.
        for user in (self.alice, self.paula, self.bob):
            self.client.force_login(user)
            for path in gets:
                self.assertEqual(self.client.get(path).status_code, 404, (user, path))
            for path in posts:
                self.assertEqual(
                    self.client.post(path, {"role": "facilitator"}).status_code,
                    404,
                    (user, path),
                )
        self.assertTrue(self.circle.is_member(self.alice))
        self.assertFalse(self.circle.is_facilitator(self.alice))

    def test_removing_a_member_needs_confirmation(self) -> None:
        self.client.force_login(self.fiona)
        path = url(
            "member_remove", self.circle, circle_member_id=self.alice_membership.pk
        )
        self.assertContains(self.client.get(path), "Yes, remove them")
        self.assertTrue(self.circle.is_member(self.alice))
        self.assertRedirects(self.client.post(path), url("members", self.circle))
        self.assertFalse(self.circle.is_member(self.alice))

    def test_promoting_and_inviting(self) -> None:
        self.client.force_login(self.fiona)
        self.client.post(
            url("member_role", self.circle, circle_member_id=self.alice_membership.pk),
            {"role": "facilitator"},
        )
        self.assertTrue(self.circle.is_facilitator(self.alice))
        r = self.client.post(url("invite", self.circle), {"invitee": self.bob.pk})
        self.assertRedirects(r, url("members", self.circle))
        self.assertTrue(self.circle.invitations.pending().filter(invitee=self.bob))
        # An outsider's id is refused with a message, nothing is created.
        r = self.client.post(url("invite", self.circle), {"invitee": self.oscar.pk})
        self.assertContains(r, "can&#x27;t be invited")
        self.assertFalse(self.circle.invitations.filter(invitee=self.oscar))

    def test_the_invitee_sees_and_accepts_the_invitation(self) -> None:
        self.client.force_login(self.fiona)
        self.client.post(url("invite", self.circle), {"invitee": self.bob.pk})
        self.client.force_login(self.bob)
        r = self.client.get(url("invitations"))
        self.assertContains(r, self.circle.name)
        invitation = self.circle.invitations.get()
        r = self.client.post(
            url("invitation_answer", circle_invitation_id=invitation.pk),
            {"answer": "accept"},
        )
        self.assertRedirects(r, self.circle.get_absolute_url())
        self.assertTrue(self.circle.is_member(self.bob))
        self.assertContains(
            self.client.get(url("invitations")), "No invitation is waiting"
        )

    def test_someone_elses_invitation_is_404(self) -> None:
        self.client.force_login(self.fiona)
        self.client.post(url("invite", self.circle), {"invitee": self.bob.pk})
        invitation = self.circle.invitations.get()
        self.client.force_login(self.paula)
        r = self.client.post(
            url("invitation_answer", circle_invitation_id=invitation.pk),
            {"answer": "accept"},
        )
        self.assertEqual(r.status_code, 404)
        self.assertFalse(self.circle.is_member(self.paula))

    def test_archive_needs_confirmation_then_locks_the_circle(self) -> None:
        self.client.force_login(self.fiona)
        self.assertContains(
            self.client.get(url("archive", self.circle)), "Yes, archive it"
        )
        self.client.post(url("archive", self.circle))
        self.circle.refresh_from_db()
        self.assertTrue(self.circle.is_archived)
        self.client.force_login(self.alice)
        r = self.client.post(url("updates", self.circle), {"body": "late"})
        self.assertEqual(r.status_code, 404)
        self.assertFalse(self.circle.updates.exists())


class ProjectPagesTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.circle = make_circle(
            self.org,
            self.fiona,
            name="Rota tool",
            kind="project",
            members=(self.alice,),
        )

    def test_a_member_adds_a_goal_posts_an_update_and_sees_progress(self) -> None:
        self.client.force_login(self.alice)
        r = self.client.get(self.circle.get_absolute_url())
        self.assertContains(r, "No goals yet.")
        self.assertContains(r, "No progress updates yet.")
        r = self.client.post(
            url("goal_create", self.circle),
            {"title": "Survey the wards", "target_date": ""},
        )
        self.assertRedirects(r, self.circle.get_absolute_url())
        goal = Goal.objects.get()
        self.client.post(
            url("goal_status", self.circle, goal_id=goal.pk), {"done": "1"}
        )
        self.client.post(
            url("updates", self.circle), {"body": "Survey *sent* to 4 wards"}
        )
        r = self.client.get(self.circle.get_absolute_url())
        self.assertContains(r, "1 of 1 goals done")
        self.assertContains(r, "<em>sent</em>", html=True)

    def test_bad_goal_input_says_why(self) -> None:
        self.client.force_login(self.alice)
        r = self.client.post(
            url("goal_create", self.circle), {"title": "", "target_date": "31/02/2027"}
        )
        self.assertContains(r, "Give the goal a title.")
        self.assertContains(r, "Enter the target date as YYYY-MM-DD.")
        r = self.client.post(url("updates", self.circle), {"body": "  "})
        self.assertContains(r, "Write what moved forward before posting.")
        self.assertFalse(self.circle.goals.exists() or self.circle.updates.exists())

    def test_non_members_read_but_cannot_post(self) -> None:
        self.client.force_login(self.bob)
        r = self.client.get(url("updates", self.circle))
        self.assertEqual(r.status_code, 200)
        self.assertNotContains(r, "Post the update")
        self.assertEqual(
            self.client.post(url("updates", self.circle), {"body": "x"}).status_code,
            404,
        )
        self.assertEqual(
            self.client.get(url("goal_create", self.circle)).status_code, 404
        )

    def test_user_markdown_is_inert(self) -> None:
        self.client.force_login(self.alice)
        self.client.post(
            url("updates", self.circle),
            {"body": "<script>alert(1)</script> [x](javascript:alert(1))"},
        )
        r = self.client.get(url("updates", self.circle))
        self.assertNotContains(r, "<script>alert(1)")
        self.assertNotContains(r, 'href="javascript:')


class QueryCountTestCase(BaseTestCase):
    def _count(self, path: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            self.assertEqual(self.client.get(path).status_code, 200)
        return len(queries)

    def test_pages_do_not_query_per_circle_or_member(self) -> None:
        self.client.force_login(self.alice)
        circle = make_circle(
            self.org, self.fiona, kind="project", members=(self.alice,)
        )
        Goal.objects.create(circle=circle, title="One")
        make_circle(self.org, self.fiona, name="Second")
        directory_before = self._count(url("directory"))
        detail_before = self._count(url("detail", circle))
        for n in range(5):
            make_circle(self.org, self.fiona, name=f"More {n}")
            Goal.objects.create(circle=circle, title=f"Goal {n}")
        CircleMembership.objects.create(circle=circle, user=self.bob)
        CircleMembership.objects.create(circle=circle, user=self.paula)
        self.assertEqual(self._count(url("directory")), directory_before)
        self.assertEqual(self._count(url("detail", circle)), detail_before)


class HomeSectionTestCase(BaseTestCase):
    def test_it_lists_the_viewers_circles_and_invitations(self) -> None:
        circle = make_circle(self.org, self.fiona, name="Rotas", members=(self.alice,))
        make_circle(self.org, self.fiona, name="Not mine")
        invited = make_circle(
            self.org, self.fiona, name="Dads", join_policy="invitation"
        )
        invited.invitations.create(invitee=self.alice, invited_by=self.fiona)
        make_circle(self.other_org, self.olga, name="Elsewhere", members=(self.alice,))
        html = render_to_string(
            "circles/_org_home_section.html",
            {"organization": self.org, "user": self.alice},
        )
        self.assertIn(circle.get_absolute_url(), html)
        self.assertNotIn("Not mine", html)
        self.assertNotIn("Elsewhere", html)
        self.assertIn("1 invitation to a circle is waiting for you", html)
        html = render_to_string(
            "circles/_org_home_section.html",
            {"organization": self.org, "user": self.bob},
        )
        self.assertIn("You are not in a circle yet", html)
