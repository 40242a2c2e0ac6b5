"""Write a backup of the whole database: `manage.py backup_db var/backups/2026-11-22.dump`."""
from django.core.management.base import BaseCommand, CommandError

from timeline import backup


class Command(BaseCommand):
    help = ("Back up the database. --format pg (PostgreSQL, pg_dump custom format; the default on "
            "PostgreSQL) or json (a gzipped JSON dump, any database; name it *.json.gz).")

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--format", choices=["pg", "json"], default=None)
        parser.add_argument("--database", default="default")

    def handle(self, path, format=None, database="default", **options):
        fmt = format or ("pg" if backup.is_postgres(database) else "json")
        try:
            if fmt == "pg":
                backup.backup_postgres(path, database)
            else:
                backup.backup_json(path, database)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from None
        digest = backup.record_digest(database)
        total = sum(item["count"] for item in digest.values())
        self.stdout.write(f"Wrote a {fmt} backup of {total} records to {path}")
