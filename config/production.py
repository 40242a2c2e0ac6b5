"""Production settings: refuse to start with unsafe values."""
from django.core.exceptions import ImproperlyConfigured

from config.settings import *  # noqa: F403
from config.settings import DEV_SECRET_KEY, REDIS_CACHE_URL, SECRET_KEY
from config.env import envbool, envint

DEBUG = envbool("DEBUG", False)
if DEBUG:
    raise ImproperlyConfigured("DEBUG must be off in production (unset DEBUG or set DEBUG=0)")
if not SECRET_KEY or SECRET_KEY == DEV_SECRET_KEY or len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a long random value in production, e.g. "
        "python -c 'import secrets; print(secrets.token_urlsafe(64))'"
    )

# Several web processes must share one cache (pages, their invalidation, throttle counts).
# WEB_CONCURRENCY is gunicorn's worker count (config/gunicorn.py checks the count it really runs).
if not REDIS_CACHE_URL and envint("WEB_CONCURRENCY", 1, 1) > 1:
    raise ImproperlyConfigured(
        "REDIS_CACHE_URL must name a shared cache (redis://host:6379/1) when WEB_CONCURRENCY > 1: "
        "each worker would otherwise keep its own page cache and throttle counts"
    )

# Behind nginx (deploy/nginx/), which redirects plain HTTP itself, set SECURE_SSL_REDIRECT=0.
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000, 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
X_FRAME_OPTIONS = "DENY"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
