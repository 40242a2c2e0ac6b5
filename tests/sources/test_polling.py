"""The poll task: crash safety, one poll per feed at a time, scheduling, Celery settings."""
import threading
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.db import connection, transaction
from django.utils import timezone

import sources.polling
from config.celery import app
from sources.models import Feed, Report
from sources.polling import poll_feed_now, queue_poll
from sources.tasks import poll_feed, queue_due_feeds
from tests.sources.feeds import rss_of


class SimulatedCrash(BaseException):
    """Stands for the process dying: not an Exception, so nothing in the poll catches it."""


def test_a_crash_between_fetch_and_commit_loses_nothing_and_the_rerun_stores_each_entry_once(
        db, feed_server, monkeypatch):
    feed_server.serve("/feed.xml", rss_of(4), headers={"ETag": '"e1"'})
    feed = Feed.objects.create(url=feed_server.url("/feed.xml"))
    real_ingest = sources.polling.ingest_feed_document

    def ingest_then_crash(*args, **kwargs):
        real_ingest(*args, **kwargs)  # reports inserted, transaction not yet committed
        raise SimulatedCrash

    monkeypatch.setattr(sources.polling, "ingest_feed_document", ingest_then_crash)
    with pytest.raises(SimulatedCrash):
        poll_feed.delay(feed.pk)
    feed.refresh_from_db()
    assert Report.objects.count() == 0 and feed.etag == "" and feed.last_polled_at is None

    monkeypatch.setattr(sources.polling, "ingest_feed_document", real_ingest)
    poll_feed.delay(feed.pk)  # the broker redelivers the task
    poll_feed.delay(feed.pk)  # and, acks_late, perhaps once more after it finished
    assert Report.objects.count() == 4
    feed.refresh_from_db()
    assert feed.etag == '"e1"'


def test_a_task_run_twice_stores_each_entry_once(db, feed_server):
    feed_server.serve("/feed.xml", rss_of(3))  # no validators: both runs parse the whole feed
    feed = Feed.objects.create(url=feed_server.url("/feed.xml"))
    poll_feed.delay(feed.pk)
    poll_feed.delay(feed.pk)
    assert Report.objects.filter(feed=feed).count() == 3
    assert len(feed_server.requests) == 2


def test_an_unexpected_error_while_storing_is_recorded_not_raised(db, feed_server, monkeypatch):
    feed_server.serve("/feed.xml", rss_of(2))
    feed = Feed.objects.create(url=feed_server.url("/feed.xml"))
    monkeypatch.setattr(sources.polling, "ingest_feed_document", lambda *a, **k: 1 / 0)
    result = poll_feed_now(feed.pk)
    feed.refresh_from_db()
    assert result.outcome == "failed" and "ZeroDivisionError" in feed.last_error
    assert feed.consecutive_failures == 1


@pytest.mark.skipif(not django_settings.IS_POSTGRES, reason="row locks need PostgreSQL (SQLite serialises writers)")
def test_a_second_poll_of_a_feed_being_polled_returns_at_once(transactional_db, feed_server):
    feed_server.serve("/feed.xml", rss_of(1))
    feed = Feed.objects.create(url=feed_server.url("/feed.xml"))
    locked, release = threading.Event(), threading.Event()

    def hold_the_lock():  # another worker, mid-poll, on its own connection
        with transaction.atomic():
            Feed.objects.select_for_update().get(pk=feed.pk)
            locked.set()
            release.wait(10)
        connection.close()

    other = threading.Thread(target=hold_the_lock)
    other.start()
    try:
        assert locked.wait(10)
        assert poll_feed_now(feed.pk).outcome == "busy"
        assert feed_server.requests == []
    finally:
        release.set()
        other.join()
    assert poll_feed_now(feed.pk).outcome == "stored"


def test_a_paused_feed_is_skipped_unless_forced(db, feed_server):
    feed_server.serve("/feed.xml", rss_of(1))
    feed = Feed.objects.create(url=feed_server.url("/feed.xml"), enabled=False)
    assert poll_feed_now(feed.pk).outcome == "paused"
    assert poll_feed_now(feed.pk, force=True).outcome == "stored"
    assert poll_feed_now(10**9).outcome == "gone"


def test_a_poll_is_queued_only_when_the_transaction_commits(db, feed_server, django_capture_on_commit_callbacks):
    feed_server.serve("/feed.xml", rss_of(2))
    with django_capture_on_commit_callbacks() as callbacks:
        feed = Feed.objects.create(url=feed_server.url("/feed.xml"))
        queue_poll(feed.pk)
        assert feed_server.requests == []
    # The poll and the website's cache invalidation (timeline.page_cache) wait for the commit.
    assert Report.objects.filter(feed=feed).count() == 0
    for callback in callbacks:
        callback()
    assert Report.objects.filter(feed=feed).count() == 2


def test_the_beat_task_queues_due_feeds_only(db, feed_server, django_capture_on_commit_callbacks):
    now = timezone.now()
    due = Feed.objects.create(url=feed_server.serve("/due.xml", rss_of(1)), next_poll_at=now - timedelta(minutes=1))
    later = Feed.objects.create(url=feed_server.serve("/later.xml", rss_of(1)), next_poll_at=now + timedelta(hours=1))
    paused = Feed.objects.create(url=feed_server.serve("/paused.xml", rss_of(1)), enabled=False, next_poll_at=now)
    with django_capture_on_commit_callbacks(execute=True):
        assert queue_due_feeds.delay().get() == 1
    assert [p for p, _ in feed_server.requests] == ["/due.xml"]
    assert due.reports.count() == 1 and not later.reports.exists() and not paused.reports.exists()
    # Queued feeds are moved on at once, so the next beat tick does not queue them again.
    with django_capture_on_commit_callbacks(execute=True):
        assert queue_due_feeds.delay().get() == 0


def test_celery_is_configured_so_a_killed_worker_loses_nothing():
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1
    assert app.conf.broker_transport_options["visibility_timeout"] > app.conf.task_time_limit
    assert poll_feed.acks_late is True and poll_feed.reject_on_worker_lost is True
    schedule = app.conf.beat_schedule["queue-due-feeds"]
    assert schedule["task"] == "sources.tasks.queue_due_feeds" == queue_due_feeds.name


def test_the_tasks_retry_while_the_database_is_unreachable():
    from django.db import OperationalError

    assert OperationalError in poll_feed.autoretry_for and OperationalError in queue_due_feeds.autoretry_for
    assert poll_feed.retry_backoff and poll_feed.retry_jitter
