#!/usr/bin/env python3
"""Benchmark feed ingestion against feedparser alone, in one run.

    .venv/bin/python bench/ingest.py [--entries 2000] [--repeat 3]

Generates a feed of N entries and prints:
  a  feedparser.parse of its bytes (feedparser's defaults); a' the same without sanitising or
     link rewriting, which is what the ingest runs (it stores HTML raw)
  b  the whole ingest of the same bytes into an empty feed (entity check, parse, entry
     extraction, canonical links, bulk insert, id read-back), without matching
  b/a                                      goal <= 1.5
  304 re-poll / full poll, over HTTP         goal <= 0.05
  peak memory of the ingest (tracemalloc, in a separate pass)
Times are the median of --repeat runs. The database is a fresh SQLite file unless
BENCH_DATABASE_URL is set (e.g. postgres://postgres:postgres@127.0.0.1:5432/timeline_bench).
"""
import argparse
import io
import os
import statistics
import sys
import tempfile
import threading
import time
import tracemalloc
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def generate_feed(count):
    start = datetime(2025, 1, 1, tzinfo=timezone.utc)
    paragraph = ("<p>The agency said the program would expand to more ports of entry, according to "
                 "documents reviewed by reporters and a spokesperson's statement. <a href=\"https://example.org/doc\">"
                 "Read the filing</a>.</p>")
    items = []
    for n in range(count):
        items.append(
            "<item>"
            f"<title>Report {n}: border technology contract update number {n}</title>"
            f"<link>https://news.example.org/2025/story-{n}?utm_source=rss&amp;utm_medium=feed&amp;id={n}</link>"
            f'<guid isPermaLink="false">urn:bench:{n}</guid>'
            f"<pubDate>{format_datetime(start + timedelta(minutes=n))}</pubDate>"
            "<author>desk@news.example.org (News Desk)</author>"
            f"<description>{escape(paragraph)}</description>"
            f"<content:encoded>{escape(paragraph * 6)}</content:encoded>"
            "</item>")
    return ('<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>Bench</title>'
            "<link>https://news.example.org/</link><description>bench</description>"
            + "".join(items) + "</channel></rss>").encode()


def serve(body):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):
            if self.headers.get("If-None-Match") == '"bench"':
                self.send_response(304)
                self.send_header("ETag", '"bench"')
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("ETag", '"bench"')
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def median_time(fn, repeat):
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entries", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="bench-ingest-")
    # Never the DATABASE_URL of the environment (CI exports its test database's): a fresh SQLite
    # file, or BENCH_DATABASE_URL.
    os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{tmp}/bench.sqlite3"
    os.environ.pop("CELERY_BROKER_URL", None)
    os.environ["FEED_ALLOW_LOOPBACK"] = "1"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    import feedparser
    from django.core.management import call_command
    from django.db import connection

    from sources.ingest import ingest_feed_document
    from sources.models import Feed
    from sources.polling import poll_feed_now

    call_command("migrate", verbosity=0)
    run = time.time_ns()
    body = generate_feed(args.entries)
    print(f"feed: {args.entries} entries, {len(body) / 1e6:.2f} MB; database: {connection.vendor}")

    feeds = iter(Feed.objects.create(url=f"https://bench.example/{run}/{n}.xml") for n in range(100))

    def ingest():
        result = ingest_feed_document(next(feeds), body, match=False)
        assert result.created == args.entries, result.created

    # Interleaved, so that load from other processes falls on all three alike.
    runs = {"a": [], "a'": [], "b": []}
    for _ in range(args.repeat):
        runs["a"].append(median_time(lambda: feedparser.parse(io.BytesIO(body)), 1))
        runs["a'"].append(median_time(
            lambda: feedparser.parse(io.BytesIO(body), sanitize_html=False, resolve_relative_uris=False), 1))
        runs["b"].append(median_time(ingest, 1))
    a, a_raw, b = (statistics.median(runs[k]) for k in ("a", "a'", "b"))
    print(f"(a)  feedparser.parse of the bytes:            {a:7.3f} s")
    print(f"(a') the same, raw (no sanitising, no link rewriting: what the ingest runs): {a_raw:7.3f} s")
    print(f"(b)  whole ingest into the database:            {b:7.3f} s")
    print(f"b/a  = {b / a:.2f}   (goal <= 1.5)")
    print(f"b/a' = {b / a_raw:.2f}")

    server = serve(body)
    url = f"http://127.0.0.1:{server.server_address[1]}/feed.xml"
    full_times, not_modified_times = [], []
    for n in range(args.repeat):
        feed = Feed.objects.create(url=f"{url}?run={run}-{n}")
        started = time.perf_counter()
        assert poll_feed_now(feed.pk, match=False).outcome == "stored"
        full_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        assert poll_feed_now(feed.pk, match=False).outcome == "not-modified"
        not_modified_times.append(time.perf_counter() - started)
    server.shutdown()
    full, not_modified = statistics.median(full_times), statistics.median(not_modified_times)
    print(f"full poll over HTTP (200, fetch + ingest):      {full:7.3f} s")
    print(f"re-poll answered 304:                           {not_modified * 1000:7.1f} ms")
    print(f"304 / full = {not_modified / full:.4f}   (goal <= 0.05)")

    feed = next(feeds)
    tracemalloc.start()
    ingest_feed_document(feed, body, match=False)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"peak memory of the ingest (tracemalloc): {peak / 1e6:.1f} MB for a {len(body) / 1e6:.2f} MB feed")


if __name__ == "__main__":
    main()
