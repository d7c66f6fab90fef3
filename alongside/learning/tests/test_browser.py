"""A member takes a course in a real browser: enrolls, reads, fails then passes the
quiz, plays the scenario (htmx), completes the course and checks the certificate by its
public link. Every page passes axe-core with the CSP enforced."""

from __future__ import annotations

from alongside.learning.models import Certificate, QuizAttempt, ScenarioProgress
from alongside.learning.tests.helpers import make_course, make_scenario
from alongside.test import BrowserTestCase, make_member, make_organization


class TakeACourseBrowserTestCase(BrowserTestCase):
    def test_it_takes_a_course_to_a_verified_certificate(self) -> None:
        org = make_organization("Northwind Collective", slug="northwind")
        make_member(org, email="alex@example.org", display_name="Alex Ally")
        course = make_course(None, title="Listening well", slug="listening-well")
        first, second = list(course.lessons())
        make_scenario(second)
        page = self.page

        self.log_in("alex@example.org")
        page.goto(self.url("/o/northwind/courses/"))
        self.assert_accessible()
        page.get_by_role("link", name="Listening well").click()
        page.get_by_role("heading", name="Listening well", level=1).wait_for()
        self.assert_accessible()
        page.get_by_role("button", name="Enroll in this course").click()
        page.get_by_role("heading", name=first.title).wait_for()
        self.assert_accessible()

        # Fail the quiz first.
        page.get_by_label("Whoever said it last").check()
        page.get_by_label("Say nothing").check()
        page.get_by_role("button", name="Check my answers").click()
        page.get_by_role("heading", name="Not passed yet").wait_for()
        self.assert_accessible()
        page.get_by_role("button", name="Try again").click()
        page.get_by_label("The person who had it").check()
        page.get_by_label("Bring the point back").check()
        page.get_by_label("Ask her to finish").check()
        page.get_by_role("button", name="Check my answers").click()
        page.get_by_role("heading", name="You passed the quiz").wait_for()
        self.assert_accessible()
        self.assertEqual(
            list(QuizAttempt.objects.order_by("id").values_list("passed", flat=True)),
            [False, True],
        )

        # The second lesson: a scenario played step by step over htmx.
        page.get_by_role("button", name="Next lesson").click()
        page.get_by_role("heading", name=second.title).wait_for()
        self.assert_accessible()
        page.get_by_label("That was Dana's idea.").check()
        page.get_by_role("button", name="Say this").click()
        page.get_by_text("The room turns to Dana.").wait_for()
        page.get_by_label("Sure. Dana, go on.").check()
        page.get_by_role("button", name="Say this").click()
        page.get_by_text("End of the scenario.").wait_for()
        self.assert_accessible()
        self.assertIsNotNone(ScenarioProgress.objects.get().finished_at)
        page.get_by_role("button", name="Mark this lesson as done").click()
        page.get_by_text("You completed the course").wait_for()
        self.assert_accessible()

        # Anyone holding the link can check the certificate.
        certificate = Certificate.objects.get()
        stranger = self.browser.new_context()
        self.page = stranger.new_page()
        try:
            self.page.goto(self.url(certificate.verification_path()))
            self.page.get_by_role(
                "heading", name="This certificate is valid"
            ).wait_for()
            self.assertIn("Alex Ally", self.page.content())
            self.assert_accessible()
            self.page.goto(self.url("/certificates/not-a-real-code-at-all/"))
            self.page.get_by_role(
                "heading", name="This certificate is not valid"
            ).wait_for()
            self.assert_accessible()
        finally:
            self.page = page
            stranger.close()

    def test_authoring_pages_pass_axe(self) -> None:
        org = make_organization("Northwind Collective", slug="northwind")
        make_member(org, "facilitator", email="fiona@example.org")
        course = make_course(org, title="Our own course", status="draft")
        lesson = course.lessons().first()
        assert lesson is not None
        self.log_in("fiona@example.org")
        for path in (
            "/o/northwind/learning/manage/",
            f"/o/northwind/learning/manage/courses/{course.pk}/",
            f"/o/northwind/learning/manage/lessons/{lesson.pk}/",
            f"/o/northwind/learning/manage/lessons/{lesson.pk}/questions/new/",
            f"/o/northwind/lessons/{lesson.pk}/",
        ):
            self.page.goto(self.url(path))
            self.page.wait_for_load_state()
            self.assert_accessible()
        # Preview over htmx.
        self.page.goto(self.url(f"/o/northwind/learning/manage/lessons/{lesson.pk}/"))
        self.page.get_by_label("Lesson text (Markdown)").fill("**Bold words**")
        self.page.get_by_role("button", name="Preview the text").click()
        self.page.locator("#preview strong", has_text="Bold words").wait_for()
        self.assert_accessible()
