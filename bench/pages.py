"""Time the public pages with 20,000 events, in-process, and the page cache's gain.

    .venv/bin/python bench/pages.py                 # scratch SQLite in var/bench-pages.sqlite3
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/timeline_bench .venv/bin/python bench/pages.py

The data is built once (bulk inserts) and kept for later runs. Prints, for the timeline page,
a program page and a search: the median time of several uncached renders and their query
count; then the median time of the timeline served from the page cache and the ratio.
"""
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{ROOT / 'var' / 'bench-pages.sqlite3'}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "0")

import django  # noqa: E402

django.setup()

import datetime  # noqa: E402
import gzip  # noqa: E402
import random  # noqa: E402

from django.contrib.contenttypes.models import ContentType  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from timeline.dates import period_end  # noqa: E402
from timeline.models import Agency, Citation, Event, EventKind, Organization, Program, Source  # noqa: E402
from timeline.page_cache import bump_content_version  # noqa: E402

EVENTS = 20_000
RUNS = 7


def build():
    """Create 20,000 published events over 12 programs, 6 agencies, 5 vendors and 200 sources."""
    call_command("migrate", verbosity=0)
    if Event.objects.count() >= EVENTS:
        return
    rng = random.Random(20_000)
    with transaction.atomic():
        dhs = Agency.objects.create(slug="b-dhs", name="Bench Department", abbreviation="BD", state="published")
        agencies = [dhs] + [
            Agency.objects.create(slug=f"b-agency-{i}", name=f"Bench agency {i}", parent=dhs, state="published")
            for i in range(5)
        ]
        programs = [Program.objects.create(slug=f"b-program-{i}", name=f"Bench program {i}", state="published",
                                           summary="A benchmark program.") for i in range(12)]
        vendors = [Organization.objects.create(slug=f"b-vendor-{i}", name=f"Bench vendor {i}", state="published")
                   for i in range(5)]
        sources = Source.objects.bulk_create([
            Source(url=f"https://bench.example.org/{i}", outlet=f"Outlet {i % 20}", headline=f"Bench story {i}",
                   published=datetime.date(2000 + i % 26, 1 + i % 12, 1), state="published")
            for i in range(200)
        ])
        kinds = EventKind.values
        events = []
        for i in range(EVENTS):
            precision = rng.choice(["day", "day", "month", "year"])
            year, month, day = rng.randint(1995, 2025), rng.randint(1, 12), rng.randint(1, 28)
            date = {"day": datetime.date(year, month, day), "month": datetime.date(year, month, 1),
                    "year": datetime.date(year, 1, 1)}[precision]
            words = " ".join(rng.choice(["camera", "contract", "border", "face", "app", "data", "vehicle",
                                         "records", "pilot", "report"]) for _ in range(6))
            events.append(Event(slug=f"b-event-{i}", title=f"Bench event {i}: {words}", kind=rng.choice(kinds),
                                summary=f"Summary of bench event {i}, about {words}.", date=date,
                                date_precision=precision, date_end=period_end(date, precision), state="published"))
        events = Event.objects.bulk_create(events, batch_size=2000)
        through = Event.programs.through
        through.objects.bulk_create([through(event_id=e.pk, program_id=rng.choice(programs).pk) for e in events],
                                    batch_size=5000)
        agency_through = Event.agencies.through
        agency_through.objects.bulk_create(
            [agency_through(event_id=e.pk, agency_id=rng.choice(agencies).pk) for e in events], batch_size=5000)
        org_through = Event.organizations.through
        org_through.objects.bulk_create(
            [org_through(event_id=e.pk, organization_id=rng.choice(vendors).pk) for e in events[::3]], batch_size=5000)
        event_type = ContentType.objects.get_for_model(Event)
        Citation.objects.bulk_create(
            [Citation(source=rng.choice(sources), content_type=event_type, object_id=e.pk) for e in events],
            batch_size=5000)
    bump_content_version()


def measure(client, url, cached=False):
    """Return (median seconds, queries of one render, bytes, gzipped bytes) for a URL."""
    times = []
    for _ in range(RUNS):
        if not cached:
            cache.clear()
        start = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - start)
        assert response.status_code == 200, (url, response.status_code)
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    if cached:
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
    return statistics.median(times), len(queries), len(response.content), len(gzip.compress(response.content))


def main():
    started = time.perf_counter()
    build()
    print(f"database: {connection.vendor}, {Event.objects.published().count()} published events "
          f"(ready in {time.perf_counter() - started:.1f}s)")
    client = Client()
    pages = [
        ("timeline", "/timeline/"),
        ("timeline, filtered by agency+year", "/timeline/?agency=b-dhs&year=2020"),
        ("program page", "/programs/b-program-3/"),
        ("search", "/search/?q=camera"),
    ]
    print(f"{'page':36} {'uncached ms':>12} {'queries':>8} {'bytes':>8} {'gzipped':>8}")
    for name, url in pages:
        seconds, queries, size, zipped = measure(client, url)
        print(f"{name:36} {seconds * 1000:12.1f} {queries:8d} {size:8d} {zipped:8d}")
    uncached, _, _, _ = measure(client, "/timeline/")
    cache.clear()
    client.get("/timeline/")  # warm
    cached, cached_queries, _, _ = measure(client, "/timeline/", cached=True)
    print(f"{'timeline from the page cache':36} {cached * 1000:12.3f} {cached_queries:8d}")
    print(f"cached timeline is {uncached / cached:.0f}x faster than uncached (goal: at least 20x)")


if __name__ == "__main__":
    main()
