"""A backup restores into an empty database with every record equal (JSON on any database;
pg_dump's custom format on PostgreSQL)."""
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from timeline.backup import compare_digests, record_digest
from timeline.models import Event

ROOT = Path(__file__).resolve().parents[2]


def _manage(database_url, *args):
    env = dict(os.environ, DATABASE_URL=database_url, DJANGO_SETTINGS_MODULE="config.settings")
    env.pop("PROCESS_ROLE", None)
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def _curated_changes(editor):
    """Give the database more than the seed: edits with attributed history, a deletion, a token."""
    from rest_framework.authtoken.models import Token

    from timeline.models import Claim

    event = Event.objects.get(slug="anzalduas-vehicle-face-test-results")
    event.title = "Edited once (microseconds matter)"
    event._history_user = editor
    event.save()
    Claim.objects.first().soft_delete()
    Token.objects.create(user=editor)


def test_a_json_backup_restores_every_record_into_an_empty_database(seed, editor, tmp_path):
    _curated_changes(editor)
    backup = tmp_path / "timeline.json.gz"
    call_command("backup_db", str(backup), format="json", stdout=open(os.devnull, "w"))
    before = record_digest()
    assert before["timeline.event"]["count"] == Event.objects.count()
    assert before["auth.user"]["count"] == 1

    restored_url = f"sqlite:///{tmp_path / 'restored.sqlite3'}"
    # One process: restore, read the digest, and try to restore a second time (refused: the
    # target must be empty).
    script = (
        "import json, sys; from django.core.management import call_command;"
        "from django.core.management.base import CommandError;"
        "from timeline.backup import record_digest;"
        f"call_command('restore_db', {str(backup)!r});"
        "print(json.dumps(record_digest()));"
        "\ntry:\n    call_command('restore_db', " + repr(str(backup)) + ")\n"
        "except CommandError as error:\n    print(error)\n"
    )
    output = _manage(restored_url, "shell", "-c", script).strip().splitlines()
    after = json.loads(output[-2])
    assert compare_digests(before, after) == []
    assert "already holds records" in output[-1]


def test_a_backup_is_private_to_its_owner_and_carries_no_api_tokens(seed, editor, tmp_path):
    from rest_framework.authtoken.models import Token

    from timeline.backup import gunzip_json

    token = Token.objects.create(user=editor)
    backup = tmp_path / "timeline.json.gz"
    backup.write_bytes(b"an older backup, world-readable")
    backup.chmod(0o644)
    call_command("backup_db", str(backup), format="json", stdout=open(os.devnull, "w"))
    assert backup.stat().st_mode & 0o777 == 0o600
    rows = gunzip_json(backup)
    assert not [row for row in rows if row["model"] == "authtoken.token"]
    assert token.key not in json.dumps(rows)
    assert [row for row in rows if row["model"] == "auth.user"]  # users (and their hashes) are kept
    assert "authtoken.token" not in record_digest()


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path, db):
    from django.core.management.base import CommandError

    junk = tmp_path / "notes.txt"
    junk.write_text("not a backup")
    with pytest.raises(CommandError, match="neither a pg_dump custom archive nor a gzipped JSON backup"):
        call_command("restore_db", str(junk))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_dump/pg_restore need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_a_pg_dump_backup_restores_every_record_into_an_empty_database(editor, tmp_path):
    import psycopg

    call_command("loaddata", "seed_timeline", verbosity=0)
    _curated_changes(editor)
    backup = tmp_path / "timeline.dump"
    call_command("backup_db", str(backup), format="pg", stdout=open(os.devnull, "w"))
    assert backup.read_bytes()[:5] == b"PGDMP"
    assert backup.stat().st_mode & 0o777 == 0o600
    before = record_digest()

    settings_dict = connection.settings_dict
    target = f"restore_{uuid.uuid4().hex[:10]}"
    server = dict(host=settings_dict["HOST"] or "127.0.0.1", port=settings_dict["PORT"] or 5432,
                  user=settings_dict["USER"], password=settings_dict["PASSWORD"] or None)
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
        admin.execute(f'CREATE DATABASE "{target}"')
    try:
        password = f":{server['password']}" if server["password"] else ""
        url = f"postgres://{server['user']}{password}@{server['host']}:{server['port']}/{target}"
        assert "Restored" in _manage(url, "restore_db", str(backup))
        after = json.loads(_manage(url, "record_digest", "--json"))
        assert compare_digests(before, after) == []
        # Sequences came back too: a new record gets a fresh id.
        _manage(url, "shell", "-c", "from timeline.models import Agency; Agency.objects.create(slug='after-restore', name='After')")
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
