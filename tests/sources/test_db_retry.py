"""The poller backs off and retries while the database is briefly unreachable."""
import logging

from celery.utils.time import get_exponential_backoff_interval
from django.db import OperationalError

import sources.tasks
from sources.models import Feed, Report
from sources.tasks import poll_feed, queue_due_feeds
from tests.sources.feeds import rss_of


def test_the_polling_tasks_retry_on_database_errors_with_capped_backoff(settings):
    for task in (poll_feed, queue_due_feeds):
        assert OperationalError in task.autoretry_for
        assert task.retry_backoff == settings.CELERY_DB_RETRY_BACKOFF
        assert task.retry_backoff_max == settings.CELERY_DB_RETRY_BACKOFF_MAX
        assert task.retry_jitter is True
    # Without jitter the delays grow 2, 4, 8 ... seconds and stop growing at the cap.
    delays = [get_exponential_backoff_interval(poll_feed.retry_backoff, n, poll_feed.retry_backoff_max, False)
              for n in range(10)]
    assert delays[:4] == [2, 4, 8, 16] and max(delays) == settings.CELERY_DB_RETRY_BACKOFF_MAX


def test_a_poll_that_meets_an_unreachable_database_is_retried_and_stores_each_entry_once(
        db, feed_server, monkeypatch, caplog):
    feed_server.serve("/feed.xml", rss_of(3))
    feed = Feed.objects.create(url=feed_server.url("/feed.xml"))
    real_poll = sources.tasks.poll_feed_now
    attempts = []

    def database_down_at_first(feed_id, **kwargs):
        attempts.append(feed_id)
        if len(attempts) == 1:
            raise OperationalError("connection to server at 127.0.0.1 failed: the database system is starting up")
        return real_poll(feed_id, **kwargs)

    monkeypatch.setattr(sources.tasks, "poll_feed_now", database_down_at_first)
    with caplog.at_level(logging.INFO):
        result = poll_feed.apply(args=[feed.pk], throw=False)
    assert result.successful(), result.traceback
    assert len(attempts) == 2
    assert Report.objects.filter(feed=feed).count() == 3
