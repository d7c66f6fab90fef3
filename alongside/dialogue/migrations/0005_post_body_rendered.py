from django.db import migrations, models

from alongside.lib.markdown import render_markdown

BATCH = 500


def render_bodies(apps, schema_editor):
    """Fill the new column for the posts already written (in batches: a large forum's
    posts are not all loaded at once)."""
    Post = apps.get_model("dialogue", "Post")
    last = 0
    while True:
        batch = list(
            Post.objects.filter(pk__gt=last).exclude(body="").order_by("pk")[:BATCH]
        )
        if not batch:
            return
        for post in batch:
            post.body_rendered = render_markdown(post.body)
        Post.objects.bulk_update(batch, ["body_rendered"])
        last = batch[-1].pk


class Migration(migrations.Migration):
    dependencies = [
        ("dialogue", "0004_listening_rounds"),
    ]

    operations = [
        migrations.AddField(
            model_name="post",
            name="body_rendered",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        # Backwards, the column goes with its content: nothing to undo here.
        migrations.RunPython(render_bodies, migrations.RunPython.noop),
    ]
