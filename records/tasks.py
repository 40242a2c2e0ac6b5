"""Celery doors to the primary-record syncs (records.syncing); beat queues due watches."""
from celery import shared_task
from django.db import transaction
from django.db.models import DateTimeField, ExpressionWrapper, F, Value
from django.utils import timezone

from sources.queueing import database_retry_options, enqueue_on_commit
from records.models import AwardWatch, RegisterWatch
from records.syncing import sync_award_watch, sync_register_watch


@shared_task(acks_late=True, reject_on_worker_lost=True, **database_retry_options())
def sync_award_watch_task(watch_id, force=False):
    """Sync one award watch. Safe to run twice: awards are unique by their generated id and an
    unchanged award is not fetched again."""
    return str(sync_award_watch(watch_id, force=force))


@shared_task(acks_late=True, reject_on_worker_lost=True, **database_retry_options())
def sync_register_watch_task(watch_id, force=False):
    """Sync one Federal Register watch. Safe to run twice: documents are unique by number."""
    return str(sync_register_watch(watch_id, force=force))


@shared_task(acks_late=True, **database_retry_options())
def queue_due_watches():
    """Queue a sync of every due watch (beat, every RECORDS_QUEUE_INTERVAL seconds). Each queued
    watch's next sync moves on by its interval first, so the next tick does not queue it again."""
    now = timezone.now()
    queued = 0
    with transaction.atomic():
        for model, task in ((AwardWatch, sync_award_watch_task), (RegisterWatch, sync_register_watch_task)):
            due = list(model.objects.due(now).select_for_update(skip_locked=True).only("id"))
            model.objects.filter(pk__in=[w.pk for w in due]).update(
                next_sync_at=ExpressionWrapper(Value(now) + F("sync_interval"), output_field=DateTimeField()))
            for watch in due:
                enqueue_on_commit(task, watch.pk)
            queued += len(due)
    return queued
