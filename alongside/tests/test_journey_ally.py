"""The ally's journey, end to end in Chromium.

A newcomer signs up, verifies his email, joins his organization, takes a pledge with
three commitments, logs an action and asks a colleague to confirm it; she confirms
through the emailed link without an account; his profile shows one confirmed action;
a kudos and a badge follow. Between the pledge and the action he completes the first
lesson of a shipped library course (enrolls, reads it, passes its quiz). Every page
visited passes axe-core with the CSP enforced.
"""

from __future__ import annotations

import io
import re
from urllib.parse import urlsplit

from django.core import mail
from django.core.management import call_command

from alongside.accounts.models import User
from alongside.learning.models import Course, LessonProgress, Quiz
from alongside.pledges.models import Action, ConfirmationRequest
from alongside.recognition.models import BadgeAward, Kudos
from alongside.test import BrowserTestCase, make_member, make_organization

PASSWORD = "a long and unusual passphrase 42"


def link_in(body: object, prefix: str) -> str:
    """The path of the first link in an email whose path starts with `prefix`."""
    for url in re.findall(r"https?://\S+", str(body)):
        path: str = urlsplit(url).path
        if path.startswith(prefix):
            return path
    raise AssertionError(f"no {prefix} link in:\n{body}")


class AllyJourneyBrowserTestCase(BrowserTestCase):
    def test_a_newcomer_walks_the_whole_loop(self) -> None:
        org = make_organization(
            "Northwind Collective", slug="northwind", join_domains="northwind.example"
        )
        make_member(org, email="bob@northwind.example", display_name="Bob Colleague")
        page = self.page

        # Sign up and verify the email address.
        page.goto(self.url("/accounts/signup/"))
        self.assert_accessible()
        page.locator("#id_display_name").fill("Sam Newcomer")
        page.locator("#id_email").fill("sam@northwind.example")
        page.locator("#id_password1").fill(PASSWORD)
        page.locator("#id_password2").fill(PASSWORD)
        page.locator("main").get_by_role("button", name="Sign Up").click()
        page.wait_for_url("**/accounts/confirm-email/")
        self.assert_accessible()
        page.goto(self.url(link_in(mail.outbox[-1].body, "/accounts/confirm-email/")))
        page.get_by_role("button", name="Confirm").click()
        page.wait_for_url(self.url("/"))
        self.assert_accessible()

        # Join the organization open to his verified email domain.
        page.goto(self.url("/join/"))
        self.assert_accessible()
        page.get_by_role("button", name="Join Northwind Collective").click()
        page.wait_for_url(self.url("/o/northwind/"))
        self.assert_accessible()

        # Take a pledge with three commitments.
        page.goto(self.url("/o/northwind/pledges/mine/"))
        page.get_by_role("button", name="Make a pledge").click()
        page.get_by_role("heading", name="Make a pledge").wait_for()
        self.assert_accessible()
        page.get_by_label("Your pledge, in your own words").fill(
            "I will make sure my colleagues are heard and credited."
        )
        page.locator("#id_commitments-0-template").select_option(
            label="Credit ideas to the person who had them"
        )
        page.locator("#id_commitments-0-specifics").fill("In every Monday meeting.")
        page.locator("#id_commitments-1-template").select_option(
            label="Take my turn at office housework"
        )
        page.locator("#id_commitments-2-title").fill(
            "Ask Dana what gets in her way, and listen"
        )
        page.get_by_label("Weekly").check()
        page.get_by_role("button", name="Make my pledge").click()
        page.get_by_role("heading", name="Your pledge").wait_for()
        self.assert_accessible()
        sam = User.objects.get(email="sam@northwind.example")
        self.assertEqual(sam.pledges.get().commitments.count(), 3)
        pledge_url = page.url

        # Complete a lesson: open a shipped course, enroll, read the first lesson and
        # pass its quiz.
        call_command("load_curriculum", stdout=io.StringIO())
        course = Course.objects.library().filter(prerequisites__isnull=True).first()
        assert course is not None
        lesson = course.lessons().first()
        assert lesson is not None
        page.goto(self.url("/o/northwind/courses/"))
        self.assert_accessible()
        page.get_by_role("link", name=course.title).click()
        page.get_by_role("button", name="Enroll in this course").click()
        page.get_by_role("heading", name=lesson.title, level=1).wait_for()
        self.assert_accessible()
        quiz = Quiz.objects.filter(lesson=lesson).first()
        if quiz is not None:
            for question in quiz.questions.all():
                for choice in question.choices.filter(correct=True):
                    page.locator(f'input[value="{choice.pk}"]').check()
            page.get_by_role("button", name="Check my answers").click()
            page.get_by_role("heading", name="You passed the quiz").wait_for()
        else:
            page.get_by_role("button", name="Mark this lesson as done").click()
            page.get_by_text("Lesson done").wait_for()
        self.assert_accessible()
        self.assertTrue(
            LessonProgress.objects.filter(
                enrollment__member=sam, lesson=lesson
            ).exists()
        )
        page.goto(pledge_url)
        page.get_by_role("heading", name="Your pledge").wait_for()

        # Log an action and ask Dana to confirm it.
        page.get_by_role("button", name="Log an action").click()
        page.get_by_role("heading", name="Log an action").wait_for()
        self.assert_accessible()
        page.get_by_label("Commitment").select_option(
            label="Credit ideas to the person who had them"
        )
        page.get_by_label("What happened").fill(
            "When Marc repeated Dana's proposal, I said it was hers."
        )
        page.get_by_role("button", name="Log this action").click()
        page.get_by_role("heading", name="Your action").wait_for()
        self.assert_accessible()
        page.get_by_role("button", name="Ask for confirmation").click()
        page.get_by_label("Their name (optional)").fill("Dana")
        page.get_by_label("Their email address").fill("dana@elsewhere.example")
        page.get_by_role("button", name="Send the request").click()
        page.get_by_text("Confirmation requested").wait_for()
        self.assert_accessible()

        # Dana, who has no account, confirms through the emailed link.
        request_email = next(
            m for m in mail.outbox if m.to == ["dana@elsewhere.example"]
        )
        dana_context = self.browser.new_context()
        dana = dana_context.new_page()
        dana.set_default_timeout(15_000)
        self.page = dana
        try:
            dana.goto(self.url(link_in(request_email.body, "/confirm/")))
            dana.get_by_role("heading", name="Did Sam Newcomer do this?").wait_for()
            self.assert_accessible()
            dana.get_by_label("A note for them (optional)").fill(
                "Yes. Thank you for saying it."
            )
            dana.get_by_role("button", name="Yes, I confirm it").click()
            dana.get_by_role("heading", name="Thank you").wait_for()
            self.assert_accessible()
        finally:
            self.page = page
            dana_context.close()
        self.assertEqual(
            ConfirmationRequest.objects.get().status,
            ConfirmationRequest.Status.CONFIRMED,
        )

        # His profile now shows one confirmed action, and the badge that followed it.
        page.goto(self.url(f"/o/northwind/allies/{sam.pk}/"))
        page.get_by_role("heading", name="Sam Newcomer", level=1).wait_for()
        self.assertIn("1</strong> confirmed action", page.content())
        page.locator("#badges").get_by_text("First confirmed action").wait_for()
        self.assert_accessible()
        self.assertTrue(
            BadgeAward.objects.filter(
                member=sam, badge="first-confirmed-action"
            ).exists()
        )

        # A colleague gives kudos for the action from the recognition wall.
        bob_context = self.browser.new_context()
        self.page = bob_context.new_page()
        self.page.set_default_timeout(15_000)
        try:
            self.log_in("bob@northwind.example")
            self.page.goto(self.url("/o/northwind/wall/"))
            action = Action.objects.get()
            entry = self.page.locator(f"#action-{action.pk}")
            entry.get_by_role("button", name="Give kudos").click()
            entry.get_by_text("You gave kudos").wait_for()
            self.assert_accessible()
        finally:
            self.page = page
            bob_context.close()
        self.assertEqual(Kudos.objects.get().action, action)

        # Sam is told about both.
        page.goto(self.url("/notifications/"))
        page.get_by_text("confirmed").first.wait_for()
        self.assertIn("kudos", page.content().lower())
        self.assertIn("badge", page.content().lower())
        self.assert_accessible()
        page.goto(self.url(f"/o/northwind/allies/{sam.pk}/"))
        page.locator("#kudos").get_by_text("Bob Colleague").wait_for()
        self.assert_accessible()
