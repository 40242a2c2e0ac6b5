"""poll_feed and poll_feeds: the management-command doors to ingestion."""
import io
import json
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from sources.models import Feed, Report
from tests.sources.feeds import item, rss, rss_of


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_poll_feed_prints_one_json_row_per_entry_from_a_local_file(db, tmp_path):
    path = tmp_path / "feed.xml"
    path.write_bytes(rss(item(1), item(2, link="https://news.example.org/story/2?utm_source=x#c")))
    out, _ = run("poll_feed", str(path), "--json")
    rows = [json.loads(line) for line in out.splitlines()]
    ids = list(Report.objects.order_by("id").values_list("id", flat=True))
    assert rows == [
        {"guid": "item-1", "link": "https://news.example.org/story/1", "report": ids[0], "created": True,
         "duplicate_of": None, "events": []},
        {"guid": "item-2", "link": "https://news.example.org/story/2", "report": ids[1], "created": True,
         "duplicate_of": None, "events": []},
    ]
    again, _ = run("poll_feed", str(path), "--json")
    assert [json.loads(line)["created"] for line in again.splitlines()] == [False, False]
    feed = Feed.objects.get()
    assert feed.url == path.resolve().as_uri() and not feed.enabled


def test_poll_feed_summarises_a_url_and_stores_it_with_save(db, feed_server):
    out, _ = run("poll_feed", feed_server.serve("/feed.xml", rss_of(3)), "--save")
    assert out.strip().endswith("3 entries, 3 new")
    feed = Feed.objects.get()
    assert feed.enabled and feed.reports.count() == 3


def test_poll_feed_of_a_new_url_stores_nothing_without_save(db, feed_server):
    url = feed_server.serve("/feed.xml", rss_of(3))
    out, err = run("poll_feed", url)
    assert out.strip().endswith("3 entries, 3 new")
    assert "nothing was stored" in err
    assert not Feed.objects.exists() and not Report.objects.exists()


def test_poll_feed_of_a_bad_url_leaves_no_feed_behind(db, feed_server):
    for path in ("/a.xml", "/b.xml", "/c.xml"):
        with pytest.raises(CommandError, match="HTTP 404"):
            run("poll_feed", feed_server.url(path))
    assert not Feed.objects.exists()


def test_poll_feed_of_a_known_feed_polls_and_stores_it(db, feed_server):
    feed = Feed.objects.create(url=feed_server.serve("/feed.xml", rss_of(2)))
    run("poll_feed", feed.url)
    assert Report.objects.filter(feed=feed).count() == 2


@pytest.mark.parametrize("content, message", [
    (None, "no such file"),
    (b"<html><body>hello</body></html>", "not a feed: the document is an HTML page"),
])
def test_poll_feed_fails_clearly_on_bad_input(db, tmp_path, content, message):
    path = tmp_path / "feed.xml"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(CommandError, match=message):
        run("poll_feed", str(path))
    assert not Report.objects.exists()


def test_poll_feed_reports_a_failed_fetch(db, feed_server):
    with pytest.raises(CommandError, match="HTTP 404"):
        run("poll_feed", feed_server.url("/missing.xml"))


def test_poll_feeds_polls_every_due_feed_with_a_progress_bar(db, feed_server):
    now = timezone.now()
    Feed.objects.create(url=feed_server.serve("/a.xml", rss_of(2)), next_poll_at=now)
    Feed.objects.create(url=feed_server.serve("/b.xml", "boom", status=500), next_poll_at=now)
    Feed.objects.create(url=feed_server.serve("/c.xml", rss_of(1)), next_poll_at=now + timedelta(hours=1))
    out, err = run("poll_feeds")
    assert out.strip() == "2 feed(s) polled: 1 failed, 1 stored; 2 new report(s)"
    assert "polling feeds" in err and "HTTP 500" in err
    assert Report.objects.count() == 2
