"""feedparser's own 2,100 test feeds through the whole pipeline: nothing escapes, all is stored once.

The corpus lives outside the repository, in ../shared/corpora/feedparser-tests (override with
FEEDPARSER_CORPUS); the test is skipped, saying so, where it is absent.
"""
import os
import time
import traceback
from pathlib import Path

import pytest
from django.conf import settings

from sources.ingest import UnusableDocument, ingest_feed_document
from sources.models import Feed, Report
from sources.sanitize import sanitize_html
from tests.sources.test_sanitize import assert_inert

CORPUS = Path(os.environ.get("FEEDPARSER_CORPUS") or Path(settings.BASE_DIR).parent / "shared/corpora/feedparser-tests")


@pytest.mark.slow
def test_every_corpus_feed_goes_through_the_pipeline_without_an_unhandled_exception(db, capsys):
    if not CORPUS.is_dir():
        pytest.skip(f"the feedparser corpus is not at {CORPUS} (../shared is absent); set FEEDPARSER_CORPUS")
    paths = sorted(p for p in CORPUS.rglob("*") if p.suffix in (".xml", ".json") and p.is_file())
    assert len(paths) > 2000
    feeds = Feed.objects.bulk_create(
        Feed(url=f"http://corpus.example/{p.relative_to(CORPUS).as_posix()}", enabled=False) for p in paths)
    started = time.monotonic()
    crashed, refused, stored, entries = [], 0, 0, 0
    for path, feed in zip(paths, feeds):
        body = path.read_bytes()
        try:
            result = ingest_feed_document(feed, body)
        except UnusableDocument:
            refused += 1
            continue
        except Exception:  # noqa: BLE001 - collected and reported below
            crashed.append(f"{path.relative_to(CORPUS)}:\n{traceback.format_exc(limit=4)}")
            continue
        entries += len(result.outcomes)
        stored += result.created
        # Idempotent: a second pass stores nothing new.
        assert ingest_feed_document(feed, body).created == 0, path
    elapsed = time.monotonic() - started
    assert not crashed, "\n".join(crashed[:10])
    assert Report.objects.count() == stored

    sanitize_cases = Report.objects.filter(feed__url__contains="/sanitize/")
    assert sanitize_cases.count() > 100
    for report in sanitize_cases:
        for html in (report.title, report.summary, report.content):
            assert_inert(sanitize_html(html))

    with capsys.disabled():
        print(f"\n[corpus] {len(paths)} files in {elapsed:.1f}s: {stored} reports stored from {entries} entries, "
              f"{refused} documents refused with a clear error, 0 unhandled exceptions")
