"""Forget a sent email as soon as the worker has sent it.

A queued email carries its rendered text, confirmation and invitation links included,
sealed (`tasks.seal_message`). Even sealed, the task row need not outlive the send: a
successful send deletes its row. Failed sends stay for diagnosis (their arguments
sealed, their error reduced to its kind) until `prune_db_task_results` removes them.
"""

from __future__ import annotations

import logging
from typing import Any

from django.dispatch import receiver
from django.tasks import TaskResult, TaskResultStatus
from django.tasks.signals import task_finished

from alongside.notifications.tasks import send_email

logger = logging.getLogger(__name__)


@receiver(task_finished)
def forget_sent_email(
    sender: type, task_result: TaskResult[Any, Any], **kwargs: Any
) -> None:
    if (
        task_result.status != TaskResultStatus.SUCCESSFUL
        or task_result.task.module_path != send_email.module_path
    ):
        return
    if not sender.__module__.startswith("django_tasks_db"):
        return
    from django_tasks_db.models import DBTaskResult

    try:
        DBTaskResult.objects.filter(id=task_result.id).delete()
    except Exception:  # the email is sent; failing to forget it must not mark it failed
        logger.exception("could not delete the sent email's task row")
