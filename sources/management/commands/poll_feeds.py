"""Poll every feed that is due, now, in this process, with a progress bar."""
from django.core.management.base import BaseCommand
from tqdm import tqdm

from sources.models import Feed
from sources.polling import poll_feed_now


class Command(BaseCommand):
    help = "Poll every enabled feed whose next poll time has come (--all: every enabled feed)."

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="poll every enabled feed, due or not")

    def handle(self, all=False, **options):
        feeds = Feed.objects.filter(enabled=True).order_by("next_poll_at") if all else Feed.objects.due()
        ids = list(feeds.values_list("id", flat=True))
        counts = {}
        new = 0
        with tqdm(ids, desc="polling feeds", unit="feed", file=self.stderr._out, disable=not ids) as bar:
            for feed_id in bar:
                result = poll_feed_now(feed_id)
                counts[result.outcome] = counts.get(result.outcome, 0) + 1
                new += result.created
                if result.outcome == "failed":
                    bar.write(f"feed {feed_id}: {result.error}", file=self.stderr._out)
        summary = ", ".join(f"{n} {outcome}" for outcome, n in sorted(counts.items())) or "no feeds due"
        self.stdout.write(f"{len(ids)} feed(s) polled: {summary}; {new} new report(s)")
