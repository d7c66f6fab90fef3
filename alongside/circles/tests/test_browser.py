"""A project circle in a real browser: create, request, approve, goal and update."""

from __future__ import annotations

from alongside.circles.models import Circle, Goal, JoinRequest, ProgressUpdate
from alongside.organizations.models import Role
from alongside.test import BrowserTestCase, make_member, make_organization


class ProjectCircleBrowserTestCase(BrowserTestCase):
    def test_a_facilitator_runs_a_project_circle_with_a_member(self) -> None:
        org = make_organization("Northwind Collective", slug="northwind")
        make_member(
            org, Role.FACILITATOR, email="fiona@example.org", display_name="Fiona F"
        )
        make_member(org, email="alex@example.org", display_name="Alex Ally")
        page = self.page

        # Fiona starts a project circle open by request.
        self.log_in("fiona@example.org")
        page.goto(self.url("/o/northwind/circles/"))
        page.get_by_text("No circles yet.").wait_for()
        self.assert_accessible()
        page.get_by_role("button", name="Start a circle").click()
        page.get_by_role("heading", name="Start a circle").wait_for()
        self.assert_accessible()
        page.get_by_label("Name").fill("Fair rota tool")
        page.get_by_label("Project").check()
        page.get_by_label("Description").fill("Build a **fair** rota planner.")
        page.get_by_label("By request: a facilitator approves each request").check()
        page.get_by_role("button", name="Start the circle").click()
        page.get_by_role("heading", name="Fair rota tool").wait_for()
        self.assert_accessible()
        circle = Circle.objects.get()
        self.assertEqual(circle.kind, Circle.Kind.PROJECT)

        # Alex asks to join.
        self.context.clear_cookies()
        self.log_in("alex@example.org")
        page.goto(self.url(circle.get_absolute_url()))
        self.assert_accessible()
        page.get_by_role("button", name="Ask to join").click()
        page.get_by_role("heading", name="Ask to join Fair rota tool").wait_for()
        self.assert_accessible()
        page.get_by_label("A word to the facilitators").fill("I keep our ward's rota.")
        page.get_by_role("button", name="Send my request").click()
        page.get_by_text("Your request was sent.").wait_for()
        self.assert_accessible()
        self.assertTrue(JoinRequest.objects.pending().exists())

        # Fiona approves it from the requests queue.
        self.context.clear_cookies()
        self.log_in("fiona@example.org")
        page.goto(self.url(circle.get_absolute_url()))
        page.get_by_role("link", name="Requests to join").click()
        page.get_by_text("I keep our ward's rota.").wait_for()
        self.assert_accessible()
        page.get_by_role("button", name="Approve Alex Ally").click()
        page.get_by_text("Alex Ally joined the circle.").wait_for()
        self.assert_accessible()
        page.goto(self.url(circle.get_absolute_url()))
        page.get_by_role("link", name="Manage members").click()
        page.get_by_role("heading", name="Members of Fair rota tool").wait_for()
        self.assert_accessible()

        # Alex adds a goal, marks it done and posts a progress update.
        self.context.clear_cookies()
        self.log_in("alex@example.org")
        page.goto(self.url(circle.get_absolute_url()))
        page.get_by_role("link", name="Add a goal").click()
        page.get_by_role("heading", name="Add a goal").wait_for()
        self.assert_accessible()
        page.get_by_label("Title").fill("Survey the wards")
        page.get_by_label("Target date").fill("2027-01-31")
        page.get_by_role("button", name="Save the goal").click()
        page.get_by_text("Goal added.").wait_for()
        self.assert_accessible()
        page.get_by_role("button", name="Mark done “Survey the wards”").click()
        page.get_by_text("1 of 1 goals done").wait_for()
        page.locator("#id_body").fill("Survey *sent* to four wards.")
        page.get_by_role("button", name="Post the update").click()
        page.get_by_role("heading", name="Timeline of Fair rota tool").wait_for()
        page.locator("em", has_text="sent").wait_for()
        self.assert_accessible()
        self.assertTrue(Goal.objects.get().is_done)
        update = ProgressUpdate.objects.select_related("author").get()
        assert update.author is not None
        self.assertEqual(update.author.email, "alex@example.org")
        page.goto(self.url("/o/northwind/circles/?mine=1"))
        page.get_by_role("link", name="Fair rota tool").wait_for()
        self.assert_accessible()
        page.goto(self.url("/o/northwind/circles/invitations/"))
        page.get_by_text("No invitation is waiting for you.").wait_for()
        self.assert_accessible()
        page.goto(self.url(circle.get_absolute_url()))
        page.get_by_role("link", name="Leave this circle").click()
        page.get_by_role("heading", name="Leave Fair rota tool?").wait_for()
        self.assert_accessible()
