"""Indexes for the API on PostgreSQL only (this migration does nothing on SQLite).

- GIN indexes for full-text search (`?q=`), each on the exact expression
  timeline.api.filters.search_document_sql builds, so the planner can use it for
  `to_tsvector(...) @@ websearch_to_tsquery(...)`. SQLite has no GIN; the API falls back to word
  matching there.
- Partial indexes on public events in the API's date orderings (`/api/v1/events/` defaults to
  `-date`; sync clients page with `ordering=date`), nulls last as the cursor expects: the page
  is read from the index instead of sorting every event. SQLite cannot declare NULLS LAST in an
  index, and there the existing (state, date, date_end) index already serves these queries.
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


PUBLIC = "WHERE deleted_at IS NULL AND state = 'published'"
ORDER_INDEXES = {
    "timeline_event_public_date_desc": f'ON "timeline_event" ("date" DESC NULLS LAST, "id" DESC) {PUBLIC}',
    "timeline_event_public_date_asc": f'ON "timeline_event" ("date" ASC NULLS LAST, "id" ASC) {PUBLIC}',
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, columns in SEARCH_COLUMNS.items():
        schema_editor.execute(f'CREATE INDEX IF NOT EXISTS "{table}_search_gin" ON "{table}" USING gin (({document(columns)}))')
    for name, definition in ORDER_INDEXES.items():
        schema_editor.execute(f'CREATE INDEX IF NOT EXISTS "{name}" {definition}')


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in SEARCH_COLUMNS:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{table}_search_gin"')
    for name in ORDER_INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [("timeline", "0002_curation_groups")]

    operations = [migrations.RunPython(create_indexes, drop_indexes)]
