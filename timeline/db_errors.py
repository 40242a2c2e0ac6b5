"""Database trouble answered politely: 503 with Retry-After instead of a traceback or a hang.

Two cases reach here as django.db.OperationalError:
- a statement cut off by the web role's statement_timeout (PostgreSQL QueryCanceled): answered
  503 at once, since running the same pathological query again would be cut off again;
- a lost or refused connection (a restart, a failover): a safe request (GET/HEAD) is retried
  with backoff for up to DB_RETRY_SECONDS by DatabaseRetryMiddleware, then answered 503.
"""
import logging
import time

from django.conf import settings
from django.db import OperationalError, connections
from django.http import JsonResponse
from django.template.loader import render_to_string
from django.http import HttpResponse

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5
SAFE_METHODS = {"GET", "HEAD"}


def is_statement_timeout(exc):
    """Return True when exc (or its cause) is PostgreSQL's "canceling statement" error."""
    cause = exc.__cause__ or exc
    return getattr(getattr(cause, "diag", None), "sqlstate", None) == "57014" or \
        type(cause).__name__ == "QueryCanceled"


def wants_json(request):
    return request.path.startswith("/api/")


def unavailable_response(request, timeout):
    """Build the 503 page (or JSON under /api/); touches no database."""
    if timeout:
        detail = ("This request took too long and was stopped. Try a narrower filter or a "
                  "smaller page; if it keeps happening, tell us the address.")
    else:
        detail = "The database is briefly unavailable. Please try again in a few seconds."
    if wants_json(request):
        response = JsonResponse({"detail": detail}, status=503)
    else:
        html = render_to_string("errors/503.html", {"detail": detail, "timeout": timeout}, request=None)
        response = HttpResponse(html, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    response.database_unavailable = not timeout
    return response


def response_for_database_error(request, exc):
    timeout = is_statement_timeout(exc)
    if timeout:
        logger.warning("statement timeout on %s %s: %s", request.method, request.get_full_path(), exc)
    else:
        logger.error("database unavailable on %s %s: %s", request.method, request.get_full_path(), exc)
    return unavailable_response(request, timeout)


class DatabaseUnavailableMiddleware:
    """Turn a database OperationalError raised by a view into a friendly 503."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exc):
        if isinstance(exc, OperationalError):
            return response_for_database_error(request, exc)
        return None


def _drop_broken_connections():
    for conn in connections.all(initialized_only=True):
        if conn.in_atomic_block:
            continue
        # A connection that saw an error and no longer answers SELECT 1 is closed, so the next
        # query opens a new one.
        conn.close_if_unusable_or_obsolete()
        if conn.connection is not None and conn.errors_occurred:
            conn.close()


class DatabaseRetryMiddleware:
    """Retry a safe request whose database connection was lost (see the module docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method not in SAFE_METHODS or not getattr(response, "database_unavailable", False):
            return response
        budget = getattr(settings, "DB_RETRY_SECONDS", 8.0)
        deadline = time.monotonic() + budget
        delay = 0.1
        attempt = 1
        while time.monotonic() + delay < deadline:
            time.sleep(delay)
            _drop_broken_connections()
            attempt += 1
            response = self.get_response(request)
            if not getattr(response, "database_unavailable", False):
                logger.warning("database back after %d attempts for %s", attempt, request.path)
                return response
            delay = min(delay * 2, 2.0)
        return response
