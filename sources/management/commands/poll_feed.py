"""Ingest one feed document now, from a URL or a local file, and say what was stored."""
import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from sources.ingest import UnusableDocument, ingest_feed_document
from sources.models import Feed
from sources.polling import poll_feed_now


class Command(BaseCommand):
    help = ("Fetch and ingest one feed now. PATH_OR_URL is an http(s) URL or a local file (this "
            "command only). A URL that is already a Feed is polled like any feed; a new URL is polled as "
            "a trial whose Feed and reports are rolled back, unless --save keeps them (and the Feed is "
            "then polled on schedule). With --json, print one JSON object per entry (JSON Lines): guid, "
            "link, report, created, duplicate_of, events.")

    def add_arguments(self, parser):
        parser.add_argument("path_or_url")
        parser.add_argument("--json", action="store_true", help="print one JSON object per entry")
        parser.add_argument("--save", action="store_true",
                            help="keep a new URL as a Feed (polled every hour from then on) with its reports")

    def handle(self, path_or_url, json=False, save=False, **options):
        if path_or_url.startswith(("http://", "https://")):
            outcomes, warning, summary = self.poll_url(path_or_url, save=save)
        else:
            outcomes, warning, summary = self.ingest_file(path_or_url)
        if json:
            for outcome in outcomes:
                self.stdout.write(dumps(outcome.json_row()))
        else:
            self.stdout.write(summary)
        if warning:
            self.stderr.write(f"warning: {warning}")

    def poll_url(self, url, *, save):
        """Poll `url`; a URL that is not yet a Feed is stored only with `save`, else rolled back."""
        trial = not save and not Feed.objects.filter(url=url).exists()
        try:
            with transaction.atomic():
                feed, _ = Feed.objects.get_or_create(url=url)
                result = poll_feed_now(feed.pk, force=True)
                if trial:
                    raise _RollBack(result)
        except _RollBack:
            pass
        if result.outcome == "failed":
            raise CommandError(f"{url}: {result.error}")
        if result.outcome == "busy":
            raise CommandError(f"{url}: another poll of this feed is running")
        if trial:
            self.stderr.write("a trial: nothing was stored (--save keeps the feed and polls it on schedule)")
        return result.outcomes, result.warning, str(result)

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


class _RollBack(Exception):
    """Raised to undo a trial poll's writes."""
