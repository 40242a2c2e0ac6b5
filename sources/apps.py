from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save


class SourcesConfig(AppConfig):
    name = "sources"
    verbose_name = "Feeds and reports"

    def ready(self):
        """Connect the receivers that keep events' matching documents current, each to its sender."""
        from sources import signals, tasks  # noqa: F401  (tasks: registered, since they are queued by name)
        from sources.models import ReportEventLink
        from timeline.models import Citation, Event, Program, Source, Statement

        def connect(signal, receiver, sender):
            signal.connect(receiver, sender=sender, dispatch_uid=f"sources.{receiver.__name__}.{sender.__name__}")

        connect(post_save, signals.event_saved, Event)
        connect(pre_delete, signals.event_deleted, Event)
        connect(post_delete, signals.event_deleted, Event)
        for relation in (Event.programs, Event.agencies, Event.organizations, Event.people):
            connect(m2m_changed, signals.event_relations_changed, relation.through)
        connect(post_save, signals.program_saved, Program)
        connect(post_save, signals.citation_changed, Citation)
        connect(post_delete, signals.citation_changed, Citation)
        connect(post_save, signals.source_saved, Source)
        connect(pre_save, signals.statement_moving, Statement)
        connect(post_save, signals.statement_changed, Statement)
        connect(post_delete, signals.statement_changed, Statement)
        connect(post_save, signals.link_saved, ReportEventLink)
