"""Queueing from a web request with the broker down neither hangs nor fails the request; tasks
that hit the database retry with backoff."""
import json
import os
import subprocess
import sys
from pathlib import Path

from sources.queueing import enqueue_on_commit
from tests.private_redis import free_port, private_redis  # noqa: F401 (fixture)

ROOT = Path(__file__).resolve().parents[2]

QUEUE_IN_A_TRANSACTION = """
import json, logging, time, django
django.setup()
from django.db import transaction
from config.celery import app
from sources.queueing import enqueue_on_commit
records = []
class Keep(logging.Handler):
    def emit(self, record):
        records.append(record.getMessage())
logging.getLogger("sources.queueing").addHandler(Keep())
started = time.monotonic()
with transaction.atomic():
    enqueue_on_commit(app.signature("sources.tasks.poll_feed"), 42)
print(json.dumps({"seconds": time.monotonic() - started, "logged": records}))
"""


def _queue(broker_url, tmp_path):
    env = dict(os.environ, CELERY_BROKER_URL=broker_url, DATABASE_URL=f"sqlite:///{tmp_path / 'q.sqlite3'}",
               DJANGO_SETTINGS_MODULE="config.settings")
    result = subprocess.run([sys.executable, "-c", QUEUE_IN_A_TRANSACTION], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_queueing_with_the_broker_down_logs_and_returns_quickly(tmp_path):
    outcome = _queue(f"redis://127.0.0.1:{free_port()}/0", tmp_path)
    assert outcome["seconds"] < 5
    assert outcome["logged"] == ["could not queue sources.tasks.poll_feed(42,): broker unreachable?"]


def test_queueing_with_the_broker_up_delivers_the_message(tmp_path, private_redis):
    import redis

    outcome = _queue(private_redis.url, tmp_path)
    assert outcome["logged"] == []
    client = redis.Redis.from_url(private_redis.url)
    assert client.llen("celery") == 1
    assert b"sources.tasks.poll_feed" in client.lindex("celery", 0)


def test_database_retry_options_back_off_on_operational_errors(settings):
    from django.db import OperationalError

    from sources.queueing import database_retry_options

    options = database_retry_options()
    assert OperationalError in options["autoretry_for"]
    assert options["retry_backoff"] == settings.CELERY_DB_RETRY_BACKOFF
    assert options["retry_backoff_max"] == settings.CELERY_DB_RETRY_BACKOFF_MAX
    assert options["retry_jitter"] is True and options["max_retries"] >= 1


def test_a_task_queued_by_name_runs_in_process_without_a_broker(db, django_capture_on_commit_callbacks):
    from sources.models import Feed

    feed = Feed.objects.create(url="https://127.0.0.1/feed.xml")  # refused by the fetcher, no network
    with django_capture_on_commit_callbacks(execute=True):
        enqueue_on_commit("sources.tasks.poll_feed", feed.pk)
    feed.refresh_from_db()
    assert feed.last_polled_at is not None and feed.last_error  # the poll ran, in-process
