"""Poll one feed: fetch it, store its entries, record how it went. The work behind the task.

A poll holds a row lock on its Feed for its whole length (SELECT ... FOR UPDATE SKIP LOCKED):
a second poll of the same feed, on any machine, finds the row locked and returns at once
instead of waiting or polling twice. The lock belongs to the database transaction, so a worker
that dies mid-poll releases it with its connection, and everything the poll had not committed
(reports and the new ETag alike) is rolled back: the retried task starts from scratch and the
unique keys make it store each entry once. SQLite has no row locks; it serialises writers
instead, and runs tasks in-process (eager Celery).
"""
import logging
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone

from sources.fetch import FetchError, fetch_feed
from sources.ingest import UnusableDocument, ingest_feed_document
from sources.models import Feed
from sources.queueing import enqueue_on_commit

logger = logging.getLogger(__name__)


@dataclass
class PollResult:
    feed_id: int
    outcome: str  # "stored", "not-modified", "failed", "busy", "paused", "gone"
    status: int | None = None
    error: str = ""
    warning: str = ""
    outcomes: list = field(default_factory=list)

    @property
    def created(self):
        return sum(1 for o in self.outcomes if o.created)

    def __str__(self):
        if self.outcome == "stored":
            return f"feed {self.feed_id}: {len(self.outcomes)} entries, {self.created} new"
        return f"feed {self.feed_id}: {self.outcome}" + (f" ({self.error})" if self.error else "")


def poll_feed_now(feed_id, *, force=False, match=True):
    """Fetch feed `feed_id` and ingest it, in one transaction holding the feed's row lock.

    Never raises for anything the feed or its server does: failures are recorded on the Feed
    (last error, status, backoff) and returned. Skips paused feeds unless `force`.
    Hits the network and the database.
    """
    with transaction.atomic():
        feed = Feed.objects.select_for_update(skip_locked=True).filter(pk=feed_id).first()
        if feed is None:
            outcome = "busy" if Feed.objects.filter(pk=feed_id).exists() else "gone"
            return PollResult(feed_id, outcome)
        if not feed.enabled and not force:
            return PollResult(feed_id, "paused")
        result = _poll_locked(feed, match=match)
        feed.save()
        return result


def queue_poll(feed_id, force=False):
    """Queue a poll of a feed once the current transaction commits (no query). A broker that is
    down is logged, not raised (sources.queueing.enqueue_on_commit): beat's scan of due feeds
    queues the feed again."""
    enqueue_on_commit("sources.tasks.poll_feed", feed_id, force=force)


def _poll_locked(feed, *, match):
    now = timezone.now()
    try:
        fetched = fetch_feed(feed.url, etag=feed.etag, last_modified=feed.last_modified)
    except FetchError as exc:
        feed.record_failure(now, str(exc), status=exc.status, min_delay=exc.retry_after)
        logger.info("poll of feed %s failed: %s", feed.pk, exc)
        return PollResult(feed.pk, "failed", status=exc.status, error=str(exc))
    except Exception as exc:  # noqa: BLE001 - no exception escapes a poll
        logger.exception("poll of feed %s failed unexpectedly", feed.pk)
        feed.record_failure(now, f"internal error while fetching: {type(exc).__name__}: {exc}")
        return PollResult(feed.pk, "failed", error=feed.last_error)

    server_delay = max(filter(None, [fetched.max_age, fetched.retry_after]), default=None)
    moved = follow_permanent_move(feed, fetched.moved_to)
    if fetched.status == 304:
        feed.record_success(now, 304, min_delay=server_delay, warning=_joined(moved, feed.last_warning))
        return PollResult(feed.pk, "not-modified", status=304, warning=moved)
    try:
        # A savepoint: a failure while storing undoes the partial work but not the bookkeeping.
        with transaction.atomic():
            ingested = ingest_feed_document(feed, fetched.body, fetched_at=now, content_type=fetched.content_type,
                                            base_url=fetched.url, match=match)
    except UnusableDocument as exc:
        feed.record_failure(now, str(exc), status=fetched.status)
        return PollResult(feed.pk, "failed", status=fetched.status, error=str(exc))
    except Exception as exc:  # noqa: BLE001 - no exception escapes a poll
        logger.exception("ingesting feed %s failed unexpectedly", feed.pk)
        feed.record_failure(now, f"internal error while storing: {type(exc).__name__}: {exc}", status=fetched.status)
        return PollResult(feed.pk, "failed", status=fetched.status, error=feed.last_error)
    warning = _joined(moved, ingested.warning)
    feed.record_success(now, fetched.status, etag=fetched.etag or "", last_modified=fetched.last_modified or "",
                        min_delay=server_delay, warning=warning)
    if ingested.title and not feed.title:
        feed.title = ingested.title
    return PollResult(feed.pk, "stored", status=fetched.status, warning=warning, outcomes=ingested.outcomes)


def follow_permanent_move(feed, moved_to):
    """When every redirect was permanent (301, 308), poll the new address from now on, unless
    another feed already polls it. Return a note for the feed's warning, or ""."""
    if not moved_to or moved_to == feed.url:
        return ""
    taken = (f"This feed moved permanently to {moved_to}, which another feed already polls; "
             "its address was left unchanged (disable one of the two).")
    if Feed.objects.filter(url=moved_to).exclude(pk=feed.pk).exists():
        return taken
    try:
        # A savepoint: a feed added with that address meanwhile must not undo the poll.
        with transaction.atomic():
            Feed.objects.filter(pk=feed.pk).update(url=moved_to)
    except IntegrityError:
        return taken
    previous, feed.url = feed.url, moved_to
    logger.info("feed %s moved permanently from %s to %s", feed.pk, previous, moved_to)
    return f"This feed moved permanently from {previous}; its address was updated to {moved_to}."


def _joined(*notes):
    return " ".join(note for note in notes if note)
