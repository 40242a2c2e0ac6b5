from contextlib import contextmanager

from django.apps import AppConfig, apps
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save


def record_fixture_history(sender, instance, raw=False, **kwargs):
    """Give records loaded from a fixture a first history version.

    django-simple-history skips raw saves, so without this the first curator edit of a seed
    record would leave nothing to revert to.
    """
    if raw:
        sender.history.bulk_history_create([instance], default_change_reason="Loaded from fixture")


def _fixture_history_models():
    """Return the models with history whose fixture rows get a first version (timeline, sources)."""
    return [model for model in apps.get_models(include_auto_created=True)
            if model._meta.app_label in ("timeline", "sources")
            and hasattr(getattr(model, "history", None), "bulk_history_create")]


def _fixture_history_uid(model):
    return f"timeline.record_fixture_history:{model._meta.label}"


def connect_fixture_history():
    for model in _fixture_history_models():
        post_save.connect(record_fixture_history, sender=model, dispatch_uid=_fixture_history_uid(model))


@contextmanager
def fixture_history_skipped():
    """Load rows without adding first versions: a backup's rows already hold their history."""
    for model in _fixture_history_models():
        post_save.disconnect(record_fixture_history, sender=model, dispatch_uid=_fixture_history_uid(model))
    try:
        yield
    finally:
        connect_fixture_history()


class TimelineConfig(AppConfig):
    name = "timeline"
    verbose_name = "Timeline"

    def ready(self):
        from timeline import content_versions, page_cache
        from timeline.permissions import ensure_curation_groups

        post_migrate.connect(ensure_curation_groups, dispatch_uid="timeline.ensure_curation_groups")

        # Per sender, so that models nobody caches keep Django's fast delete (a receiver
        # connected with no sender turns it off for every model).
        connect_fixture_history()
        models = apps.get_models(include_auto_created=True)
        for receiver, watched in ((page_cache.bump_on_change, page_cache.watched_models(models)),
                                  (content_versions.bump_on_change, content_versions.watched_models(models))):
            for model in watched:
                for signal in (post_save, post_delete, m2m_changed):
                    signal.connect(receiver, sender=model, dispatch_uid=f"{receiver.__module__}:{model._meta.label}")
