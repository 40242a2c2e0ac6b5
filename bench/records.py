#!/usr/bin/env python3
"""Benchmark the USAspending sync against a local stand-in, in one run.

    .venv/bin/python bench/records.py [--awards 10000] [--page-size 100] [--changed 0.01]

Serves N synthetic awards on 127.0.0.1 (tests/records/recorded_api.py, the documented formats)
over N/page-size pages and prints, for a first sync into an empty timeline, an incremental
sync after a fraction of the awards changed (asking for awards modified since the last run, as
watches do), and the same incremental run re-reading every page (no date filter: unchanged
awards are skipped on their search row alone):
  awards/s, requests made (search pages + award details), wall time
  incremental awards/s / first awards/s       goal >= 20 (awards/s counts every award the
                                              watch covers, changed or not)
  peak memory: growth of the process's peak RSS during the first sync (the stand-in server
               runs in this process too, its awards built before measuring)
The database is a fresh SQLite file unless BENCH_DATABASE_URL is set.
"""
import argparse
import copy
import datetime
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--awards", type=int, default=10000)
    parser.add_argument("--page-size", type=int, default=100)
    parser.add_argument("--changed", type=float, default=0.01)
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="records-bench-")
    os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{tmp}/bench.sqlite3"
    os.environ.update(FEED_ALLOW_LOOPBACK="1", DEBUG="0", LOG_LEVEL="WARNING", PAGE_CACHE_SECONDS="0",
                      RECORDS_PAGE_SIZE=str(args.page_size))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from records.awards import sync_awards
    from records.models import AwardRecord, AwardWatch
    from records.usaspending import AwardQuery
    from tests.records.recorded_api import RecordedAPI, recorded_awards

    call_command("migrate", verbosity=0)
    call_command("loaddata", "seed_timeline", verbosity=0)
    template = recorded_awards()[1]

    def award(n, modified, obligated):
        a = copy.deepcopy(template)
        a["generated_unique_award_id"] = f"CONT_AWD_TESTBENCH{n:06d}_7012_-NONE-_-NONE-"
        a["piid"] = f"TESTBENCH{n:06d}"
        a["period_of_performance"]["last_modified_date"] = modified
        a["total_obligation"] = obligated
        return a

    with RecordedAPI() as api:
        settings.USASPENDING_API_URL = api.url
        base = datetime.datetime(2024, 1, 1)
        api.add_awards([award(n, (base + datetime.timedelta(minutes=n)).strftime("%Y-%m-%d %H:%M:%S"), 1000.0 + n)
                        for n in range(args.awards)])
        watch = AwardWatch.objects.create(name="bench", awarding_agency="Department of Homeland Security",
                                          awarding_subagency="U.S. Immigration and Customs Enforcement",
                                          recipient="Palantir")

        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        first, first_seconds = timed(lambda: sync_awards(AwardQuery.of_watch(watch), watch=watch))
        rss_growth = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before
        assert first.outcome == "ok" and first.created == args.awards, first

        changed = max(1, int(args.awards * args.changed))
        now = datetime.datetime.now().strftime("%Y-%m-%d %H:%M:%S")
        step = args.awards // changed
        api.add_awards([award(n, now, 5000.0 + n) for n in range(0, args.awards, step)][:changed])
        watch.refresh_from_db()
        incremental, inc_seconds = timed(lambda: sync_awards(AwardQuery.of_watch(watch), watch=watch))
        assert incremental.modified == changed, incremental

        later = (datetime.datetime.now() + datetime.timedelta(seconds=1)).strftime("%Y-%m-%d %H:%M:%S")
        api.add_awards([award(n, later, 9000.0 + n) for n in range(1, args.awards, step)][:changed])
        watch.modified_since = None
        unfiltered, unf_seconds = timed(lambda: sync_awards(AwardQuery.of_watch(watch), watch=watch))
        assert unfiltered.modified == changed, unfiltered
        assert AwardRecord.objects.count() == args.awards

    first_rate = args.awards / first_seconds
    print(f"awards: {args.awards} over {first.pages} pages of {args.page_size}; {changed} changed "
          f"({args.changed:.0%}) before each incremental run; database {settings.DATABASES['default']['ENGINE']}")
    rows = [("first sync", first, first_seconds), ("incremental (modified since)", incremental, inc_seconds),
            ("incremental, every page re-read", unfiltered, unf_seconds)]
    for label, result, seconds in rows:
        rate = args.awards / seconds
        print(f"  {label:34} {seconds:8.2f} s  {rate:10.0f} awards/s  requests {result.requests.total:6} "
              f"({result.requests.searches} pages + {result.requests.details} awards)  x{rate / first_rate:6.1f}")
    print(f"  incremental / first (awards/s)     {args.awards / inc_seconds / first_rate:.1f}   goal >= 20")
    print(f"  peak RSS growth during the first sync: {rss_growth / 1024:.1f} MiB")


def timed(run):
    started = time.perf_counter()
    result = run()
    return result, time.perf_counter() - started


if __name__ == "__main__":
    main()
