"""Safe-space posts and conversations dated to the day.

A pseudonym's post kept its exact creation time, and its conversation the exact times
it was started and last posted in: matched against a sign-in (audited, and
`User.last_login`), that tied a pseudonym to its author without any key. They keep
the start of their day now (see `safespace.day_start`), as do the remaining times
about safe-space content: when a moderator locked a safe-space conversation, when a
flag on a safe-space post was raised and resolved, and a pseudonym's sanctions and
appeals (a suspension's end rounded up to the start of a day, so it lasts at least as
long). Going back keeps the new values: the exact times are gone.
"""

from datetime import datetime, timedelta

from django.apps.registry import Apps
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.models import Q
from django.utils import timezone


def _day(moment: datetime) -> datetime:
    return timezone.localtime(moment).replace(hour=0, minute=0, second=0, microsecond=0)


def _day_up(moment: datetime) -> datetime:
    day = _day(moment)
    return day if day == moment else _day(day + timedelta(hours=36))


def forwards(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    Post = apps.get_model("dialogue", "Post")
    Thread = apps.get_model("dialogue", "Thread")
    Flag = apps.get_model("dialogue", "Flag")
    Sanction = apps.get_model("dialogue", "Sanction")
    Appeal = apps.get_model("dialogue", "Appeal")
    pseudonymous_appeal = Q(post__pseudonym__isnull=False) | Q(
        sanction__pseudonym__isnull=False
    )
    for model, rows, field, to_day in (
        (Post, Post.objects.filter(pseudonym__isnull=False), "created_at", _day),
        *(
            (Thread, Thread.objects.filter(space__is_safe=True), field, _day)
            for field in ("created_at", "last_posted_at", "locked_at")
        ),
        *(
            (Flag, Flag.objects.filter(post__thread__space__is_safe=True), field, _day)
            for field in ("created_at", "resolved_at")
        ),
        *(
            (Sanction, Sanction.objects.filter(pseudonym__isnull=False), field, _day)
            for field in ("created_at", "lifted_at")
        ),
        (
            Sanction,
            Sanction.objects.filter(pseudonym__isnull=False),
            "ends_at",
            _day_up,
        ),
        *(
            (Appeal, Appeal.objects.filter(pseudonymous_appeal), field, _day)
            for field in ("created_at", "decided_at")
        ),
    ):
        found = rows.filter(**{f"{field}__isnull": False}).values_list("pk", field)
        for pk, moment in found.iterator():
            model.objects.filter(pk=pk).update(**{field: to_day(moment)})


class Migration(migrations.Migration):
    dependencies = [
        ("dialogue", "0006_safe_space_review_and_day_dates"),
    ]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
