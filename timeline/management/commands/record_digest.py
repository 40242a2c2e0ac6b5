"""Print a count and a SHA-256 of the rows of every backed-up table (compare two databases)."""
import json

from django.core.management.base import BaseCommand

from timeline.backup import record_digest


class Command(BaseCommand):
    help = "Print per-table record counts and digests; equal output means equal records."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="one JSON object instead of a table")
        parser.add_argument("--database", default="default")

    def handle(self, database="default", **options):
        digest = record_digest(database)
        if options["json"]:
            self.stdout.write(json.dumps(digest, sort_keys=True))
            return
        for label, item in sorted(digest.items()):
            self.stdout.write(f"{label:45} {item['count']:8}  {item['sha256'][:16]}")


