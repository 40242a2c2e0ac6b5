"""Backups and restores, and a digest of every record to prove a restore complete.

Two formats:
- "pg": pg_dump's custom format (PostgreSQL only): schema and data, restored with pg_restore into
  an empty database. The fastest and most faithful; the format to schedule in production.
- "json": a gzipped JSON dump (dumpdata with natural keys for content types, permissions, users
  and groups) for any database, restored with loaddata into a freshly migrated database. Slower;
  portable between SQLite and PostgreSQL.

Backups are written readable by their owner only (0600): they carry users' password hashes.
API tokens are left out (a restored site issues new ones), so a stolen backup opens no API.

Why pg_dump and not a library: no maintained Python library writes PostgreSQL's custom archive
(schema, data, sequences, restored in one transaction by pg_restore); django-dbbackup, the usual
Django wrapper, also shells out to pg_dump and adds storage backends we do not need. So the two
tools are called directly, with the connection settings passed in their environment.

record_digest() reads every row of every table that a backup carries (models, history, users,
groups, admin log) with foreign keys to content types, permissions, users and groups
written as natural keys, so that two databases can be compared record by record whatever ids
those rows got.
"""
import datetime
import decimal
import gzip
import hashlib
import json
import os
import shutil
import subprocess
import uuid
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import connections

# Rows that `migrate` creates in every database: not backed up, referred to by natural key.
# Sessions and API tokens are live credentials: never written to a backup.
NOT_BACKED_UP = ["contenttypes", "auth.permission", "sessions", "authtoken.token"]
NOT_BACKED_UP_MODELS = {"contenttypes.contenttype", "auth.permission", "sessions.session", "authtoken.token"}
NOT_BACKED_UP_TABLE_DATA = ["django_session", "authtoken_token"]


class BackupError(Exception):
    pass


def _database(using="default"):
    return settings.DATABASES[using]


def is_postgres(using="default"):
    return connections[using].vendor == "postgresql"


def _pg_env(using="default"):
    db = _database(using)
    env = dict(os.environ)
    for key, name in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if db.get(key):
            env[name] = str(db[key])
    return env


def _pg_tool(name):
    """Find pg_dump/pg_restore, preferring the newest PostgreSQL install (it reads older servers)."""
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), key=lambda p: int(p.parts[-3]))
    if candidates:
        return str(candidates[-1])
    found = shutil.which(name)
    if not found:
        raise BackupError(f"{name} is not installed (Debian: apt-get install postgresql-client)")
    return found


def create_private_file(path):
    """Create (or empty) `path` readable and writable by its owner only, before anything is written."""
    path = Path(path)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)  # an existing file keeps its mode through os.open


def backup_postgres(path, using="default"):
    """Write a pg_dump custom-format archive of the database to `path` (0600, no tokens or sessions)."""
    if not is_postgres(using):
        raise BackupError("the pg format needs PostgreSQL; use --format json on this database")
    db = _database(using)
    create_private_file(path)
    excluded = [f"--exclude-table-data={table}" for table in NOT_BACKED_UP_TABLE_DATA]
    result = subprocess.run(
        [_pg_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", *excluded, "--file", str(path),
         db["NAME"]],
        env=_pg_env(using), capture_output=True, text=True,
    )
    os.chmod(path, 0o600)
    if result.returncode:
        raise BackupError(f"pg_dump failed: {result.stderr.strip()}")


def restore_postgres(path, using="default"):
    """Restore a pg_dump archive into the (empty) database, in one transaction."""
    if not is_postgres(using):
        raise BackupError("a pg archive restores into PostgreSQL only")
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'")
        tables = cursor.fetchone()[0]
    connections[using].close()
    if tables:
        raise BackupError(f"the target database is not empty ({tables} tables): restore into a new "
                          f"database (createdb NAME) and point DATABASE_URL at it")
    db = _database(using)
    result = subprocess.run(
        [_pg_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
         "--dbname", db["NAME"], str(path)],
        env=_pg_env(using), capture_output=True, text=True,
    )
    if result.returncode:
        raise BackupError(f"pg_restore failed: {result.stderr.strip()}")


def backup_json(path, using="default"):
    """Write a gzipped JSON dump of every record (natural keys where ids differ between databases).

    The file is 0600; sessions and API tokens are left out.
    """
    path = Path(path)
    if path.suffix != ".gz":
        raise BackupError("name the JSON backup *.json.gz (it is compressed)")
    create_private_file(path)
    call_command(
        "dumpdata", exclude=NOT_BACKED_UP, natural_foreign=True, natural_primary=True,
        output=str(path), database=using, verbosity=0,
    )
    os.chmod(path, 0o600)


def _curated_row_count(using):
    total = 0
    for model in apps.get_app_config("timeline").get_models():
        total += model._base_manager.using(using).count()
    return total + apps.get_model("auth", "User")._base_manager.using(using).count()


def restore_json(path, using="default"):
    """Load a JSON backup into a migrated, empty database, in one transaction."""
    from timeline.apps import fixture_history_skipped

    if _curated_row_count(using):
        raise BackupError("the target database already holds records: restore into a new, migrated database")
    # Restored history is the history: do not add a "Loaded from fixture" version to each record.
    with fixture_history_skipped():
        call_command("loaddata", str(path), database=using, verbosity=0)


def detect_format(path):
    with open(path, "rb") as handle:
        head = handle.read(5)
    if head == b"PGDMP":
        return "pg"
    if head[:2] == b"\x1f\x8b":
        return "json"
    raise BackupError(f"{path} is neither a pg_dump custom archive nor a gzipped JSON backup")


# --- the digest -----------------------------------------------------------------------------

def _has_natural_key(model):
    return hasattr(model, "natural_key") and hasattr(model._default_manager, "get_by_natural_key")


def _plain(value):
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.timezone.utc).isoformat() if value.tzinfo else value.isoformat()
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value.normalize()) if value == value.to_integral() else str(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, (bytes, memoryview)):
        return bytes(value).hex()
    return value


def backed_up_models():
    for model in apps.get_models(include_auto_created=True):
        if model._meta.label_lower in NOT_BACKED_UP_MODELS or model._meta.proxy or not model._meta.managed:
            continue
        yield model


def record_digest(using="default"):
    """Return {model label: {"count": n, "sha256": hash of its rows}} (reads every row)."""
    natural = {}

    def natural_keys(model):
        if model not in natural:
            queryset = model._base_manager.using(using).all()
            if model._meta.label_lower == "auth.permission":
                queryset = queryset.select_related("content_type")
            natural[model] = {obj.pk: list(obj.natural_key()) for obj in queryset}
        return natural[model]

    digest = {}
    for model in backed_up_models():
        fields = [f for f in model._meta.concrete_fields]
        identify_by_content = _has_natural_key(model) or model._meta.auto_created
        rows = []
        for values in model._base_manager.using(using).values_list(*[f.attname for f in fields]):
            row = {}
            for field, value in zip(fields, values):
                if field.primary_key and identify_by_content and not field.is_relation:
                    continue
                if field.is_relation and value is not None and _has_natural_key(field.related_model):
                    value = natural_keys(field.related_model).get(value, ["missing", value])
                row[field.name] = _plain(value)
            rows.append(json.dumps(row, sort_keys=True, default=str))
        rows.sort()
        sha = hashlib.sha256("\n".join(rows).encode()).hexdigest()
        digest[model._meta.label_lower] = {"count": len(rows), "sha256": sha}
    return digest


def compare_digests(before, after):
    """Return human-readable differences between two digests (empty when identical)."""
    problems = []
    for label in sorted(set(before) | set(after)):
        a, b = before.get(label), after.get(label)
        if a != b:
            problems.append(f"{label}: {a} != {b}")
    return problems


def gunzip_json(path):
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return json.load(handle)
