from __future__ import annotations

import re
import secrets
import shutil
import tempfile
import uuid

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from alongside.audit.models import AuditEvent
from alongside.learning import services
from alongside.learning.models import (
    Certificate,
    Course,
    Enrollment,
    Lesson,
    LessonImage,
    Question,
    Quiz,
    QuizAttempt,
)
from alongside.learning.tests.helpers import (
    correct_answers,
    make_course,
    make_scenario,
    tiny_png,
    wrong_answers,
)
from alongside.test import BaseTestCase


def url(name: str, **kwargs: object) -> str:
    return reverse(f"learning:{name}", kwargs={"org": "northwind", **kwargs})


class LearnerViewsTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.course = make_course(self.org, lessons=2)
        self.library = make_course(None, title="Library course", slug="lib")
        self.first, self.second = list(self.course.lessons())
        self.quiz = Quiz.objects.get(lesson=self.first)
        self.client.force_login(self.alice)

    def test_the_list_shows_own_and_library_courses_not_drafts_or_others(self) -> None:
        make_course(self.org, title="Secret draft", status=Course.Status.DRAFT)
        make_course(self.other_org, title="Other org course")
        r = self.client.get(url("course_list"))
        self.assertContains(r, "Listening well")
        self.assertContains(r, "Library course")
        self.assertNotContains(r, "Secret draft")
        self.assertNotContains(r, "Other org course")

    def test_enroll_then_lessons_open_and_resume(self) -> None:
        r = self.client.get(url("lesson_detail", pk=self.first.pk))
        self.assertRedirects(r, url("course_detail", pk=self.course.pk))
        r = self.client.post(url("course_enroll", pk=self.course.pk))
        self.assertRedirects(r, url("lesson_detail", pk=self.first.pk))
        r = self.client.get(url("lesson_detail", pk=self.first.pk))
        self.assertContains(r, "<strong>this</strong>", html=False)
        self.assertContains(r, 'name="submission_key"')
        r = self.client.get(url("course_detail", pk=self.course.pk))
        self.assertContains(r, "Start the first lesson")

    def test_the_quiz_form_never_reveals_the_correct_answers(self) -> None:
        services.enrollment_create(
            organization=self.org, member=self.alice, course=self.course
        )
        r = self.client.get(url("lesson_detail", pk=self.first.pk))
        body = r.content.decode()
        self.assertNotIn("correct", body.lower().replace("check my answers", ""))
        for question in self.quiz.questions.all():
            for choice in question.choices.all():
                self.assertNotIn(choice.explanation or "NO-EXPLANATION", body)

    def test_fail_then_pass_the_quiz_and_get_the_certificate(self) -> None:
        services.enrollment_create(
            organization=self.org, member=self.alice, course=self.course
        )
        post = {**wrong_answers(self.quiz), "submission_key": str(uuid.uuid4())}
        r = self.client.post(url("quiz_submit", pk=self.first.pk), post)
        attempt = QuizAttempt.objects.get()
        self.assertRedirects(r, url("attempt_detail", pk=attempt.pk))
        r = self.client.get(url("attempt_detail", pk=attempt.pk))
        self.assertContains(r, "Not passed yet")
        self.assertContains(r, "No: credit drifts.")  # the explanation of her answer
        self.assertContains(r, "Try again")
        # Replaying the same form does not add an attempt.
        self.client.post(url("quiz_submit", pk=self.first.pk), post)
        self.assertEqual(QuizAttempt.objects.count(), 1)
        r = self.client.post(
            url("quiz_submit", pk=self.first.pk),
            {**correct_answers(self.quiz), "submission_key": str(uuid.uuid4())},
        )
        passed = QuizAttempt.objects.get(passed=True)
        r = self.client.get(url("attempt_detail", pk=passed.pk))
        self.assertContains(r, "You passed the quiz")
        self.assertContains(r, "Next lesson")
        r = self.client.post(url("lesson_done", pk=self.second.pk))
        self.assertRedirects(r, url("course_detail", pk=self.course.pk))
        certificate = Certificate.objects.get()
        r = self.client.get(url("course_detail", pk=self.course.pk))
        self.assertContains(r, certificate.verification_path())
        r = self.client.get(url("certificate_pdf", pk=certificate.pk))
        self.assertEqual(r["Content-Type"], "application/pdf")
        self.assertTrue(r.content.startswith(b"%PDF"))
        import io

        from pypdf import PdfReader

        text = PdfReader(io.BytesIO(r.content)).pages[0].extract_text()
        self.assertIn("Alice Ally", text)
        self.assertIn(certificate.code, text.replace("\n", ""))

    def test_a_tampered_quiz_is_refused_with_a_message(self) -> None:
        services.enrollment_create(
            organization=self.org, member=self.alice, course=self.course
        )
        data = correct_answers(self.quiz)
        single = self.quiz.questions.get(kind="single")
        data[f"q{single.pk}"] = ["999999"]
        r = self.client.post(
            url("quiz_submit", pk=self.first.pk),
            {**data, "submission_key": str(uuid.uuid4())},
        )
        self.assertContains(
            r, "Question 1: that answer is not one of its choices.", status_code=400
        )
        self.assertFalse(QuizAttempt.objects.exists())
        r = self.client.post(
            url("quiz_submit", pk=self.first.pk), {**data, "submission_key": "x"}
        )
        self.assertEqual(r.status_code, 302)
        self.assertFalse(QuizAttempt.objects.exists())

    def test_not_enrolled_members_cannot_submit_or_mark_done(self) -> None:
        r = self.client.post(
            url("quiz_submit", pk=self.first.pk),
            {**correct_answers(self.quiz), "submission_key": str(uuid.uuid4())},
        )
        self.assertEqual(r.status_code, 404)
        self.assertEqual(
            self.client.post(url("lesson_done", pk=self.second.pk)).status_code, 404
        )

    def test_someone_elses_attempt_is_404(self) -> None:
        enrollment = services.enrollment_create(
            organization=self.org, member=self.bob, course=self.course
        )
        result = services.quiz_submit(
            enrollment=enrollment,
            quiz=self.quiz,
            data=wrong_answers(self.quiz),
            submission_key=uuid.uuid4(),
        )
        r = self.client.get(url("attempt_detail", pk=result.attempt.pk))
        self.assertEqual(r.status_code, 404)

    def test_prerequisites_are_shown_and_block_enrolling(self) -> None:
        advanced = make_course(self.org, title="Advanced")
        advanced.prerequisites.add(self.course)
        r = self.client.get(url("course_detail", pk=advanced.pk))
        self.assertContains(r, "Complete these courses before you enroll")
        r = self.client.post(url("course_enroll", pk=advanced.pk), follow=True)
        self.assertContains(r, "Complete these courses first: “Listening well”.")
        self.assertFalse(Enrollment.objects.filter(course=advanced).exists())

    def test_a_video_lesson_allows_its_host_in_frame_src_for_that_page_only(
        self,
    ) -> None:
        self.second.video_url = "https://www.youtube-nocookie.com/embed/abc123"
        self.second.save()
        services.enrollment_create(
            organization=self.org, member=self.alice, course=self.course
        )
        r = self.client.get(url("lesson_detail", pk=self.second.pk))
        self.assertIn(
            "frame-src https://www.youtube-nocookie.com", r["Content-Security-Policy"]
        )
        self.assertIn("script-src 'self'", r["Content-Security-Policy"])
        self.assertContains(
            r, '<iframe src="https://www.youtube-nocookie.com/embed/abc123"'
        )
        r = self.client.get(url("lesson_detail", pk=self.first.pk))
        self.assertNotIn("frame-src", r["Content-Security-Policy"])

    def test_a_video_from_another_host_is_never_embedded(self) -> None:
        Lesson.objects.filter(pk=self.second.pk).update(
            video_url="https://evil.example/x"
        )
        services.enrollment_create(
            organization=self.org, member=self.alice, course=self.course
        )
        r = self.client.get(url("lesson_detail", pk=self.second.pk))
        self.assertNotContains(r, "<iframe")
        self.assertNotIn("evil.example", r["Content-Security-Policy"])

    def test_the_scenario_plays_step_by_step_with_and_without_htmx(self) -> None:
        scenario = make_scenario(self.second)
        services.enrollment_create(
            organization=self.org, member=self.alice, course=self.course
        )
        r = self.client.get(url("lesson_detail", pk=self.second.pk))
        self.assertContains(r, "Marc takes the credit.")
        start = scenario.start
        assert start is not None
        choice = start.choices.get(text__startswith="That was")
        r = self.client.post(
            url("scenario_choose", pk=self.second.pk),
            {"step": start.pk, "choice": choice.pk},
            headers={"HX-Request": "true"},
        )
        self.assertContains(r, "The room turns to Dana.")
        self.assertContains(r, "Marc says he meant well.")
        self.assertNotContains(r, "<html")
        # Without JavaScript: a redirect back to the lesson, which shows the same state.
        assert choice.next_step is not None
        last = choice.next_step.choices.get()
        r = self.client.post(
            url("scenario_choose", pk=self.second.pk),
            {"step": choice.next_step.pk, "choice": last.pk},
        )
        self.assertRedirects(r, url("lesson_detail", pk=self.second.pk) + "#scenario")
        r = self.client.get(url("lesson_detail", pk=self.second.pk))
        self.assertContains(r, "End of the scenario.")
        # A stale replay is refused without an error page.
        r = self.client.post(
            url("scenario_choose", pk=self.second.pk),
            {"step": start.pk, "choice": choice.pk},
            headers={"HX-Request": "true"},
        )
        self.assertContains(r, "That step is already behind you.")


class CertificateVerificationTestCase(BaseTestCase):
    def setUp(self) -> None:
        course = make_course(self.org, lessons=1, quiz=False)
        enrollment = services.enrollment_create(
            organization=self.org, member=self.alice, course=course
        )
        services.lesson_complete(enrollment=enrollment, lesson=course.lessons().get())
        self.certificate = Certificate.objects.get()

    def test_the_public_link_shows_the_certificate_to_anyone(self) -> None:
        r = self.client.get(self.certificate.verification_path())
        self.assertContains(r, "This certificate is valid")
        self.assertContains(r, "Alice Ally")
        self.assertContains(r, "Northwind Collective")
        self.assertNotContains(r, "alice@example.org")
        self.assertEqual(r["X-Robots-Tag"], "noindex")

    def test_guessed_codes_are_invalid_and_indistinguishable(self) -> None:
        code = self.certificate.code
        guesses = [
            secrets.token_urlsafe(32),
            code[:-1] + ("A" if code[-1] != "A" else "B"),
            code[:20],
            str(self.certificate.pk),
            "12345",
            "x" * 500,
        ]
        bodies = set()
        for guess in guesses:
            r = self.client.get(
                reverse("learning:certificate_verify", kwargs={"code": guess})
            )
            self.assertEqual(r.status_code, 404, guess)
            self.assertContains(r, "This certificate is not valid", status_code=404)
            # Only the per-request CSRF token may differ; the code is never echoed.
            if len(guess) > 8:
                self.assertNotContains(r, guess, status_code=404)
            body = r.content.decode()
            bodies.add(re.sub(r'"X-CSRFToken": "[^"]+"', "", body))
        self.assertEqual(len(bodies), 1)

    def test_a_revoked_certificate_looks_like_a_wrong_code(self) -> None:
        self.certificate.revoke()
        r = self.client.get(self.certificate.verification_path())
        self.assertContains(r, "This certificate is not valid", status_code=404)
        self.assertNotContains(r, "Alice", status_code=404)

    def test_only_the_holder_downloads_the_pdf(self) -> None:
        self.client.force_login(self.bob)
        r = self.client.get(url("certificate_pdf", pk=self.certificate.pk))
        self.assertEqual(r.status_code, 404)

    def test_codes_are_unique_and_long(self) -> None:
        from alongside.learning.models import new_certificate_code

        codes = {new_certificate_code() for _ in range(1000)}
        self.assertEqual(len(codes), 1000)
        self.assertTrue(all(len(c) >= 43 for c in codes))  # 256 bits in base64url


MEDIA = tempfile.mkdtemp(prefix="learning-media-")


@override_settings(MEDIA_ROOT=MEDIA)
class AuthoringTestCase(BaseTestCase):
    @classmethod
    def tearDownClass(cls) -> None:
        shutil.rmtree(MEDIA, ignore_errors=True)
        super().tearDownClass()

    def setUp(self) -> None:
        self.course = make_course(self.org, lessons=1, status=Course.Status.DRAFT)
        self.lesson = self.course.lessons().get()
        self.question = Question.objects.filter(quiz__lesson=self.lesson)[0]

    def authoring_urls(self) -> list[str]:
        return [
            url("manage"),
            url("course_create"),
            url("course_edit", pk=self.course.pk),
            url("course_copy", pk=self.course.pk),
            url("module_edit", pk=self.course.modules.get().pk),
            url("module_delete", pk=self.course.modules.get().pk),
            url("lesson_create", pk=self.course.modules.get().pk),
            url("lesson_edit", pk=self.lesson.pk),
            url("lesson_delete", pk=self.lesson.pk),
            url("question_create", pk=self.lesson.pk),
            url("question_edit", pk=self.question.pk),
            url("question_delete", pk=self.question.pk),
        ]

    def test_members_get_404_on_every_authoring_page(self) -> None:
        self.client.force_login(self.alice)
        for page in self.authoring_urls():
            self.assertEqual(self.client.get(page).status_code, 404, page)
            self.assertEqual(self.client.post(page, {}).status_code, 404, page)
        r = self.client.post(
            url("course_status", pk=self.course.pk), {"status": "published"}
        )
        self.assertEqual(r.status_code, 404)
        self.course.refresh_from_db()
        self.assertEqual(self.course.status, Course.Status.DRAFT)

    def test_deleting_a_part_asks_first_then_deletes_and_counts_as_an_edit(
        self,
    ) -> None:
        self.client.force_login(self.fiona)
        module = self.course.modules.get()
        cases = [
            ("question_delete", self.question, url("lesson_edit", pk=self.lesson.pk)),
            ("lesson_delete", self.lesson, url("course_edit", pk=self.course.pk)),
            ("module_delete", module, url("course_edit", pk=self.course.pk)),
        ]
        for name, part, then in cases:
            with self.subTest(name):
                page = url(name, pk=part.pk)
                self.assertContains(self.client.get(page), "Delete")
                self.assertTrue(type(part)._default_manager.filter(pk=part.pk).exists())
                before = self.course.updated_at
                edits = AuditEvent.objects.filter(
                    action="learning.course_edited", target_id=str(self.course.pk)
                ).count()
                self.assertRedirects(
                    self.client.post(page), then, fetch_redirect_response=False
                )
                self.assertFalse(
                    type(part)._default_manager.filter(pk=part.pk).exists()
                )
                self.course.refresh_from_db()
                self.assertGreater(self.course.updated_at, before)
                self.assertEqual(
                    AuditEvent.objects.filter(
                        action="learning.course_edited",
                        target_id=str(self.course.pk),
                    ).count(),
                    edits + 1,
                )

    def test_members_do_not_see_drafts(self) -> None:
        self.client.force_login(self.alice)
        self.assertEqual(
            self.client.get(url("course_detail", pk=self.course.pk)).status_code, 404
        )
        self.assertEqual(
            self.client.get(url("lesson_detail", pk=self.lesson.pk)).status_code, 404
        )

    def test_facilitators_and_admins_open_every_authoring_page(self) -> None:
        for user in (self.fiona, self.paula):
            self.client.force_login(user)
            for page in self.authoring_urls():
                r = self.client.get(page)
                self.assertEqual(r.status_code, 200, page)
                self.assertIn("no-store", r["Cache-Control"])

    def test_a_facilitator_builds_and_publishes_a_course(self) -> None:
        self.client.force_login(self.fiona)
        r = self.client.post(
            url("course_create"), {"title": "Speaking up", "summary": "How"}
        )
        course = Course.objects.get(title="Speaking up")
        self.assertRedirects(r, url("course_edit", pk=course.pk))
        self.assertEqual((course.organization, course.status), (self.org, "draft"))
        r = self.client.post(
            url("course_status", pk=course.pk), {"status": "published"}, follow=True
        )
        self.assertContains(r, "Add at least one lesson before publishing.")
        self.client.post(url("module_create", pk=course.pk), {"title": "Module A"})
        module = course.modules.get()
        r = self.client.post(
            url("lesson_create", pk=module.pk),
            {"title": "First", "body": "**Hi**", "preview": "1"},
        )
        self.assertContains(r, "<strong>Hi</strong>", html=False)
        self.assertFalse(Lesson.objects.filter(module=module).exists())
        r = self.client.post(
            url("lesson_create", pk=module.pk),
            {
                "title": "First",
                "body": "<script>alert(1)</script>**Hi**",
                "video_url": "https://evil.example/v",
            },
        )
        self.assertContains(r, "Use an https embed link")
        self.client.post(
            url("lesson_create", pk=module.pk), {"title": "First", "body": "**Hi**"}
        )
        self.client.post(
            url("lesson_create", pk=module.pk), {"title": "Second", "body": "Two"}
        )
        first, second = list(course.lessons())
        self.assertEqual((first.title, second.title), ("First", "Second"))
        self.client.post(url("lesson_move", pk=second.pk), {"direction": "up"})
        self.assertEqual(
            [lesson.title for lesson in course.lessons()], ["Second", "First"]
        )
        r = self.client.post(
            url("question_create", pk=first.pk),
            {
                "prompt": "Which?",
                "kind": "single",
                "choice_1_text": "A",
                "choice_1_correct": "on",
                "choice_2_text": "B",
                "choice_2_correct": "on",
            },
        )
        self.assertContains(r, "exactly one correct answer")
        r = self.client.post(
            url("question_create", pk=first.pk),
            {
                "prompt": "Which?",
                "kind": "single",
                "choice_1_text": "A",
                "choice_1_correct": "on",
                "choice_2_text": "B",
                "choice_2_explanation": "Not B",
            },
        )
        self.assertRedirects(r, url("lesson_edit", pk=first.pk))
        self.assertEqual(first.quiz.questions.get().choices.count(), 2)
        r = self.client.post(
            url("course_status", pk=course.pk), {"status": "published"}
        )
        course.refresh_from_db()
        self.assertEqual(course.status, "published")
        self.assertTrue(
            AuditEvent.objects.filter(
                action="learning.course_published", actor=self.fiona
            ).exists()
        )
        # Members now see it.
        self.client.force_login(self.alice)
        self.assertContains(self.client.get(url("course_list")), "Speaking up")

    def test_a_library_course_is_read_only_and_can_be_copied(self) -> None:
        library = make_course(None, title="Shipped", slug="shipped")
        self.client.force_login(self.paula)
        self.assertEqual(
            self.client.get(url("course_edit", pk=library.pk)).status_code, 404
        )
        lesson = library.lessons()[0]
        self.assertEqual(
            self.client.get(url("lesson_edit", pk=lesson.pk)).status_code, 404
        )
        r = self.client.post(url("course_copy", pk=library.pk))
        copy = Course.objects.get(organization=self.org, title="Shipped")
        self.assertRedirects(r, url("course_edit", pk=copy.pk))
        self.assertEqual(copy.lessons().count(), library.lessons().count())
        self.assertEqual(copy.status, Course.Status.DRAFT)

    def test_image_uploads_are_validated_and_reencoded(self) -> None:
        self.client.force_login(self.fiona)
        page = url("image_add", pk=self.lesson.pk)
        r = self.client.post(
            page,
            {
                "image": SimpleUploadedFile("x.png", b"not an image"),
                "alt_text": "A chart",
            },
            follow=True,
        )
        self.assertFalse(LessonImage.objects.exists())
        self.assertContains(r, "image")
        png = tiny_png() + b"<script>trailing</script>"
        r = self.client.post(
            page, {"image": SimpleUploadedFile("x.png", png), "alt_text": "A chart"}
        )
        image = LessonImage.objects.get()
        with image.image.open("rb") as f:
            stored = f.read()
        self.assertNotIn(b"<script>", stored)
        self.assertTrue(str(image.image.name).endswith(".png"))
        r = self.client.post(page, {"image": SimpleUploadedFile("y.png", tiny_png())})
        self.assertEqual(LessonImage.objects.count(), 1)  # alt text is required


class ProfileLearningRecordTestCase(BaseTestCase):
    def test_members_see_completed_courses_on_the_profile_anonymous_visitors_do_not(
        self,
    ) -> None:
        from alongside.lib.visibility import Visibility
        from alongside.pledges.models import Pledge

        course = make_course(self.org, title="Interrupting bias", lessons=1, quiz=False)
        enrollment = services.enrollment_create(
            organization=self.org, member=self.alice, course=course
        )
        services.lesson_complete(enrollment=enrollment, lesson=course.lessons().get())
        Pledge.objects.create(
            organization=self.org,
            member=self.alice,
            statement="Public pledge",
            visibility=Visibility.PUBLIC,
        )
        profile = reverse(
            "recognition:profile", kwargs={"org": "northwind", "user_id": self.alice.pk}
        )
        self.client.force_login(self.bob)
        r = self.client.get(profile)
        self.assertContains(r, "Interrupting bias")
        self.assertContains(r, "course completed")
        self.client.logout()
        r = self.client.get(profile)
        self.assertEqual(r.status_code, 200)
        self.assertNotContains(r, "Interrupting bias")


class PrerequisiteCycleTestCase(BaseTestCase):
    def test_a_cycle_of_prerequisites_is_refused(self) -> None:
        first = make_course(self.org, title="First")
        second = make_course(self.org, title="Second")
        second.prerequisites.add(first)
        self.client.force_login(self.paula)
        r = self.client.post(
            url("course_edit", pk=first.pk),
            {"title": "First", "prerequisites": [second.pk]},
        )
        self.assertContains(r, "would require this course itself")
        self.assertFalse(first.prerequisites.exists())


class VerificationRateLimitTestCase(BaseTestCase):
    def setUp(self) -> None:
        from django.core.cache import cache

        cache.clear()

    def tearDown(self) -> None:
        from django.core.cache import cache

        cache.clear()

    def test_many_checks_from_one_address_are_slowed_down(self) -> None:
        from alongside.learning.views.public import VERIFY_LIMIT

        page = reverse("learning:certificate_verify", kwargs={"code": "guess"})
        for _ in range(VERIFY_LIMIT):
            self.assertEqual(self.client.get(page).status_code, 404)
        r = self.client.get(page)
        self.assertContains(r, "Too many checks", status_code=429)
