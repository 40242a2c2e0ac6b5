"""Database trouble answered politely: 503 with Retry-After instead of a traceback or a hang.

Three cases reach here as django.db.OperationalError:
- a query past the database's limits (SQLite's "Expression tree is too large", PostgreSQL's
  class 54 "program limit exceeded"): the request is at fault, answered 400 and never retried;
- a statement cut off by the web role's statement_timeout (PostgreSQL QueryCanceled): answered
  503 at once, since running the same pathological query again would be cut off again;
- a lost or refused connection (a restart, a failover): a safe request (GET/HEAD) is retried
  with backoff by DatabaseRetryMiddleware, then answered 503. The retry budget,
  DB_RETRY_SECONDS, counts from the start of the outage as this process saw it, not from each
  request: once it is spent, requests answer 503 at once until the database answers again, so a
  long outage does not hold every worker in retries (and /healthz behind them).
"""
import logging
import threading
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


# SQLite reports its limits only in the message text.
_SQLITE_LIMIT_MESSAGES = ("expression tree is too large", "too many sql variables", "too many terms",
                          "pattern too complex", "string or blob too big", "parser stack overflow")


def is_query_too_complex(exc):
    """Return True when exc says the query itself is beyond the database's limits."""
    cause = exc.__cause__ or exc
    sqlstate = getattr(getattr(cause, "diag", None), "sqlstate", None) or ""
    if sqlstate.startswith("54"):  # PostgreSQL: program_limit_exceeded, statement_too_complex, ...
        return True
    message = str(cause).lower()
    return any(limit in message for limit in _SQLITE_LIMIT_MESSAGES)


def too_complex_response(request):
    """Build the 400 for a query past the database's limits; touches no database."""
    detail = "This request asks for a query too large to run. Use fewer words or filters."
    if wants_json(request):
        return JsonResponse({"detail": detail}, status=400)
    html = render_to_string("errors/error.html", {"status": 400, "title": "Bad request", "message": detail},
                            request=None)
    return HttpResponse(html, status=400)


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
    if is_query_too_complex(exc):
        logger.warning("query too complex on %s %s: %s", request.method, request.get_full_path()[:300], exc)
        return too_complex_response(request)
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


class Outage:
    """When this process first saw the database unreachable (None while it answers)."""

    _lock = threading.Lock()
    started = None

    @classmethod
    def retry_deadline(cls, budget):
        """Mark the outage begun (if not yet) and return until when requests may retry."""
        with cls._lock:
            if cls.started is None:
                cls.started = time.monotonic()
            return cls.started + budget

    @classmethod
    def end(cls):
        with cls._lock:
            cls.started = None


class DatabaseRetryMiddleware:
    """Retry a safe request whose database connection was lost (see the module docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not getattr(response, "database_unavailable", False):
            if Outage.started is not None:
                Outage.end()
            return response
        if request.method not in SAFE_METHODS:
            return response
        deadline = Outage.retry_deadline(getattr(settings, "DB_RETRY_SECONDS", 8.0))
        delay = 0.1
        attempt = 1
        while (remaining := deadline - time.monotonic()) > 0:
            time.sleep(min(delay, remaining))
            _drop_broken_connections()
            attempt += 1
            response = self.get_response(request)
            if not getattr(response, "database_unavailable", False):
                logger.warning("database back after %d attempts for %s", attempt, request.path)
                Outage.end()
                return response
            delay = min(delay * 2, 2.0)
        return response
