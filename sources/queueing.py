"""Queue Celery tasks from the web and from other tasks, and the retry options tasks share.

Tasks are named ("sources.tasks.match_reports"), not imported: code that queues work need not
import the module that does it.
"""
import logging

from celery import current_app
from django.conf import settings
from django.db import InterfaceError, OperationalError, transaction

logger = logging.getLogger(__name__)


def enqueue_on_commit(task, *args, **kwargs):
    """Queue `task` (a task's name, a task or a signature) once the current transaction
    commits; never raise into the caller.

    A web request that queues work must not hang or fail because the broker is down: the
    publish is short (CELERY_BROKER_CONNECT_TIMEOUT, CELERY_TASK_PUBLISH_RETRY_POLICY) and a
    failure is logged and dropped (periodic tasks such as the due-feed scan pick the work up
    again). Without a broker, tasks run eagerly, in-process.
    """
    if isinstance(task, str):
        task = current_app.signature(task)

    def send():
        try:
            task.apply_async(args=args, kwargs=kwargs)
        except Exception:
            name = getattr(task, "name", None) or getattr(task, "task", repr(task))
            logger.exception("could not queue %s%r: broker unreachable?", name, args)

    transaction.on_commit(send)


def database_retry_options():
    """Celery task options: retry with capped, jittered backoff while the database is unreachable.

        @shared_task(bind=True, acks_late=True, **database_retry_options())
        def poll_feed(self, feed_id): ...

    Each retry is logged by Celery ("Retry in 4s: OperationalError(...)"); Celery's Django
    fixup closes the broken connection after the failed run, so the retry reconnects.
    """
    return {
        "autoretry_for": (OperationalError, InterfaceError),
        "retry_backoff": settings.CELERY_DB_RETRY_BACKOFF,
        "retry_backoff_max": settings.CELERY_DB_RETRY_BACKOFF_MAX,
        "retry_jitter": True,
        "max_retries": settings.CELERY_DB_RETRY_MAX_RETRIES,
    }
