from __future__ import annotations

import uuid
from dataclasses import replace

from django.core.exceptions import ValidationError

from alongside.learning import services
from alongside.learning.curriculum.parser import (
    ChoiceSpec,
    CourseSpec,
    LessonSpec,
    ModuleSpec,
    QuestionSpec,
    QuizSpec,
    ScenarioChoiceSpec,
    ScenarioSpec,
    ScenarioStepSpec,
)
from alongside.learning.models import (
    Certificate,
    Choice,
    Course,
    Enrollment,
    Lesson,
    LessonProgress,
    Quiz,
    QuizAttempt,
    ScenarioProgress,
)
from alongside.learning.privacy import erase_user_data, export_user_data
from alongside.learning.records import learning_record_load
from alongside.learning.tests.helpers import (
    correct_answers,
    make_course,
    make_quiz,
    make_scenario,
    wrong_answers,
)
from alongside.recognition.badges import BADGES_BY_SLUG, MemberRecord
from alongside.test import BaseTestCase


class EnrollmentTestCase(BaseTestCase):
    def test_it_enrolls_once(self) -> None:
        course = make_course(self.org)
        first = services.enrollment_create(
            organization=self.org, member=self.alice, course=course
        )
        again = services.enrollment_create(
            organization=self.org, member=self.alice, course=course
        )
        self.assertEqual(first, again)
        self.assertEqual(Enrollment.objects.count(), 1)

    def test_it_refuses_a_draft_and_another_organizations_course(self) -> None:
        for course in (
            make_course(self.org, status=Course.Status.DRAFT),
            make_course(self.other_org),
        ):
            with self.assertRaises(ValidationError):
                services.enrollment_create(
                    organization=self.org, member=self.alice, course=course
                )
        self.assertFalse(Enrollment.objects.exists())

    def test_library_courses_are_open_to_every_organization(self) -> None:
        course = make_course(None, slug="library-one")
        for org, member in ((self.org, self.alice), (self.other_org, self.oscar)):
            enrollment = services.enrollment_create(
                organization=org, member=member, course=course
            )
            self.assertEqual(enrollment.organization, org)

    def test_prerequisites_block_enrollment_until_complete(self) -> None:
        basics = make_course(self.org, title="Basics", quiz=False, lessons=1)
        advanced = make_course(self.org, title="Advanced")
        advanced.prerequisites.add(basics)
        with self.assertRaisesMessage(ValidationError, "“Basics”"):
            services.enrollment_create(
                organization=self.org, member=self.alice, course=advanced
            )
        enrollment = services.enrollment_create(
            organization=self.org, member=self.alice, course=basics
        )
        services.lesson_complete(enrollment=enrollment, lesson=basics.lessons().get())
        services.enrollment_create(
            organization=self.org, member=self.alice, course=advanced
        )


class QuizTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.course = make_course(self.org, lessons=1)
        self.quiz = Quiz.objects.get(lesson__module__course=self.course)
        self.enrollment = services.enrollment_create(
            organization=self.org, member=self.alice, course=self.course
        )

    def submit(self, data: dict[str, list[str]], key: uuid.UUID | None = None):
        return services.quiz_submit(
            enrollment=self.enrollment,
            quiz=self.quiz,
            data=data,
            submission_key=key or uuid.uuid4(),
        )

    def test_a_failed_attempt_then_a_pass_completes_the_course(self) -> None:
        failed = self.submit(wrong_answers(self.quiz)).attempt
        self.assertFalse(failed.passed)
        self.assertEqual(failed.score_pct, 0)
        self.assertFalse(LessonProgress.objects.exists())
        passed = self.submit(correct_answers(self.quiz)).attempt
        self.assertTrue(passed.passed)
        self.assertEqual(passed.score_pct, 100)
        self.enrollment.refresh_from_db()
        self.assertTrue(self.enrollment.is_completed)
        certificate = Certificate.objects.get()
        self.assertEqual(certificate.member_name, "Alice Ally")
        self.assertEqual(certificate.course_title, self.course.title)
        self.assertGreaterEqual(len(certificate.code), 43)  # 32 random bytes

    def test_a_partly_right_multiple_answer_counts_as_wrong(self) -> None:
        data = correct_answers(self.quiz)
        multiple = self.quiz.questions.get(kind="multiple")
        data[f"q{multiple.pk}"] = data[f"q{multiple.pk}"][:1]
        attempt = self.submit(data).attempt
        self.assertEqual(attempt.score_pct, 50)
        self.assertFalse(attempt.passed)

    def test_answers_for_another_question_are_ignored(self) -> None:
        other_quiz = make_quiz(make_course(self.org, quiz=False).lessons()[0])
        data = correct_answers(self.quiz) | correct_answers(other_quiz)
        attempt = self.submit(data).attempt
        self.assertEqual(
            set(attempt.answers), {str(q.pk) for q in self.quiz.questions.all()}
        )

    def test_choice_ids_from_another_quiz_are_refused(self) -> None:
        other_quiz = make_quiz(make_course(self.org, quiz=False).lessons()[0])
        data = correct_answers(self.quiz)
        single = self.quiz.questions.get(kind="single")
        foreign = Choice.objects.filter(question__quiz=other_quiz, correct=True).first()
        assert foreign is not None
        data[f"q{single.pk}"] = [str(foreign.pk)]
        with self.assertRaisesMessage(ValidationError, "Question 1"):
            self.submit(data)
        self.assertFalse(QuizAttempt.objects.exists())

    def test_two_answers_to_a_single_answer_question_are_refused(self) -> None:
        data = correct_answers(self.quiz)
        single = self.quiz.questions.get(kind="single")
        data[f"q{single.pk}"] = [str(c.pk) for c in single.choices.all()]
        with self.assertRaises(ValidationError):
            self.submit(data)

    def test_garbage_and_missing_answers_are_refused(self) -> None:
        for data in ({}, {f"q{self.quiz.questions.all()[0].pk}": ["abc"]}):
            with self.assertRaises(ValidationError):
                self.submit(data)
        self.assertFalse(QuizAttempt.objects.exists())

    def test_a_replayed_submission_changes_nothing(self) -> None:
        key = uuid.uuid4()
        first = self.submit(wrong_answers(self.quiz), key)
        # The replay carries different answers: the stored attempt stands.
        replay = self.submit(correct_answers(self.quiz), key)
        self.assertTrue(replay.replayed)
        self.assertEqual(replay.attempt, first.attempt)
        self.assertEqual(QuizAttempt.objects.count(), 1)
        self.assertFalse(replay.attempt.passed)

    def test_someone_elses_submission_key_is_refused(self) -> None:
        key = uuid.uuid4()
        self.submit(wrong_answers(self.quiz), key)
        bobs = services.enrollment_create(
            organization=self.org, member=self.bob, course=self.course
        )
        with self.assertRaises(ValidationError):
            services.quiz_submit(
                enrollment=bobs,
                quiz=self.quiz,
                data=correct_answers(self.quiz),
                submission_key=key,
            )

    def test_a_quiz_lesson_cannot_be_marked_done_without_passing(self) -> None:
        lesson = self.quiz.lesson
        self.assertFalse(
            services.lesson_complete(enrollment=self.enrollment, lesson=lesson)
        )
        self.assertFalse(LessonProgress.objects.exists())


class ScenarioTestCase(BaseTestCase):
    def test_it_walks_the_branches_and_refuses_stale_steps(self) -> None:
        course = make_course(self.org, lessons=1, quiz=False)
        scenario = make_scenario(course.lessons().get())
        enrollment = services.enrollment_create(
            organization=self.org, member=self.alice, course=course
        )
        progress = services.scenario_progress_get(
            enrollment=enrollment, scenario=scenario
        )
        start = scenario.start
        assert start is not None
        speak_up = start.choices.get(text__startswith="That was")
        services.scenario_choose(
            progress=progress, step_id=start.pk, choice_id=speak_up.pk
        )
        progress.refresh_from_db()
        self.assertEqual(progress.current_step, speak_up.next_step)
        # Replaying the first step's choice is refused: that step is behind us.
        with self.assertRaises(ValidationError):
            services.scenario_choose(
                progress=progress, step_id=start.pk, choice_id=speak_up.pk
            )
        # A choice of another step is refused at the current step.
        assert speak_up.next_step is not None
        with self.assertRaises(ValidationError):
            services.scenario_choose(
                progress=progress, step_id=speak_up.next_step.pk, choice_id=speak_up.pk
            )
        last = speak_up.next_step.choices.get()
        services.scenario_choose(
            progress=progress, step_id=speak_up.next_step.pk, choice_id=last.pk
        )
        progress.refresh_from_db()
        self.assertIsNone(progress.current_step)
        self.assertIsNotNone(progress.finished_at)
        self.assertEqual(progress.path, [speak_up.pk, last.pk])
        services.scenario_restart(progress)
        progress.refresh_from_db()
        self.assertEqual(progress.current_step, start)
        self.assertEqual(ScenarioProgress.objects.count(), 1)


def _spec(
    version: int = 1, *, lessons: int = 2, title: str = "Allyship basics"
) -> CourseSpec:
    quiz = QuizSpec(
        pass_mark_pct=50,
        questions=(
            QuestionSpec(
                prompt="Is allyship a label?",
                kind="single",
                choices=(
                    ChoiceSpec("Yes", False, "It is practice."),
                    ChoiceSpec("No, it is practice", True, "Right."),
                ),
            ),
        ),
    )
    scenario = ScenarioSpec(
        title="Talked over",
        situation="In a meeting...",
        start="one",
        steps=(
            ScenarioStepSpec(
                key="one",
                prompt="What do you say?",
                choices=(
                    ScenarioChoiceSpec("Let her finish", "She does", "Good", "two"),
                    ScenarioChoiceSpec("Nothing", "Silence", "Try again", None),
                ),
            ),
            ScenarioStepSpec(
                key="two",
                prompt="And then?",
                choices=(ScenarioChoiceSpec("Thank her", "She smiles", "Nice", None),),
            ),
        ),
    )
    return CourseSpec(
        slug="allyship-basics",
        title=title,
        summary="Start here.",
        description="An introduction.",
        prerequisites=(),
        version=version,
        modules=(
            ModuleSpec(
                slug="m1",
                title="Module one",
                lessons=tuple(
                    LessonSpec(
                        slug=f"l{n}",
                        title=f"Lesson {n}",
                        body="Text",
                        quiz=quiz if n == 1 else None,
                        scenario=scenario if n == 1 else None,
                        video_url=None,
                        sources=("A source",),
                    )
                    for n in range(1, lessons + 1)
                ),
            ),
        ),
    )


class CurriculumLoadTestCase(BaseTestCase):
    def test_it_is_idempotent_and_updates_on_a_higher_version(self) -> None:
        follow_up = replace(
            _spec(), slug="next-steps", prerequisites=("allyship-basics",)
        )
        report = services.curriculum_load([_spec(), follow_up])
        self.assertEqual(report.created, ["allyship-basics", "next-steps"])
        counts = (
            Course.objects.count(),
            Lesson.objects.count(),
            Choice.objects.count(),
        )
        report = services.curriculum_load([_spec(), follow_up])
        self.assertEqual(report.unchanged, ["allyship-basics", "next-steps"])
        self.assertEqual(
            (Course.objects.count(), Lesson.objects.count(), Choice.objects.count()),
            counts,
        )
        course = Course.objects.library().get(slug="allyship-basics")
        self.assertEqual(
            list(Course.objects.get(slug="next-steps").prerequisites.all()), [course]
        )
        # A learner's progress survives an update that keeps the lesson.
        enrollment = services.enrollment_create(
            organization=self.org, member=self.alice, course=course
        )
        kept = course.lessons().get(slug="l2")
        services.lesson_complete(enrollment=enrollment, lesson=kept)
        # Same version, new text: nothing changes.
        services.curriculum_load([_spec(title="Renamed")])
        course.refresh_from_db()
        self.assertEqual(course.title, "Allyship basics")
        # Higher version: updated in place, one more lesson, no duplicate course.
        report = services.curriculum_load([_spec(2, lessons=3, title="Renamed")])
        self.assertEqual(report.updated, ["allyship-basics"])
        course.refresh_from_db()
        self.assertEqual((course.title, course.library_version), ("Renamed", 2))
        self.assertEqual(
            Course.objects.library().filter(slug="allyship-basics").count(), 1
        )
        self.assertEqual(course.lessons().count(), 3)
        self.assertTrue(LessonProgress.objects.filter(lesson=kept).exists())
        scenario = course.lessons().get(slug="l1").scenario
        self.assertEqual(scenario.steps.count(), 2)
        assert scenario.start is not None
        self.assertEqual(scenario.start.key, "one")

    def test_the_shipped_curriculum_loads(self) -> None:
        from alongside.learning.curriculum.parser import load_curriculum

        specs = load_curriculum()
        services.curriculum_load(specs)
        self.assertEqual(Course.objects.library().count(), len(specs))


class CopyTestCase(BaseTestCase):
    def test_it_deep_copies_a_library_course_as_a_draft(self) -> None:
        services.curriculum_load([_spec()])
        library = Course.objects.library().get()
        copy = services.course_copy(course=library, organization=self.org)
        self.assertEqual(copy.organization, self.org)
        self.assertEqual(copy.status, Course.Status.DRAFT)
        self.assertEqual(copy.copied_from, library)
        self.assertEqual(copy.lessons().count(), library.lessons().count())
        lesson = copy.lessons().get(slug="l1")
        self.assertEqual(lesson.quiz.questions.get().choices.count(), 2)
        self.assertEqual(lesson.scenario.steps.count(), 2)
        # Editing the copy leaves the library alone.
        Choice.objects.filter(question__quiz__lesson=lesson).update(text="changed")
        self.assertFalse(
            Choice.objects.filter(
                question__quiz__lesson__module__course=library, text="changed"
            ).exists()
        )
        start = lesson.scenario.start
        assert start is not None
        self.assertEqual(start.scenario, lesson.scenario)


class RecordAndBadgeTestCase(BaseTestCase):
    def _complete(self, title: str) -> None:
        course = make_course(self.org, title=title, lessons=1, quiz=False)
        enrollment = services.enrollment_create(
            organization=self.org, member=self.alice, course=course
        )
        services.lesson_complete(enrollment=enrollment, lesson=course.lessons().get())

    def test_two_courses_earn_continuous_self_education(self) -> None:
        rule = BADGES_BY_SLUG["continuous-self-education"]
        self._complete("One")
        record = MemberRecord.load(organization=self.org, member=self.alice)
        self.assertEqual(record.courses_completed, 1)
        self.assertFalse(rule.earned(record))
        self._complete("Two")
        record = MemberRecord.load(organization=self.org, member=self.alice)
        self.assertTrue(rule.earned(record))
        self.assertEqual(
            learning_record_load(
                organization=self.other_org, member=self.alice
            ).courses_completed,
            0,
        )

    def test_a_course_and_an_attended_event_earn_it_through_the_events_app(
        self,
    ) -> None:
        from alongside.events.models import Attendance
        from alongside.events.tests.helpers import make_event

        rule = BADGES_BY_SLUG["continuous-self-education"]
        self._complete("One")
        event = make_event(self.org, created_by=self.fiona)
        Attendance.objects.create(
            event=event, user=self.alice, method=Attendance.Method.LIST
        )
        record = MemberRecord.load(organization=self.org, member=self.alice)
        self.assertEqual((record.courses_completed, record.events_attended), (1, 1))
        self.assertTrue(rule.earned(record))
        # Attendance in another organization does not count here.
        other = MemberRecord.load(organization=self.other_org, member=self.alice)
        self.assertEqual(other.events_attended, 0)

    def test_one_course_and_one_event_earn_it(self) -> None:
        rule = BADGES_BY_SLUG["continuous-self-education"]
        record = MemberRecord(
            confirmed_actions=0,
            longest_streak=0,
            kept_commitments=0,
            kudos_given=0,
            courses_completed=1,
            events_attended=1,
        )
        self.assertTrue(rule.earned(record))
        self.assertFalse(rule.earned(replace(record, events_attended=0)))


class PrivacyTestCase(BaseTestCase):
    def test_export_and_erasure(self) -> None:
        course = make_course(self.org, lessons=1)
        quiz = Quiz.objects.get()
        enrollment = services.enrollment_create(
            organization=self.org, member=self.alice, course=course
        )
        services.quiz_submit(
            enrollment=enrollment,
            quiz=quiz,
            data=correct_answers(quiz),
            submission_key=uuid.uuid4(),
        )
        data = export_user_data(self.alice)
        self.assertEqual(len(data["enrollments"]), 1)
        self.assertEqual(len(data["enrollments"][0]["quiz_attempts"]), 1)
        self.assertEqual(data["certificates"][0]["name"], "Alice Ally")
        self.assertEqual(
            export_user_data(self.bob), {"enrollments": [], "certificates": []}
        )

        erase_user_data(self.alice)
        self.assertFalse(Enrollment.objects.exists())
        self.assertFalse(QuizAttempt.objects.exists())
        certificate = Certificate.objects.get()
        self.assertFalse(certificate.is_valid)
        self.assertEqual((certificate.member, certificate.member_name), (None, ""))
        self.assertEqual(
            self.client.get(certificate.verification_path()).status_code, 404
        )
