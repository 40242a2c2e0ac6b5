"""Write the whole published database to a directory for bulk download.

For every resource: `<name>.jsonl.gz` (one API row per line, as /api/v1/ shows it to the public)
and `<name>.csv.gz` (the same rows flattened as the API's CSV export), plus `manifest.json` with
row counts, file sizes and SHA-256 digests, the generation time and the data licence.
Files are written under temporary names and renamed, so a reader never sees half a dump.
"""
import csv
import gzip
import hashlib
import json
import os
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from timeline.api.caching import dump_json
from timeline.api.csv_export import all_rows, flatten, neutralise
from timeline.api.paging import KeysetPagination, Ordering
from timeline.api.presenting import RowContext
from timeline.api.serializers.agency import AgencyPresenter
from timeline.api.serializers.claim import ClaimPresenter
from timeline.api.serializers.contract import ContractPresenter
from timeline.api.serializers.event import EventPresenter
from timeline.api.serializers.organization import OrganizationPresenter
from timeline.api.serializers.person import PersonPresenter
from timeline.api.serializers.program import ProgramPresenter
from timeline.api.serializers.report import ReportPresenter, public_reports
from timeline.api.serializers.source import SourcePresenter
from timeline.api.serializers.statement import StatementPresenter
from timeline.models import Claim

RESOURCES = [
    ("agencies", AgencyPresenter), ("organizations", OrganizationPresenter), ("people", PersonPresenter),
    ("programs", ProgramPresenter), ("events", EventPresenter), ("contracts", ContractPresenter),
    ("statements", StatementPresenter), ("sources", SourcePresenter), ("claims", ClaimPresenter),
    ("reports", ReportPresenter),
]


def published_queryset(presenter_class):
    if presenter_class is ClaimPresenter:
        return Claim.objects.published().with_conflicts()
    if presenter_class is ReportPresenter:
        return public_reports()
    return presenter_class.model.objects.published()


def digest(path):
    sha = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            sha.update(block)
    return sha.hexdigest()


def write_resource(directory, name, presenter_class, ctx):
    """Write one resource's JSON Lines and CSV files; return its manifest entry."""
    presenter = presenter_class(ctx)
    jsonl_path, csv_path = directory / f"{name}.jsonl.gz", directory / f"{name}.csv.gz"
    count, header = 0, None
    with gzip.open(f"{jsonl_path}.tmp", "wb") as jsonl, gzip.open(f"{csv_path}.tmp", "wt", newline="",
                                                                  encoding="utf-8") as csv_file:
        writer = csv.writer(csv_file)
        for batch in all_rows(presenter, published_queryset(presenter_class), Ordering("id", False),
                              KeysetPagination()):
            for item in batch:
                jsonl.write(dump_json(item) + b"\n")
                flat = flatten(item)
                if header is None:
                    header = list(flat)
                    writer.writerow(header)
                writer.writerow([neutralise(flat.get(col)) for col in header])
                count += 1
    os.replace(f"{jsonl_path}.tmp", jsonl_path)
    os.replace(f"{csv_path}.tmp", csv_path)
    return {
        "count": count,
        "files": {
            fmt: {"name": path.name, "bytes": path.stat().st_size, "sha256": digest(path)}
            for fmt, path in (("jsonl", jsonl_path), ("csv", csv_path))
        },
    }


class Command(BaseCommand):
    help = "Write every published record as gzipped JSON Lines and CSV per resource, with a manifest."

    def add_arguments(self, parser):
        parser.add_argument(
            "directory", nargs="?", default=None,
            help="Where to write the dump (created if missing); default DUMP_DIR, which /data/ serves.",
        )
        parser.add_argument(
            "--site-url", default=None,
            help="The public base URL the dump's addresses use (default SITE_URL; one of them is required).",
        )

    def handle(self, directory=None, site_url=None, **options):
        base = (site_url or settings.SITE_URL).rstrip("/")
        if not base.startswith(("http://", "https://")):
            raise CommandError(
                "The dump's addresses need the site's public base URL: set SITE_URL or pass "
                "--site-url https://timeline.example (http:// or https://)."
            )
        target = Path(directory) if directory else Path(settings.DUMP_DIR)
        try:
            target.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise CommandError(f"Cannot create {target}: {error}")
        if not os.access(target, os.W_OK):
            raise CommandError(f"Cannot write to {target}.")
        started = timezone.now()
        ctx = RowContext(base)  # the public's view: published, live records only
        resources = {}
        for name, presenter_class in RESOURCES:
            resources[name] = write_resource(target, name, presenter_class, ctx)
            self.stdout.write(f"{name}: {resources[name]['count']} rows")
        manifest = {
            "generated_at": started.isoformat().replace("+00:00", "Z"),
            "license": settings.DATA_LICENSE,
            "site_url": base,
            "api": f"{base}/api/v1/",
            "resources": resources,
        }
        with open(target / "manifest.json.tmp", "w", encoding="utf-8") as handle:
            json.dump(manifest, handle, indent=2)
            handle.write("\n")
        os.replace(target / "manifest.json.tmp", target / "manifest.json")
        self.stdout.write(self.style.SUCCESS(f"Wrote {sum(r['count'] for r in resources.values())} rows to {target}"))
