"""GIN indexes for the API's full-text search (`?q=`), on PostgreSQL only.

Each index is on the exact expression timeline.api.filters.search_document_sql builds, so the
planner can use it for `to_tsvector(...) @@ websearch_to_tsquery(...)`. SQLite has no GIN and
the API falls back to word matching there, so this migration does nothing on SQLite.
"""
from django.db import migrations

# Frozen copy of timeline.api.filters.SEARCH_COLUMNS at the time of this migration.
SEARCH_COLUMNS = {
    "timeline_event": ("title", "summary"),
    "timeline_program": ("name", "aliases", "summary"),
    "timeline_statement": ("quote", "context"),
    "timeline_source": ("headline", "outlet", "author", "notes"),
    "timeline_agency": ("name", "abbreviation", "aliases"),
    "timeline_organization": ("name", "aliases"),
    "timeline_person": ("name", "role", "aliases"),
    "timeline_contract": ("title", "piid", "notes"),
    "timeline_claim": ("fact_label", "value", "quote"),
}


def document(columns):
    joined = " || ' ' || ".join(f"coalesce(\"{col}\", '')" for col in columns)
    return f"to_tsvector('english'::regconfig, {joined})"


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, columns in SEARCH_COLUMNS.items():
        schema_editor.execute(f'CREATE INDEX IF NOT EXISTS "{table}_search_gin" ON "{table}" USING gin (({document(columns)}))')


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in SEARCH_COLUMNS:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{table}_search_gin"')


class Migration(migrations.Migration):
    dependencies = [("timeline", "0002_curation_groups")]

    operations = [migrations.RunPython(create_indexes, drop_indexes)]
