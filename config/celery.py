"""The Celery app: configured from Django settings under the CELERY_ namespace.

Helpers for queueing and retrying live with the tasks (sources.queueing); this module imports
nothing of the project's apps.
"""
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("timeline")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
