from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LearningConfig(AppConfig):
    name = "alongside.learning"
    verbose_name = "Learning"

    def ready(self) -> None:
        from alongside.audit.models import register_action_labels

        register_action_labels(
            {
                "learning.course_created": _("Created a course"),
                "learning.course_edited": _("Edited a course"),
                "learning.course_published": _("Published a course"),
                "learning.course_unpublished": _("Took a course back to draft"),
                "learning.course_copied": _("Copied a library course"),
            }
        )
