"""Restore a backup into an empty database: `manage.py restore_db var/backups/2026-11-22.dump`."""
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from timeline import backup


class Command(BaseCommand):
    help = ("Restore a backup written by backup_db into an EMPTY database (the format is detected). "
            "A pg archive restores schema and data; a JSON backup is loaded after migrating.")

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--database", default="default")

    def handle(self, path, database="default", **options):
        try:
            fmt = backup.detect_format(path)
            if fmt == "pg":
                backup.restore_postgres(path, database)
            else:
                call_command("migrate", database=database, interactive=False, verbosity=0)
                backup.restore_json(path, database)
        except (backup.BackupError, OSError) as exc:
            raise CommandError(str(exc)) from None
        digest = backup.record_digest(database)
        total = sum(item["count"] for item in digest.values())
        self.stdout.write(f"Restored {total} records from the {fmt} backup {path}")
