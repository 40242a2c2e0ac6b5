"""Ingesting feed documents: idempotent storage, identities, dates, canonical links, bad input."""
from datetime import datetime, timedelta, timezone as dt_timezone

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sources.canonical import canonical_url
from sources.ingest import UnusableDocument, ingest_feed_document
from sources.models import Feed, Report
from tests.sources.feeds import item, rss, rss_of

FETCHED = datetime(2025, 6, 1, 12, 0, tzinfo=dt_timezone.utc)


@pytest.fixture
def feed(db):
    return Feed.objects.create(url="https://news.example.org/feed.xml")


def test_the_same_document_twice_stores_each_entry_once(feed):
    first = ingest_feed_document(feed, rss_of(5), fetched_at=FETCHED)
    second = ingest_feed_document(feed, rss_of(5), fetched_at=FETCHED + timedelta(hours=1))
    assert [o.created for o in first.outcomes] == [True] * 5
    assert [o.created for o in second.outcomes] == [False] * 5
    assert [o.report_id for o in first.outcomes] == [o.report_id for o in second.outcomes]
    assert Report.objects.count() == 5
    assert set(Report.objects.values_list("fetched_at", flat=True)) == {FETCHED}


def test_the_same_entry_twice_in_one_document_is_one_report(feed):
    result = ingest_feed_document(feed, rss(item(1), item(1), item(2)), fetched_at=FETCHED)
    assert [o.created for o in result.outcomes] == [True, False, True]
    assert result.outcomes[0].report_id == result.outcomes[1].report_id
    assert Report.objects.count() == 2


def test_a_guid_repeated_across_items_falls_back_to_the_link(feed):
    body = rss(item(1, guid="same"), item(2, guid="same"), item(3, guid="same", link="https://news.example.org/story/2"))
    result = ingest_feed_document(feed, body, fetched_at=FETCHED)
    # Items 1 and 2 differ by link; items 2 and 3 share the link too, so their text tells them apart.
    assert len({o.report_id for o in result.outcomes}) == 3
    again = ingest_feed_document(feed, body, fetched_at=FETCHED)
    assert not any(o.created for o in again.outcomes) and Report.objects.count() == 3


def test_an_entry_without_guid_is_keyed_by_its_canonical_link(feed):
    ingest_feed_document(feed, rss(item(1, guid=False, link="https://news.example.org/a?utm_source=rss")))
    result = ingest_feed_document(feed, rss(item(1, guid=False, link="https://news.example.org/a#comments")))
    assert not result.outcomes[0].created and Report.objects.count() == 1


def test_a_changed_entry_is_updated_in_place(feed):
    ingest_feed_document(feed, rss(item(1, title="First headline")), fetched_at=FETCHED)
    result = ingest_feed_document(feed, rss(item(1, title="Corrected headline")), fetched_at=FETCHED)
    assert result.outcomes[0].updated and not result.outcomes[0].created
    assert list(Report.objects.values_list("title", flat=True)) == ["Corrected headline"]


def test_report_fields_come_from_the_entry(feed):
    body = rss(item(7, link="HTTPS://News.Example.org/story/7?utm_medium=feed&id=7&fbclid=abc#top",
                    content="<p>Full <b>text</b></p>"))
    ingest_feed_document(feed, body, fetched_at=FETCHED)
    report = Report.objects.get()
    assert report.guid == "item-7"
    assert report.url == "https://news.example.org/story/7?id=7"
    assert report.title == "Report number 7"
    assert report.summary == "Summary of report 7."
    assert report.content == "<p>Full <b>text</b></p>"
    assert report.published == datetime(2025, 5, 1, 19, 0, tzinfo=dt_timezone.utc)
    assert report.published_fallback == ""
    assert len(report.content_hash) == 64 and report.fetched_at == FETCHED
    feed.refresh_from_db()
    assert feed.title == "Test feed"


def test_absent_and_future_dates_fall_back_to_the_fetch_time(feed):
    body = rss(item(1, published=False), item(2, published=datetime(2031, 1, 1, tzinfo=dt_timezone.utc)))
    ingest_feed_document(feed, body, fetched_at=FETCHED)
    got = {r.guid: (r.published, r.published_fallback) for r in Report.objects.all()}
    assert got == {"item-1": (FETCHED, "missing"), "item-2": (FETCHED, "future")}


@pytest.mark.parametrize("url, canonical", [
    ("https://a.example/x?utm_source=t&utm_campaign=c&q=1#frag", "https://a.example/x?q=1"),
    ("http://A.EXAMPLE:80/x?gclid=1&mc_cid=2", "http://a.example/x"),
    ("https://a.example:8443/x/?b=2&a=1", "https://a.example:8443/x/?b=2&a=1"),
    ("javascript:alert(1)", ""),
    ("mailto:x@a.example", ""),
    ("ftp://a.example/x", ""),
    ("", ""),
])
def test_canonical_urls_drop_fragments_and_tracking_parameters(url, canonical):
    assert canonical_url(url) == canonical


def test_a_malformed_feed_stores_what_it_can_and_records_the_problem(feed):
    body = rss_of(3).replace(b"</channel></rss>", b"<item><title>broken & unescaped</title></item>")
    result = ingest_feed_document(feed, body)
    assert len(result.outcomes) >= 3
    assert "not well-formed" in result.warning or "SAXParseException" in result.warning


@pytest.mark.parametrize("body, message", [
    (b"", "the document is empty"),
    (b"just some text", "not a feed"),
    (b'{"not": "a feed"}', "not a feed"),
    (b"<rss><channel><item><nothing/></item></channel></rss>", "no usable entries"),
])
def test_a_document_with_nothing_usable_is_a_clear_error(feed, body, message):
    with pytest.raises(UnusableDocument, match=message):
        ingest_feed_document(feed, body)
    assert not Report.objects.exists()


def test_an_empty_feed_is_not_an_error(feed):
    assert ingest_feed_document(feed, rss()).outcomes == []


def test_ingesting_two_thousand_entries_takes_a_handful_of_queries(feed):
    # 1 select of the stored keys, the inserts (500 rows each; SQLite's 999-parameter limit makes
    # that ~80), 1 select of the new ids, 1 feed title update. No query per entry. (Matching,
    # which follows ingestion, has its own query-count test in test_linking.py.)
    with CaptureQueriesContext(connection) as queries:
        ingest_feed_document(feed, rss_of(2000), fetched_at=FETCHED, match=False)
    statements = [q["sql"] for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]
    inserts = [sql for sql in statements if sql.startswith("INSERT")]
    assert len(statements) - len(inserts) == 3
    assert len(inserts) <= 2000 // 60  # ~60 rows per INSERT since matching added four columns
    with CaptureQueriesContext(connection) as queries:  # the same again: just the select of keys
        ingest_feed_document(feed, rss_of(2000), fetched_at=FETCHED, match=False)
    assert len([q for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]) == 1


def test_a_relative_entry_link_is_resolved_against_the_feed_url(feed):
    result = ingest_feed_document(feed, rss(item(1, link="/story/relative?utm_campaign=x")))
    assert result.outcomes[0].link == "https://news.example.org/story/relative"
