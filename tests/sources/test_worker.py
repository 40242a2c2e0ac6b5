"""A real Celery worker and beat, with Redis, polling feeds served on 127.0.0.1.

Run by .ci/run's PostgreSQL stage (CELERY_BROKER_URL set; skipped otherwise). The worker is a
subprocess using the test's own database, so these tests commit their data (transactional_db).
"""
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection
from django.utils import timezone

from config.celery import app
from sources.models import Feed, Report
from sources.tasks import poll_feed
from tests.sources.feeds import rss_of

pytestmark = [pytest.mark.worker, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[2]


def database_url():
    s = connection.settings_dict
    auth = quote(s["USER"] or "", safe="") + (":" + quote(s["PASSWORD"], safe="") if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{quote(s['NAME'], safe='')}"


class Worker:
    """`celery worker` in its own process group, logging to a file."""

    def __init__(self, tmp_path, *, beat=False, **env):
        if connection.vendor != "postgresql":
            pytest.skip("the worker must share the test database: run these tests on PostgreSQL")
        self.log = tmp_path / f"worker-{uuid.uuid4().hex[:6]}.log"
        self.env = dict(os.environ, DATABASE_URL=database_url(), FEED_ALLOW_LOOPBACK="1",
                        DJANGO_SETTINGS_MODULE="config.settings", **env)
        self.args = [sys.executable, "-m", "celery", "-A", "config", "worker", "--concurrency=1", "--pool=prefork",
                     "--loglevel=INFO", "--without-gossip", "--without-mingle",
                     f"--hostname=feeds-test-{uuid.uuid4().hex[:8]}@%h"]
        if beat:
            self.args += ["--beat", f"--schedule={tmp_path / 'beat-schedule'}"]
        self.process = None

    def start(self):
        self.process = subprocess.Popen(self.args, cwd=ROOT, env=self.env, stdout=self.log.open("ab"),
                                        stderr=subprocess.STDOUT, start_new_session=True)
        return self

    def pool_children(self):
        try:
            text = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text()
        except OSError:
            return []
        return [int(pid) for pid in text.split()]

    def kill(self):
        """SIGKILL the worker and its pool: what a crashed machine does."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def tail(self):
        return self.log.read_text(errors="replace")[-4000:] if self.log.exists() else ""


@pytest.fixture
def workers(transactional_db):
    app.control.purge()  # nothing left on our broker database from an earlier run
    started = []

    def start(tmp_path, **kwargs):
        worker = Worker(tmp_path, **kwargs).start()
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.kill()
    app.control.purge()


def wait_for(predicate, timeout, worker, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.25)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}; worker log:\n{worker.tail()}")


def test_beat_queues_a_due_feed_and_the_worker_stores_its_reports(workers, feed_server, tmp_path):
    feed = Feed.objects.create(url=feed_server.serve("/feed.xml", rss_of(5), headers={"ETag": '"w1"'}),
                               next_poll_at=timezone.now(), poll_interval=timedelta(hours=1))
    worker = workers(tmp_path, beat=True, FEED_QUEUE_INTERVAL="1")
    wait_for(lambda: Report.objects.filter(feed=feed).count() == 5, 60, worker, "5 reports")
    feed.refresh_from_db()
    assert (feed.last_status, feed.etag, feed.last_error) == (200, '"w1"', "")
    assert feed.next_poll_at > timezone.now() + timedelta(minutes=50)
    # Not due again for an hour: beat keeps ticking but does not queue it a second time.
    time.sleep(3)
    assert len(feed_server.requests_for("/feed.xml")) == 1


class HangsOnce:
    """Serves a feed, except that the first request hangs until the test lets it go."""

    def __init__(self, body):
        self.body = body
        self.first_request = threading.Event()
        self.release = threading.Event()
        self.calls = 0

    def __call__(self, handler):
        self.calls += 1
        if self.calls == 1:
            self.first_request.set()
            self.release.wait(60)
            return
        handler._send(200, self.body, {})


def test_a_worker_process_killed_mid_poll_is_replaced_and_the_poll_redone_once(workers, feed_server, tmp_path):
    route = feed_server.routes["/feed.xml"] = HangsOnce(rss_of(6))
    feed = Feed.objects.create(url=feed_server.url("/feed.xml"), next_poll_at=timezone.now() + timedelta(days=1))
    worker = workers(tmp_path, FEED_READ_TIMEOUT="60")
    wait_for(lambda: worker.pool_children(), 30, worker, "the worker's pool process")
    poll_feed.delay(feed.pk)
    wait_for(route.first_request.is_set, 30, worker, "the poll to start")
    (child,) = worker.pool_children()
    os.kill(child, signal.SIGKILL)  # the process running the task dies mid-poll, row lock held
    route.release.set()

    # reject_on_worker_lost puts the task back; a new pool process polls again and stores once.
    wait_for(lambda: Report.objects.filter(feed=feed).count() == 6, 60, worker, "6 reports")
    poll_feed.delay(feed.pk)  # and a duplicate delivery changes nothing
    wait_for(lambda: route.calls >= 3, 30, worker, "the third poll")
    time.sleep(1)
    assert Report.objects.filter(feed=feed).count() == 6
    assert "WorkerLostError" in worker.tail() or "SIGKILL" in worker.tail()


def test_a_whole_worker_killed_mid_poll_and_restarted_loses_and_duplicates_nothing(workers, feed_server, tmp_path):
    route = feed_server.routes["/feed.xml"] = HangsOnce(rss_of(7))
    feed = Feed.objects.create(url=feed_server.url("/feed.xml"), next_poll_at=timezone.now() + timedelta(days=1))
    # A 10 s task time limit gives a 40 s broker visibility timeout (config.settings): the
    # unacknowledged task comes back to the restarted worker after that (swept every 2 s).
    env = {"FEED_READ_TIMEOUT": "60", "CELERY_TASK_TIME_LIMIT": "10", "CELERY_UNACKED_RESTORE_INTERVAL": "2"}
    first = workers(tmp_path, **env)
    wait_for(lambda: first.pool_children(), 30, first, "the worker's pool process")
    poll_feed.delay(feed.pk)
    wait_for(route.first_request.is_set, 30, first, "the poll to start")
    first.kill()
    route.release.set()
    assert Report.objects.filter(feed=feed).count() == 0

    second = workers(tmp_path, **env)
    wait_for(lambda: Report.objects.filter(feed=feed).count() == 7, 90, second, "7 reports after the restart")
    time.sleep(2)
    assert Report.objects.filter(feed=feed).count() == 7
    assert route.calls == 2
