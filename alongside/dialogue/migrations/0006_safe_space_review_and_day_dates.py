"""Safe spaces: a pseudonym's own review standing, one hold reason for every cause,
and pseudonymous rows dated to the day.

`Pseudonym.reviewed`: a moderator approved one of its posts (pseudonyms that already
have a published post start reviewed, so nothing changes for them). Held posts in
safe spaces take the one reason "Held for review" (`review`), whatever held them.
Guidelines acceptances of safe spaces, pseudonyms' follows and reactions, and the
edit, deletion and moderation times of pseudonymous posts keep the start of their day
instead of an exact time (see `safespace.day_start`). Going back keeps the new
values: the exact times are gone.
"""

from datetime import datetime

from django.apps.registry import Apps
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.utils import timezone


def _day(moment: datetime) -> datetime:
    return timezone.localtime(moment).replace(hour=0, minute=0, second=0, microsecond=0)


def forwards(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    Post = apps.get_model("dialogue", "Post")
    GuidelinesAcceptance = apps.get_model("dialogue", "GuidelinesAcceptance")
    Subscription = apps.get_model("dialogue", "Subscription")
    Reaction = apps.get_model("dialogue", "Reaction")
    Pseudonym = apps.get_model("dialogue", "Pseudonym")
    Pseudonym.objects.filter(posts__state="published").update(reviewed=True)
    Post.objects.filter(state="held", thread__space__is_safe=True).update(
        held_because="review"
    )
    for model, rows, field in (
        (
            GuidelinesAcceptance,
            GuidelinesAcceptance.objects.filter(space__is_safe=True),
            "accepted_at",
        ),
        (
            Subscription,
            Subscription.objects.filter(pseudonym__isnull=False),
            "created_at",
        ),
        (Reaction, Reaction.objects.filter(pseudonym__isnull=False), "created_at"),
        *(
            (
                Post,
                Post.objects.filter(
                    pseudonym__isnull=False, **{f"{field}__isnull": False}
                ),
                field,
            )
            for field in ("edited_at", "deleted_at", "moderated_at")
        ),
    ):
        for pk, moment in rows.values_list("pk", field).iterator():
            model.objects.filter(pk=pk).update(**{field: _day(moment)})


class Migration(migrations.Migration):
    dependencies = [
        ("dialogue", "0005_post_body_rendered"),
    ]

    operations = [
        migrations.AddField(
            model_name="pseudonym",
            name="reviewed",
            field=models.BooleanField(default=False),
        ),
        migrations.AlterField(
            model_name="post",
            name="held_because",
            field=models.CharField(
                blank=True,
                choices=[
                    ("new_member", "A new member's first posts are reviewed"),
                    ("screen", "It may contain abusive language"),
                    ("review", "Held for review"),
                ],
                default="",
                max_length=12,
            ),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
