"""No admin screen for the task table.

django_tasks_db registers one: it would show every queued and failed task's arguments
to the superuser. The emails there are sealed (tasks.seal_message), but a screen of
them is no use to anyone and shows when each was queued, so it goes."""

from __future__ import annotations

import django_tasks_db.admin  # noqa: F401  (registers first, whatever the app order)
from django.contrib import admin
from django_tasks_db.models import DBTaskResult

if admin.site.is_registered(DBTaskResult):
    admin.site.unregister(DBTaskResult)
