from __future__ import annotations

from django.tasks import task

from alongside.events.services import send_due_reminders


@task()
def send_event_reminders() -> int:
    """The reminder run as a task, for deployments that schedule tasks rather than
    commands; the same claims make it safe to run alongside the command."""
    return send_due_reminders()
