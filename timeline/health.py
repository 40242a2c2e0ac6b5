"""/healthz: is the database reachable, is the broker, is the shared cache.

Answered by a middleware placed after the security headers and before everything that reads the
Host header or the database, so that load balancers and container healthchecks get an answer
whatever Host they send, without an HTTPS redirect (SECURE_REDIRECT_EXEMPT), and never held in
database retries. 200 while the database answers, even with Redis down (the site keeps serving;
the status says "degraded"); 503 "down" when the database does not answer.

The public sees {"status": "ok" | "degraded" | "down"} only: connection errors name hosts and
ports. The timings and error details go to requests from the machine itself (a container
healthcheck, an operator's curl) and to signed-in staff.
"""
import ipaddress
import logging
import time
from importlib import import_module

from django.conf import settings
from django.contrib.auth import get_user
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse

logger = logging.getLogger(__name__)

HEALTH_PATHS = {"/healthz", "/healthz/"}
CHECK_TIMEOUT = 1.0


def _timed(check):
    started = time.monotonic()
    try:
        detail = check()
        ok = True
    except Exception as exc:  # a health report names any failure instead of raising it
        ok, detail = False, f"{type(exc).__name__}: {exc}".strip()[:300]
    result = {"ok": ok, "ms": round((time.monotonic() - started) * 1000, 1)}
    if detail:
        result["detail"] = detail
    return result


def check_database():
    """Run SELECT 1 on the default database (hits the database)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return None


def _ping_redis(url):
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=CHECK_TIMEOUT, socket_timeout=CHECK_TIMEOUT)
    try:
        client.ping()
    finally:
        client.close()


def check_broker():
    """Connect to the Celery broker (a Redis PING, or a kombu connection for other brokers)."""
    url = settings.CELERY_BROKER_URL
    if not url:
        return "not configured: tasks run in-process"
    if url.startswith(("redis://", "rediss://")):
        _ping_redis(url)
        return None
    from kombu import Connection

    with Connection(url, connect_timeout=CHECK_TIMEOUT) as conn:
        conn.ensure_connection(max_retries=1)
    return None


def check_cache():
    """Ping the shared cache when it is Redis; a per-process cache is always up."""
    ping = getattr(cache, "ping", None)
    if ping is None:
        return "per-process cache"
    ping()
    return None


def health_report():
    """Return (HTTP status, report dict)."""
    report = {
        "database": _timed(check_database),
        "broker": _timed(check_broker),
        "cache": _timed(check_cache),
    }
    if not report["database"]["ok"]:
        status, code = "down", 503
        # Do not keep a broken connection for the next request.
        connection.close_if_unusable_or_obsolete()
    elif report["broker"]["ok"] and report["cache"]["ok"]:
        status, code = "ok", 200
    else:
        status, code = "degraded", 200
    if code != 200 or status != "ok":
        logger.warning("health %s: %s", status, report)
    return code, {"status": status, **report}


def _is_local(request):
    try:
        return ipaddress.ip_address(request.META.get("REMOTE_ADDR", "")).is_loopback
    except ValueError:
        return False


def _is_staff(request):
    """Whether the session cookie belongs to an active staff user (hits the database)."""
    session_key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    if not session_key:
        return False
    request.session = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
    try:
        user = get_user(request)
    except Exception:  # noqa: BLE001 - an unreadable session is simply not staff
        logger.warning("health: could not read the session", exc_info=True)
        return False
    return user.is_active and user.is_staff


def may_see_details(request, database_ok):
    """Localhost always; staff only while the database answers (their session lives there)."""
    return _is_local(request) or (database_ok and _is_staff(request))


class HealthCheckMiddleware:
    """Answer GET/HEAD /healthz with the health report (see the module docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path in HEALTH_PATHS and request.method in ("GET", "HEAD"):
            code, report = health_report()
            if not may_see_details(request, report["database"]["ok"]):
                report = {"status": report["status"]}
            response = JsonResponse(report, status=code)
            response["Cache-Control"] = "no-store"
            return response
        return self.get_response(request)
