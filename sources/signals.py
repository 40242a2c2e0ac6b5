"""Keep events' matching documents current, and re-score recent reports when curators add or
edit an event. Each receiver is connected to its sender in sources.apps."""
from django.contrib.contenttypes.models import ContentType

from sources.queueing import enqueue_on_commit
from sources.event_documents import forget_event_document, refresh_event_documents
from timeline.models import Event


def queue_rescoring():
    """Queue a re-scoring of recent unattached reports once the current transaction commits
    (a broker that is down is logged, never raised into the curator's save)."""
    enqueue_on_commit("sources.tasks.rescore_recent_reports")


def event_saved(sender, instance, raw=False, **kwargs):
    """An event saved (or soft-deleted): its document now. Re-scoring follows on commit, but
    not for loaddata (raw): a fixture is loaded, not curated. The admin saves an event's
    programs and agencies after the event itself, in the same transaction; m2m_changed
    refreshes the document again then."""
    refresh_event_documents([instance.pk])
    if not raw:
        queue_rescoring()


def event_relations_changed(sender, instance, action, reverse, pk_set, **kwargs):
    """Programs, agencies, organizations or people added to or removed from events."""
    if not action.startswith("post_"):
        return
    if not reverse:
        refresh_event_documents([instance.pk])
    elif pk_set:
        refresh_event_documents(pk_set)
    else:  # cleared from the other side: the events it was on are not known any more
        refresh_event_documents(instance.events.values_list("pk", flat=True))


def program_saved(sender, instance, **kwargs):
    """A program's name, aliases or summary are part of its events' documents."""
    refresh_event_documents(instance.events.values_list("pk", flat=True))


def citation_changed(sender, instance, **kwargs):
    """A source cited by an event: its headline is part of the event's document."""
    if instance.content_type_id == ContentType.objects.get_for_model(Event).pk:
        refresh_event_documents([instance.object_id])


def source_saved(sender, instance, **kwargs):
    """A source's headline, for the events citing it."""
    refresh_event_documents(instance.citations.filter(content_type=ContentType.objects.get_for_model(Event))
                            .values_list("object_id", flat=True))


def statement_moving(sender, instance, raw=False, **kwargs):
    """Note the event a statement is saved away from (pre_save), for statement_changed."""
    if instance.pk is not None and not raw:
        instance.previous_event_id = type(instance).objects.filter(pk=instance.pk).values_list(
            "event_id", flat=True).first()


def statement_changed(sender, instance, **kwargs):
    """A statement's quote is part of its event's document (and of the one it left)."""
    refresh_event_documents({instance.event_id, getattr(instance, "previous_event_id", None)} - {None})


def link_saved(sender, instance, **kwargs):
    """A link saved one at a time (a curator's decision): the event's coverage. Matching's bulk
    writes refresh the documents themselves (sources.linking)."""
    refresh_event_documents([instance.event_id])


def event_deleted(sender, instance, **kwargs):
    """An event deleted outright: its document goes, and its terms stop counting.

    Connected to pre_delete (before the database cascades the document away) and post_delete
    (the event's citations and statements are deleted before it, and their receivers rebuild
    its document while the event row still exists).
    """
    forget_event_document(instance.pk)
