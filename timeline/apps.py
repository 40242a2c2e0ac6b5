from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save


def record_fixture_history(sender, instance, raw=False, **kwargs):
    """Give records loaded from a fixture a first history version.

    django-simple-history skips raw saves, so without this the first curator edit of a seed
    record would leave nothing to revert to.
    """
    if not raw or sender._meta.app_label not in ("timeline", "sources"):
        return
    manager = getattr(sender, "history", None)
    if manager is None or not hasattr(manager, "bulk_history_create"):
        return
    manager.bulk_history_create([instance], default_change_reason="Loaded from fixture")


class TimelineConfig(AppConfig):
    name = "timeline"
    verbose_name = "Timeline"

    def ready(self):
        from timeline.permissions import ensure_curation_groups

        post_save.connect(record_fixture_history, dispatch_uid="timeline.record_fixture_history")
        post_migrate.connect(ensure_curation_groups, dispatch_uid="timeline.ensure_curation_groups")
        from timeline.api.row_cache import install_after_migrate

        post_migrate.connect(install_after_migrate, dispatch_uid="timeline.api.row_cache.install")
        from timeline.page_cache import bump_on_change

        for signal in (post_save, post_delete, m2m_changed):
            signal.connect(bump_on_change, dispatch_uid="timeline.page_cache.bump_on_change")
