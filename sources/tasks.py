"""Celery doors to feed polling. The work is in sources.polling; these take ids and return small
summaries (results are ignored by default)."""
from celery import shared_task
from django.db import transaction
from django.db.models import DateTimeField, ExpressionWrapper, F, Value
from django.utils import timezone

from sources.linking import attach_reports_to_events, rescore_recent_reports as rescore
from sources.models import Feed, Report
from sources.polling import poll_feed_now, queue_poll
from sources.queueing import database_retry_options


# While the database is briefly unreachable (a restart, a failover) these retry with capped,
# jittered exponential backoff, each retry logged by Celery (sources.queueing.database_retry_options).
@shared_task(acks_late=True, reject_on_worker_lost=True, **database_retry_options())
def poll_feed(feed_id, force=False):
    """Poll one feed. Safe to run twice or at once on two workers: the feed's row lock lets one
    poll run and the other return "busy"; reports are unique per entry either way. Retried with
    backoff while the database is unreachable (everything else is recorded on the Feed)."""
    return str(poll_feed_now(feed_id, force=force))


@shared_task(acks_late=True, **database_retry_options())
def queue_due_feeds():
    """Queue a poll of every feed that is due (beat runs this every FEED_QUEUE_INTERVAL seconds).

    Moves each queued feed's next poll time on by its interval first, so the next beat tick does
    not queue it again while it waits in the queue; the poll sets the real next time. Polls are
    sent once this transaction commits.
    """
    now = timezone.now()
    with transaction.atomic():
        due = list(Feed.objects.due(now).select_for_update(skip_locked=True).only("id"))
        Feed.objects.filter(pk__in=[f.pk for f in due]).update(
            next_poll_at=ExpressionWrapper(Value(now) + F("poll_interval"), output_field=DateTimeField()))
        for feed in due:
            queue_poll(feed.pk)
    return len(due)


@shared_task(acks_late=True, reject_on_worker_lost=True, **database_retry_options())
def match_reports(report_ids):
    """Match stored reports to events (copies, links, suggestions). Safe to run twice: links are
    unique per report and event, and curators' decisions are never changed."""
    with transaction.atomic():
        reports = list(Report.objects.filter(pk__in=report_ids).order_by("id"))
        attach_reports_to_events(reports)
    return len(reports)


@shared_task(acks_late=True, reject_on_worker_lost=True, **database_retry_options())
def rescore_recent_reports():
    """Re-match recent reports no event holds yet (queued when curators add or edit an event)."""
    return rescore()
