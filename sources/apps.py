from django.apps import AppConfig


class SourcesConfig(AppConfig):
    name = "sources"
    verbose_name = "Feeds and reports"

    def ready(self):
        from sources import signals  # noqa: F401  (re-scoring when curators edit events)
