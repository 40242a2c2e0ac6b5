"""Ingest one feed document now, from a URL or a local file, and say what was stored."""
import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from sources.ingest import UnusableDocument, ingest_feed_document
from sources.models import Feed
from sources.polling import poll_feed_now


class Command(BaseCommand):
    help = ("Fetch and ingest one feed now. PATH_OR_URL is an http(s) URL (polled like any feed, "
            "creating the Feed if needed) or a local file (this command only). With --json, print one "
            "JSON object per entry (JSON Lines): guid, link, report, created, duplicate_of, events.")

    def add_arguments(self, parser):
        parser.add_argument("path_or_url")
        parser.add_argument("--json", action="store_true", help="print one JSON object per entry")

    def handle(self, path_or_url, json=False, **options):
        if path_or_url.startswith(("http://", "https://")):
            feed, _ = Feed.objects.get_or_create(url=path_or_url)
            result = poll_feed_now(feed.pk, force=True)
            if result.outcome == "failed":
                raise CommandError(f"{path_or_url}: {result.error}")
            if result.outcome == "busy":
                raise CommandError(f"{path_or_url}: another poll of this feed is running")
            outcomes, warning, summary = result.outcomes, result.warning, str(result)
        else:
            outcomes, warning, summary = self.ingest_file(path_or_url)
        if json:
            for outcome in outcomes:
                self.stdout.write(dumps(outcome.json_row()))
        else:
            self.stdout.write(summary)
        if warning:
            self.stderr.write(f"warning: {warning}")

    def ingest_file(self, path):
        path = Path(path).expanduser()
        if not path.is_file():
            raise CommandError(f"{path}: no such file (give an http(s) URL or a local feed file)")
        if path.stat().st_size > settings.FEED_MAX_BYTES:
            raise CommandError(f"{path}: larger than FEED_MAX_BYTES ({settings.FEED_MAX_BYTES} bytes)")
        body = path.read_bytes()
        # A local document gets a Feed of its own (file: URL), paused: it is never polled on schedule.
        feed, _ = Feed.objects.get_or_create(url=path.resolve().as_uri(), defaults={"enabled": False})
        now = timezone.now()
        try:
            result = ingest_feed_document(feed, body, fetched_at=now, base_url="")
        except UnusableDocument as exc:
            feed.record_failure(now, str(exc))
            feed.save()
            raise CommandError(f"{path}: {exc}") from None
        feed.record_success(now, 200, warning=result.warning)
        feed.save()
        summary = f"{path}: {len(result.outcomes)} entries, {result.created} new"
        return result.outcomes, result.warning, summary


def dumps(row):
    return json.dumps(row, ensure_ascii=False)
