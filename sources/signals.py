"""When curators add or edit an event, re-score recent reports that no event holds yet."""
from django.db.models.signals import post_save
from django.dispatch import receiver

from timeline.models import Event


def queue_rescoring():
    """Queue a re-scoring of recent unattached reports once the current transaction commits
    (a broker that is down is logged, never raised into the curator's save)."""
    from config.celery import enqueue_on_commit
    from sources.tasks import rescore_recent_reports

    enqueue_on_commit(rescore_recent_reports)


@receiver(post_save, sender=Event, dispatch_uid="sources_rescore_on_event_save")
def event_saved(sender, instance, raw=False, **kwargs):
    # Not for loaddata (raw): a fixture is loaded, not curated. The admin saves an event's
    # programs and agencies after the event itself, in the same transaction, so the re-scoring
    # queued on commit sees them.
    if not raw:
        queue_rescoring()
