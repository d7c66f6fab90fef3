"""A GIN index for full-text search of posts, on PostgreSQL only (see search.py)."""

from __future__ import annotations

from typing import Any

from django.db import migrations


def create_index(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        # Must match search.BodyVector exactly, or the planner won't use it.
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS dialogue_post_body_fts ON dialogue_post "
            "USING GIN (to_tsvector('english'::regconfig, body))"
        )


def drop_index(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS dialogue_post_body_fts")


class Migration(migrations.Migration):
    dependencies = [("dialogue", "0001_initial")]

    operations = [migrations.RunPython(create_index, drop_index)]
