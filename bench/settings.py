"""Settings for bench/api.py: the project's settings, production-like (DEBUG off, so Django does
not record every query), no throttling limits in the way, plus the plain comparison view."""
from config.settings import *  # noqa: F401,F403
from config.settings import REST_FRAMEWORK

DEBUG = False
ROOT_URLCONF = "bench.urls"
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "100000000/minute", "user": "100000000/minute"}}
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
# One connection per gunicorn worker for the whole run (the project's settings reconnect to
# SQLite on every request, which re-reads the schema each time); Datasette keeps its connection
# too. Applies to both Django URLs alike.
DATABASES["default"]["CONN_MAX_AGE"] = None  # noqa: F405
