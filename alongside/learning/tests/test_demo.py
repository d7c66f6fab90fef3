from __future__ import annotations

from alongside.learning import demo
from alongside.learning.models import Certificate, Course, Enrollment
from alongside.test import BaseTestCase, make_member


class DemoTestCase(BaseTestCase):
    def test_it_enrolls_completes_and_is_idempotent(self) -> None:
        keys = demo.COMPLETES + demo.IN_PROGRESS + demo.JUST_ENROLLED
        users = {key: make_member(self.org, display_name=key.title()) for key in keys}
        demo.load(self.org, users)
        self.assertTrue(Course.objects.library().exists())
        enrollments = Enrollment.objects.for_organization(self.org)
        self.assertEqual(enrollments.count(), len(keys))
        self.assertEqual(enrollments.completed().count(), len(demo.COMPLETES))
        self.assertEqual(Certificate.objects.count(), len(demo.COMPLETES))
        tom = enrollments.get(member=users["tom"])
        self.assertFalse(tom.is_completed)
        self.assertEqual(tom.lesson_progress.count(), 1)
        counts = (
            Course.objects.count(),
            Enrollment.objects.count(),
            Certificate.objects.count(),
        )
        demo.load(self.org, users)
        self.assertEqual(
            counts,
            (
                Course.objects.count(),
                Enrollment.objects.count(),
                Certificate.objects.count(),
            ),
        )
