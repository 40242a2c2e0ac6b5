"""Benchmark: matching as the timeline grows, from the seed timeline plus 1,000 and then
100,000 synthetic events, in one run.

    .venv/bin/python bench/match.py [--reports 200] [--small 1000] [--large 100000]
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/timeline_match_bench .venv/bin/python bench/match.py

Uses a fresh temporary SQLite database unless BENCH_DATABASE_URL is set (an empty database: the
script migrates it and fills it). At each size a fresh process (this script with --child)
matches the synthetic reports one at a time, each in its own transaction rolled back at the
end, then the labelled real development feed (../shared/eval, when present). It prints:

  first report     the fresh process's time to match its first report: nothing is built first
  per report       its mean time per report after that, beside feedparser's parse of the same
                   reports (for scale, not a goal)
  peak memory      the process's peak resident memory (ru_maxrss)
  review recall    of the real feed's reports on timeline events, the share whose right event
                   is the top candidate (noise events must not bury the real ones)

and the guards: peak memory at the large size within 1.3x the small one's, time per report
within 2x. Exits 1 when a guard fails. Times are CPU time of the matching process
(time.process_time; SQLite runs in-process): the machines this runs on are shared.
"""
import argparse
import datetime
import importlib.util
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
EVAL = ROOT.parent / "shared" / "eval"
sys.path.insert(0, str(ROOT))
_tmp = None
if os.environ.get("BENCH_DATABASE_URL"):
    os.environ["DATABASE_URL"] = os.environ["BENCH_DATABASE_URL"]
elif "--child" not in sys.argv:
    _tmp = tempfile.NamedTemporaryFile(suffix=".sqlite3", delete=False)
    os.environ["DATABASE_URL"] = os.environ["BENCH_DATABASE_URL"] = f"sqlite:///{_tmp.name}"
os.environ.pop("CELERY_BROKER_URL", None)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# Production-like: with DEBUG on, Django records every query.
os.environ.setdefault("DEBUG", "0")

import django  # noqa: E402

django.setup()

import feedparser  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402

from sources.event_documents import refresh_event_documents  # noqa: E402
from sources.ingest import ingest_feed_document  # noqa: E402
from sources.linking import attach_reports_to_events  # noqa: E402
from sources.models import Feed, Report  # noqa: E402
from timeline.dates import period_end  # noqa: E402
from timeline.models import Agency, Event, Organization, Person, Program, State  # noqa: E402

SYLLABLES = "ka lo mi ren tas vor bel dun fis gar hol jut kem lar mon nes pol qui ros sut tev win yar zel".split()


def vocabulary(rng, size):
    words = set()
    while len(words) < size:
        words.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))))
    return sorted(words)


class World:
    """Synthetic agencies, programs, organizations, people and a Zipf-distributed vocabulary."""

    def __init__(self, seed=7):
        self.rng = random.Random(seed)
        self.words = vocabulary(self.rng, 6000)
        self.weights = [1 / (rank + 1) ** 0.9 for rank in range(len(self.words))]

    def some_words(self, n):
        return self.rng.choices(self.words, weights=self.weights, k=n)

    def create_records(self):
        rng = self.rng
        acronyms = set()
        while len(acronyms) < 30:
            acronyms.add("".join(rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(rng.randint(3, 4))))
        Agency.objects.bulk_create([
            Agency(slug=f"agency-{i}", name=" ".join(w.title() for w in self.some_words(3)) + " Agency",
                   abbreviation=a, state=State.PUBLISHED) for i, a in enumerate(sorted(acronyms))])
        Program.objects.bulk_create([
            Program(slug=f"program-{i}", name=" ".join(w.title() for w in rng.sample(self.words[500:], 2)),
                    summary=" ".join(self.some_words(20)), state=State.PUBLISHED) for i in range(300)])
        Organization.objects.bulk_create([
            Organization(slug=f"org-{i}", name=rng.choice(self.words[800:]).title() + " Technologies",
                         state=State.PUBLISHED) for i in range(200)])
        Person.objects.bulk_create([
            Person(slug=f"person-{i}", name=f"{rng.choice(self.words).title()} {rng.choice(self.words).title()}",
                   state=State.PUBLISHED) for i in range(300)])
        self.agencies = list(Agency.objects.all())
        self.programs = list(Program.objects.all())
        self.orgs = list(Organization.objects.all())
        self.people = list(Person.objects.all())

    def create_events(self, start, count):
        rng = self.rng
        events = []
        for i in range(start, start + count):
            precision = rng.choice(["day", "day", "month", "year"])
            date = datetime.date(2020, 1, 1) + datetime.timedelta(days=rng.randint(0, 2000))
            if precision == "month":
                date = date.replace(day=1)
            elif precision == "year":
                date = date.replace(month=1, day=1)
            events.append(Event(slug=f"event-{i}", title=" ".join(self.some_words(rng.randint(7, 11))),
                                summary=" ".join(self.some_words(rng.randint(25, 40))), date=date,
                                date_precision=precision, date_end=period_end(date, precision),
                                state=State.PUBLISHED))
        Event.objects.bulk_create(events, batch_size=500)
        events = list(Event.objects.filter(slug__in=[e.slug for e in events]))
        through = [(Event.agencies.through, "agency_id", self.agencies, 1, 2),
                   (Event.programs.through, "program_id", self.programs, 0, 2),
                   (Event.organizations.through, "organization_id", self.orgs, 0, 1),
                   (Event.people.through, "person_id", self.people, 0, 1)]
        for model, column, pool, low, high in through:
            rows = []
            for event in events:
                for record in rng.sample(pool, rng.randint(low, high)):
                    rows.append(model(event_id=event.pk, **{column: record.pk}))
            model.objects.bulk_create(rows, batch_size=1000)
        return events

    def feed(self, events, count):
        """Return an RSS document of `count` reports shaped like real feed items (an HTML summary
        paragraph and a six-paragraph article, as in bench/ingest.py): most retell an event in
        other words, the rest are unrelated. self.truth is then the event each report retells, in
        order (None for an unrelated one)."""
        rng = self.rng
        items, self.truth = [], []
        for n in range(count):
            if rng.random() < 0.7:
                event = rng.choice(events)
                self.truth.append(event.pk)
                agency = rng.choice(list(event.agencies.all()) or self.agencies)
                title_words = rng.sample(event.title.split(), k=min(5, len(event.title.split()))) + self.some_words(3)
                title = f"{agency.abbreviation} " + " ".join(title_words)
                source = event.summary.split()
                published = event.date + datetime.timedelta(days=rng.randint(0, 20))
            else:
                self.truth.append(None)
                title = " ".join(self.some_words(9))
                source = self.some_words(30)
                published = datetime.date(2020, 1, 1) + datetime.timedelta(days=rng.randint(0, 2000))
            paragraphs = [" ".join(rng.sample(source, k=min(12, len(source))) + self.some_words(14)) for _ in range(6)]
            summary = f"<p>{paragraphs[0]}</p>"
            content = "".join(f'<p>{p} <a href="https://bench.example.org/doc/{n}">Read more</a>.</p>' for p in paragraphs)
            when = datetime.datetime.combine(published, datetime.time(12), tzinfo=datetime.timezone.utc)
            items.append(f"<item><guid isPermaLink='false'>bench-{n}</guid><link>https://bench.example.org/{n}</link>"
                         f"<title>{escape(title)}</title><description>{escape(summary)}</description>"
                         f"<content:encoded>{escape(content)}</content:encoded>"
                         f"<pubDate>{format_datetime(when)}</pubDate></item>")
        return ("<?xml version='1.0' encoding='utf-8'?><rss version='2.0' "
                "xmlns:content='http://purl.org/rss/1.0/modules/content/'><channel><title>bench</title>"
                "<link>https://bench.example.org/</link><description>d</description>" + "".join(items)
                + "</channel></rss>").encode("utf-8")


def grow_timeline(world, count):
    """Add `count` synthetic events (in bulk, so without signals) and their documents."""
    start = Event.objects.filter(slug__startswith="event-").count()
    for chunk in range(start, start + count, 5000):
        events = world.create_events(chunk, min(5000, start + count - chunk))
        refresh_event_documents([e.pk for e in events])
    return Event.objects.alive().count()


def child(report_ids):
    """Match the given stored reports in this fresh process, then the real feed; print JSON."""
    reports = {r.pk: r for r in Report.objects.filter(pk__in=report_ids)}
    times = []
    with transaction.atomic():
        for pk in report_ids:
            started = time.process_time()
            attach_reports_to_events([reports[pk]])
            times.append(time.process_time() - started)
        review_recall = real_feed_review_recall()
        transaction.set_rollback(True)
    print(json.dumps({"first": times[0], "per_report": sum(times[1:]) / max(len(times) - 1, 1),
                      "peak_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                      "review_recall": review_recall}))


def real_feed_review_recall():
    """Ingest the labelled real development feed and score it as ../shared/eval does (None
    when the feed is absent)."""
    if not (EVAL / "real-dev-feed.xml").exists():
        return None
    spec = importlib.util.spec_from_file_location("score_matching", EVAL / "score_matching.py")
    scoring = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(scoring)
    feed = Feed.objects.create(url="https://bench.example.org/real-dev-feed", enabled=False)
    outcomes = ingest_feed_document(feed, (EVAL / "real-dev-feed.xml").read_bytes()).outcomes
    summary, _ = scoring.score([o.json_row() for o in outcomes], json.loads((EVAL / "real-dev-labels.json").read_text()))
    return summary["review_recall"]


def measure(report_ids):
    env = dict(os.environ, DATABASE_URL=os.environ["BENCH_DATABASE_URL"])
    result = subprocess.run([sys.executable, __file__, "--child", ",".join(map(str, report_ids))], env=env,
                            capture_output=True, text=True, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reports", type=int, default=200)
    ap.add_argument("--small", type=int, default=1000)
    ap.add_argument("--large", type=int, default=100_000)
    ap.add_argument("--child", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        child([int(pk) for pk in a.child.split(",")])
        return 0
    call_command("migrate", verbosity=0)
    call_command("loaddata", "seed_timeline", verbosity=0)
    world = World()
    world.create_records()
    events = world.create_events(0, a.small)
    refresh_event_documents([e.pk for e in events])
    document = world.feed(events, a.reports)
    feed = Feed.objects.create(url="https://bench.example.org/feed", enabled=False)
    ingest_feed_document(feed, document, match=False)
    report_ids = list(Report.objects.filter(feed=feed).order_by("id").values_list("pk", flat=True))
    started = time.process_time()
    feedparser.parse(document)
    parse = (time.process_time() - started) / a.reports

    sizes = {}
    for target in (a.small, a.large):
        if target > a.small:
            grow_timeline(world, target - a.small)
        sizes[Event.objects.alive().count()] = measure(report_ids)
    ms = lambda seconds: f"{seconds * 1000:.2f} ms"  # noqa: E731
    database = django.db.connection.vendor
    print(f"{database}: {a.reports} reports; feedparser parses one in {ms(parse)} (for scale)")
    for size, m in sizes.items():
        print(f"{size:>7} events: first report {ms(m['first'])}, then {ms(m['per_report'])} per report "
              f"({m['per_report'] / parse:.1f}x the parse); peak memory {m['peak_kb'] / 1024:.0f} MB; "
              f"real-feed review recall {m['review_recall']}")
    (small, s), (large, l) = sizes.items()
    memory, per_report = l["peak_kb"] / s["peak_kb"], l["per_report"] / s["per_report"]
    ok = memory <= 1.3 and per_report <= 2
    print(f"guards, {large} vs {small} events: peak memory {memory:.2f}x (<= 1.3), time per report "
          f"{per_report:.2f}x (<= 2): {'met' if ok else 'MISSED'}")
    print(json.dumps({"database": database, "memory_ratio": round(memory, 3), "time_ratio": round(per_report, 3),
                      "review_recall": {str(k): v["review_recall"] for k, v in sizes.items()}}))
    if _tmp is not None:
        os.unlink(_tmp.name)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
