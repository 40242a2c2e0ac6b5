"""Event documents for matching, with the database's own full-text index over them.

PostgreSQL: a generated tsvector column (the 'simple' configuration: the tokens are already
matching's own terms) with a GIN index. SQLite: an FTS5 table over the documents kept by
triggers. Either is updated by the database in the same statement as the document row, so
the search never disagrees with what is stored. Other databases get no index (and matching
finds no candidates there).

Then the documents of the events already stored are built by the live code, as fingerprints
are (0005): they are an index derived from the timeline.
"""
from django.db import migrations, models
import django.db.models.deletion
import django.utils.timezone

POSTGRESQL = [
    "ALTER TABLE sources_eventmatchdocument ADD COLUMN search tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, document)) STORED",
    "CREATE INDEX event_match_search_idx ON sources_eventmatchdocument USING gin (search)",
]
POSTGRESQL_REVERSE = [
    "DROP INDEX IF EXISTS event_match_search_idx",
    "ALTER TABLE sources_eventmatchdocument DROP COLUMN IF EXISTS search",
]
SQLITE = [
    "CREATE VIRTUAL TABLE sources_eventsearch USING fts5("
    "document, content='sources_eventmatchdocument', content_rowid='event_id')",
    "CREATE TRIGGER sources_eventsearch_insert AFTER INSERT ON sources_eventmatchdocument BEGIN "
    "INSERT INTO sources_eventsearch(rowid, document) VALUES (new.event_id, new.document); END",
    "CREATE TRIGGER sources_eventsearch_delete AFTER DELETE ON sources_eventmatchdocument BEGIN "
    "INSERT INTO sources_eventsearch(sources_eventsearch, rowid, document) "
    "VALUES ('delete', old.event_id, old.document); END",
    "CREATE TRIGGER sources_eventsearch_update AFTER UPDATE ON sources_eventmatchdocument BEGIN "
    "INSERT INTO sources_eventsearch(sources_eventsearch, rowid, document) "
    "VALUES ('delete', old.event_id, old.document); "
    "INSERT INTO sources_eventsearch(rowid, document) VALUES (new.event_id, new.document); END",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS sources_eventsearch_insert",
    "DROP TRIGGER IF EXISTS sources_eventsearch_delete",
    "DROP TRIGGER IF EXISTS sources_eventsearch_update",
    "DROP TABLE IF EXISTS sources_eventsearch",
]


def _run(statements):
    def run(apps, schema_editor):
        for sql in statements.get(schema_editor.connection.vendor, ()):
            schema_editor.execute(sql)
    return run


def build_documents(apps, schema_editor):
    from sources.event_documents import rebuild_event_documents

    rebuild_event_documents()


class Migration(migrations.Migration):

    dependencies = [
        ("sources", "0005_fingerprints_v2"),
        ("timeline", "0003_api_indexes"),
    ]

    operations = [
        migrations.CreateModel(
            name="MatchTerm",
            fields=[
                ("term", models.CharField(max_length=200, primary_key=True, serialize=False)),
                ("events", models.IntegerField(default=0)),
            ],
        ),
        migrations.CreateModel(
            name="EventMatchDocument",
            fields=[
                ("event", models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True,
                                               related_name="match_document", serialize=False, to="timeline.event")),
                ("document", models.TextField(blank=True)),
                ("event_terms", models.JSONField(default=dict, help_text="{term: weight} of the title and summary")),
                ("program_terms", models.JSONField(default=dict, help_text="{term: weight} of its programs' names and summaries")),
                ("coverage_terms", models.JSONField(default=dict, help_text="{term: weight} of headlines citing or covering it")),
                ("entities", models.JSONField(default=list, help_text="Entity keys the event is tagged with ('agency:3')")),
                ("updated_at", models.DateTimeField(default=django.utils.timezone.now)),
            ],
        ),
        migrations.RunPython(_run({"postgresql": POSTGRESQL, "sqlite": SQLITE}),
                             _run({"postgresql": POSTGRESQL_REVERSE, "sqlite": SQLITE_REVERSE})),
        migrations.RunPython(build_documents, migrations.RunPython.noop, elidable=True),
    ]
