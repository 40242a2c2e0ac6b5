"""A full-text index for the public search on PostgreSQL (nothing on other databases).

The expression is the one timeline.search builds with
SearchVector("title", "summary", config="english"); PostgreSQL uses the index only when the
two are identical, which tests/timeline/test_pages_search.py checks with EXPLAIN.
"""
from django.db import migrations

INDEX = "timeline_event_fulltext_idx"
EXPRESSION = "to_tsvector('english'::regconfig, COALESCE(title, '') || ' ' || COALESCE(summary, ''))"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {INDEX} ON timeline_event USING gin ({EXPRESSION})")


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("timeline", "0002_curation_groups")]

    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]
