"""The Celery app: configured from Django settings under the CELERY_ namespace."""
import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("timeline")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.worker_init.connect(dispatch_uid="timeline.warm_matcher")
def warm_matcher_before_the_first_task(sender=None, **kwargs):
    """Build the matcher index when a worker starts, not inside its first poll.

    worker_init runs in the worker's main process before the pool forks (prefork), so the
    children inherit the index ready-built (and it counts against no child start-up timeout);
    with the solo pool that process runs the tasks itself. The database connection opened for
    the build is closed before the fork: a child must never share its parent's connection.
    """
    from django.db import connections

    from sources.linking import warm_matcher

    warm_matcher()
    connections.close_all()


def enqueue_on_commit(task, *args, **kwargs):
    """Queue `task` once the current transaction commits; never raise into the caller.

    A web request that queues work must not hang or fail because the broker is down: the
    publish is short (CELERY_BROKER_CONNECT_TIMEOUT, CELERY_TASK_PUBLISH_RETRY_POLICY) and a
    failure is logged and dropped (periodic tasks such as the due-feed scan pick the work up
    again). `task` is a task or a signature.
    """
    import logging

    from django.db import transaction

    def send():
        try:
            task.apply_async(args=args, kwargs=kwargs)
        except Exception:
            name = getattr(task, "name", None) or getattr(task, "task", repr(task))
            logging.getLogger("config.celery").exception("could not queue %s%r: broker unreachable?", name, args)

    transaction.on_commit(send)


def database_retry_options():
    """Celery task options: retry with capped, jittered backoff while the database is unreachable.

        @shared_task(bind=True, acks_late=True, **database_retry_options())
        def poll_feed(self, feed_id): ...

    Each retry is logged by Celery ("Retry in 4s: OperationalError(...)"); Celery's Django
    fixup closes the broken connection after the failed run, so the retry reconnects.
    """
    from django.conf import settings
    from django.db import InterfaceError, OperationalError

    return {
        "autoretry_for": (OperationalError, InterfaceError),
        "retry_backoff": settings.CELERY_DB_RETRY_BACKOFF,
        "retry_backoff_max": settings.CELERY_DB_RETRY_BACKOFF_MAX,
        "retry_jitter": True,
        "max_retries": settings.CELERY_DB_RETRY_MAX_RETRIES,
    }
