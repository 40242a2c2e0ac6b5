"""The matcher index is built when a worker starts and before a poll takes its feed's lock,
never while a poll holds it."""
import pytest
from celery import signals
from django.db import connections

import config.celery
import sources.linking
import sources.polling
from sources.linking import current_matcher, forget_matcher
from sources.matching import Matcher
from sources.models import Feed, Report
from sources.polling import poll_feed_now
from tests.sources.feeds import rss_of
from timeline.models import Event


@pytest.fixture
def builds(monkeypatch):
    """Record each full build of a matcher index, in order with other recorded steps."""
    steps = []
    real_build = Matcher.build.__func__

    def build(cls, *args, **kwargs):
        steps.append("build")
        return real_build(cls, *args, **kwargs)

    monkeypatch.setattr(Matcher, "build", classmethod(build))
    forget_matcher()
    yield steps
    forget_matcher()


def test_a_worker_builds_the_index_when_it_starts_and_closes_its_connection_before_forking(
        seed, builds, monkeypatch):
    closed = []
    monkeypatch.setattr(connections, "close_all", lambda: closed.append(True))
    assert any(key[0] == "timeline.warm_matcher" for key, _ in signals.worker_init.receivers)

    config.celery.warm_matcher_before_the_first_task(sender=None)

    assert builds == ["build"] and closed == [True]
    assert len(current_matcher().index) == Event.objects.alive().count()
    assert builds == ["build"]  # the first task finds it ready


def test_a_failed_warm_up_is_logged_and_the_first_poll_builds_the_index(seed, builds, monkeypatch, caplog):
    monkeypatch.setattr(sources.linking, "timeline_version", lambda: 1 / 0)
    assert sources.linking.warm_matcher() is None
    assert "could not build the matcher index" in caplog.text and builds == []


def test_a_poll_builds_the_index_before_it_takes_the_feed_lock(seed, builds, feed_server, monkeypatch):
    feed_server.serve("/feed.xml", rss_of(2))
    feed = Feed.objects.create(url=feed_server.url("/feed.xml"))
    real_poll_locked = sources.polling._poll_locked

    def poll_locked(*args, **kwargs):
        builds.append("locked")
        return real_poll_locked(*args, **kwargs)

    monkeypatch.setattr(sources.polling, "_poll_locked", poll_locked)
    poll_feed_now(feed.pk)

    assert builds == ["build", "locked"]  # and no build while the lock was held
    assert Report.objects.filter(feed=feed, matched_at__isnull=False).count() == 2
