"""Simultaneous identical requests leave one row (PostgreSQL only: SQLite serializes
writers, so it can't show the race)."""

from __future__ import annotations

import unittest
import uuid
from collections import Counter

from django.db import connection
from django.test import Client, TransactionTestCase

from alongside.learning import services
from alongside.learning.models import Certificate, Enrollment, Quiz, QuizAttempt
from alongside.learning.tests.helpers import correct_answers, make_course
from alongside.pledges.tests.test_concurrency import run_together
from alongside.test import make_member, make_organization

THREADS = 20


@unittest.skipUnless(connection.vendor == "postgresql", "PostgreSQL only")
class ConcurrentLearningTestCase(TransactionTestCase):
    def setUp(self) -> None:
        self.org = make_organization(slug="race")
        self.member = make_member(self.org, email="learner@example.org")
        self.course = make_course(self.org, lessons=1)
        self.quiz = Quiz.objects.get()
        self.lesson = self.quiz.lesson

    def client_for_member(self) -> Client:
        client = Client()
        client.force_login(self.member)
        return client

    def test_simultaneous_enrollments_leave_one(self) -> None:
        path = f"/o/race/courses/{self.course.pk}/enroll/"

        def enroll(i: int) -> int:
            return self.client_for_member().post(path).status_code

        statuses, errors = run_together(THREADS, enroll)
        self.assertEqual(errors, [])
        self.assertEqual(Counter(statuses), Counter({302: THREADS}))
        self.assertEqual(Enrollment.objects.count(), 1)

    def test_a_quiz_form_submitted_many_times_at_once_makes_one_attempt(self) -> None:
        services.enrollment_create(
            organization=self.org, member=self.member, course=self.course
        )
        path = f"/o/race/lessons/{self.lesson.pk}/quiz/"
        data = {**correct_answers(self.quiz), "submission_key": str(uuid.uuid4())}

        def submit(i: int) -> int:
            return self.client_for_member().post(path, data).status_code

        statuses, errors = run_together(THREADS, submit)
        self.assertEqual(errors, [])
        self.assertEqual(Counter(statuses), Counter({302: THREADS}))
        self.assertEqual(QuizAttempt.objects.count(), 1)
        self.assertEqual(Certificate.objects.count(), 1)

    def test_many_passing_attempts_at_once_issue_one_certificate(self) -> None:
        services.enrollment_create(
            organization=self.org, member=self.member, course=self.course
        )
        path = f"/o/race/lessons/{self.lesson.pk}/quiz/"

        def submit(i: int) -> int:
            data = {**correct_answers(self.quiz), "submission_key": str(uuid.uuid4())}
            return self.client_for_member().post(path, data).status_code

        statuses, errors = run_together(THREADS, submit)
        self.assertEqual(errors, [])
        self.assertEqual(Counter(statuses), Counter({302: THREADS}))
        self.assertEqual(QuizAttempt.objects.count(), THREADS)
        self.assertEqual(Certificate.objects.count(), 1)
        self.assertTrue(Enrollment.objects.get().is_completed)
