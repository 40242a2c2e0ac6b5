"""Sync one stored watch by id: what the task and the commands both call."""
from records.awards import sync_awards
from records.federal_register import queries_of_watch, sync_federal_register
from records.models import AwardWatch, RegisterWatch
from records.usaspending import AwardQuery


def sync_award_watch(watch_id, *, force=False, progress=None):
    """Sync award watch `watch_id` (skipped when paused unless `force`). Returns the result or
    None when the watch is gone or paused. Hits the network and the database."""
    watch = AwardWatch.objects.select_related("program").filter(pk=watch_id).first()
    if watch is None or (not watch.enabled and not force):
        return None
    return sync_awards(AwardQuery.of_watch(watch), watch=watch, progress=progress)


def sync_register_watch(watch_id, *, force=False, progress=None):
    watch = RegisterWatch.objects.select_related("program").filter(pk=watch_id).first()
    if watch is None or (not watch.enabled and not force):
        return None
    return sync_federal_register(queries_of_watch(watch), watch=watch, progress=progress)
