"""gunicorn's settings for production (`gunicorn -c config/gunicorn.py config.wsgi:application`).

Used by docker-compose.yml and the CI's slow-client check, behind nginx (deploy/nginx/), which
buffers requests and responses so that slow clients never hold a worker.

Each worker keeps its own page cache and throttle counts unless REDIS_CACHE_URL names a shared
cache: with more than one worker and none, edits would show on some requests and not others,
and throttles would be as many times looser. So gunicorn refuses to start like that.
"""
import os

from config.env import envint, envstr

bind = envstr("GUNICORN_BIND", "0.0.0.0:8000")
workers = envint("WEB_CONCURRENCY", 3, 1)
timeout = envint("GUNICORN_TIMEOUT", 30, 1)
graceful_timeout = 10
accesslog = "-"
# gunicorn believes no one's X-Forwarded-Proto (it would set wsgi.url_scheme from it, which
# Django falls back to): the app alone decides, from TRUSTED_PROXY_COUNT (timeline/client_address.py).
forwarded_allow_ips = ""


def refuse_unshared_cache(worker_count, environ):
    """Raise RuntimeError when several workers would each keep their own cache."""
    if worker_count > 1 and not environ.get("REDIS_CACHE_URL"):
        raise RuntimeError(
            f"{worker_count} gunicorn workers without REDIS_CACHE_URL: each would keep its own page cache "
            "and throttle counts. Set REDIS_CACHE_URL (redis://host:6379/1) or run one worker (WEB_CONCURRENCY=1)."
        )


def on_starting(server):
    refuse_unshared_cache(server.cfg.workers, os.environ)
