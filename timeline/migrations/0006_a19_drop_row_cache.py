"""Drop the PostgreSQL row cache of the API (its tables, triggers and trigger functions).

They were installed after every migrate by timeline.api.row_cache, now gone: whole responses are
cached in Django's cache instead (timeline.api.caching). Nothing to do on SQLite.
"""
from django.db import migrations

PREFIX = "timeline_rowcache_"
DROP = f"""
DO $$ DECLARE t record; BEGIN
    FOR t IN SELECT tgname, tgrelid::regclass AS rel FROM pg_trigger WHERE tgname LIKE '{PREFIX}%' LOOP
        EXECUTE format('DROP TRIGGER %I ON %s', t.tgname, t.rel);
    END LOOP;
    FOR t IN SELECT oid::regprocedure AS fn FROM pg_proc WHERE proname LIKE '{PREFIX}%' LOOP
        EXECUTE format('DROP FUNCTION %s', t.fn);
    END LOOP;
END $$;
DROP TABLE IF EXISTS timeline_row_json;
DROP TABLE IF EXISTS timeline_row_generation;
"""


def drop_row_cache(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(DROP)  # no parameters: format()'s %I and %s are PL/pgSQL's, not psycopg's


class Migration(migrations.Migration):
    dependencies = [("timeline", "0005_c20_copy_outlet_and_claim_value_kind")]

    operations = [migrations.RunPython(drop_row_cache, migrations.RunPython.noop)]
