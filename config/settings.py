"""Settings for every environment, read from environment variables.

With nothing set, the project runs for development: SQLite in ./var/, Celery tasks executed
in-process, DEBUG on. Production uses config.production, which refuses unsafe values.
"""
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from config.env import envbool, envfloat, envint, envlist, envstr
from timeline.security import policy_directives

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(envstr("VAR_DIR", str(BASE_DIR / "var")))

DEBUG = envbool("DEBUG", True)
# A development-only key: config.production refuses to start with it.
DEV_SECRET_KEY = "dev-only-insecure-key-never-use-in-production"
SECRET_KEY = envstr("SECRET_KEY") or DEV_SECRET_KEY
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")
# The public base URL for absolute addresses; empty: each request's own scheme, host and port
# (timeline.site.site_url).
SITE_URL = envstr("SITE_URL", "").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "corsheaders",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "simple_history",
    "axes",
    "timeline",
    "sources",
    "records",
]

MIDDLEWARE = [
    # Production hardening (timeline/): take the client address (and scheme) from trusted
    # proxies only; security headers (Django's, django-csp's policy, Permissions-Policy) on every
    # response, /healthz and static files included;
    # answer /healthz before host checks and database retries (SECURE_REDIRECT_EXEMPT spares
    # it the HTTPS redirect); retry safe requests once the database is back.
    "timeline.client_address.TrustedProxyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "timeline.security.PermissionsPolicyMiddleware",
    "timeline.health.HealthCheckMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "timeline.db_errors.DatabaseRetryMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Answers a locked-out login attempt (django-axes; AXES_* settings below).
    "axes.middleware.AxesMiddleware",
    # Last, so that their process_exception runs first: a deleted record answers 410, an
    # unreachable database or a cancelled statement answers 503 instead of a traceback.
    "timeline.gone.GoneMiddleware",
    "timeline.db_errors.DatabaseUnavailableMiddleware",
]

# Container healthchecks and load balancers call /healthz over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz/?$"]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
            ],
        },
    },
]

# Database: SQLite by default, PostgreSQL (psycopg 3) with DATABASE_URL=postgres://...
DATABASE_URL = envstr("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'timeline.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=envint("DB_CONN_MAX_AGE", 60, 0))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["OPTIONS"] = {"timeout": 20}
    DATABASES["default"]["CONN_MAX_AGE"] = 0
IS_POSTGRES = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"

# Database limits (PostgreSQL): web processes (config/wsgi.py sets PROCESS_ROLE=web) cut off a
# statement after DB_WEB_STATEMENT_TIMEOUT_MS and answer 503; workers, beat and manage.py
# (migrations, backups) get DB_WORKER_STATEMENT_TIMEOUT_MS, 0 meaning no limit.
PROCESS_ROLE = envstr("PROCESS_ROLE", "")
if PROCESS_ROLE == "web":
    DB_STATEMENT_TIMEOUT_MS = envint("DB_WEB_STATEMENT_TIMEOUT_MS", 5000, 0)
else:
    DB_STATEMENT_TIMEOUT_MS = envint("DB_WORKER_STATEMENT_TIMEOUT_MS", 0, 0)
if IS_POSTGRES:
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault("connect_timeout", envint("DB_CONNECT_TIMEOUT", 5, 1))
    # The planner's cost of reading a page at random: PostgreSQL's default (4) assumes spinning
    # disks, and with it a filtered API list (`?program=`) scanned every event instead of
    # following the program's index (5.5 ms against 1.9 ms for 20,000 events). 1.1 suits SSDs
    # and a database that fits in memory; 0 leaves the server's setting.
    DB_RANDOM_PAGE_COST = envfloat("DB_RANDOM_PAGE_COST", 1.1)
    session = [f"-c random_page_cost={DB_RANDOM_PAGE_COST}"] if DB_RANDOM_PAGE_COST > 0 else []
    if DB_STATEMENT_TIMEOUT_MS:
        session.append(f"-c statement_timeout={DB_STATEMENT_TIMEOUT_MS}")
    if session:
        DATABASES["default"]["OPTIONS"]["options"] = " ".join(session)
# Whole API responses are cached this long at most (timeline.api.caching); version counters retire
# them at once on any change made through Django. 0: no response cache.
API_CACHE_SECONDS = envint("API_CACHE_SECONDS", 300, 0)
# An anonymous CSV export stops at this many rows and points to the bulk dump instead.
API_ANON_EXPORT_ROWS = envint("API_ANON_EXPORT_ROWS", 10000, 1)
# A safe request (GET/HEAD) that loses its database connection (a restart, a failover) is
# retried with backoff for up to this many seconds before answering 503.
DB_RETRY_SECONDS = envfloat("DB_RETRY_SECONDS", 8.0)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Logins (the admin's form, DRF's session login) go through django-axes first: after
# ADMIN_LOGIN_FAILURE_LIMIT failed attempts from one client address (TrustedProxyMiddleware's
# REMOTE_ADDR), that address may not log in for ADMIN_LOGIN_COOLOFF_MINUTES, even with the
# right password; the attempts are listed in the admin (Axes). `manage.py axes_reset` unlocks.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = envint("ADMIN_LOGIN_FAILURE_LIMIT", 5, 1)
AXES_COOLOFF_TIME = timedelta(minutes=envint("ADMIN_LOGIN_COOLOFF_MINUTES", 15, 1))
AXES_LOCKOUT_PARAMETERS = ["ip_address"]
AXES_RESET_ON_SUCCESS = True

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(envstr("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"] if (BASE_DIR / "static").is_dir() else []
# WhiteNoise serves STATIC_ROOT (filled by collectstatic); in development it uses the finders.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
STATIC_ROOT.mkdir(parents=True, exist_ok=True)

FIXTURE_DIRS = [BASE_DIR / "fixtures"]

# Cache: local memory by default; REDIS_CACHE_URL to share it between processes (required in
# production with more than one worker: config.production). Redis down must not take pages down:
# django-redis ignores connection errors (IGNORE_EXCEPTIONS) and, for Django's cache API, a small
# per-process cache stands in while Redis is unreachable (timeline.cache_backends).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "timeline"}}
REDIS_CACHE_URL = envstr("REDIS_CACHE_URL")
if REDIS_CACHE_URL:
    CACHES["default"] = {
        "BACKEND": "timeline.cache_backends.RedisCacheWithLocalFallback",
        "LOCATION": REDIS_CACHE_URL,
        "OPTIONS": {
            "IGNORE_EXCEPTIONS": True,
            "SOCKET_CONNECT_TIMEOUT": 0.5,
            "SOCKET_TIMEOUT": 0.5,
            "FALLBACK_RETRY_AFTER": 5,
            "FALLBACK_TIMEOUT": 60,
        },
    }

# Celery: eager (in-process) when no broker is configured.
CELERY_BROKER_URL = envstr("CELERY_BROKER_URL")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = envint("CELERY_TASK_TIME_LIMIT", 300, 10)
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - 30 if CELERY_TASK_TIME_LIMIT > 60 else None
# The broker redelivers an unacknowledged task after this many seconds; it must exceed the
# task time limit or a slow task would be delivered to a second worker while still running.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_TASK_TIME_LIMIT * 4}
# How often the Redis transport sweeps for tasks whose worker died unacknowledged and whose
# visibility timeout ran out (kombu's default: a real sweep only every ~100 s).
CELERY_BROKER_TRANSPORT_OPTIONS["unacked_restore_interval"] = envint("CELERY_UNACKED_RESTORE_INTERVAL", 10, 1)
CELERY_BROKER_TRANSPORT_OPTIONS["unacked_restore_throttle"] = 1
# A web request that queues a task must not hang on a dead broker: connect quickly, retry the
# publish briefly, then give up (config.celery.enqueue_on_commit logs and drops the message).
CELERY_BROKER_TRANSPORT_OPTIONS["socket_connect_timeout"] = envfloat("CELERY_BROKER_CONNECT_TIMEOUT", 1.0)
CELERY_BROKER_CONNECTION_TIMEOUT = envfloat("CELERY_BROKER_CONNECT_TIMEOUT", 1.0)
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}
# Tasks that hit the database retry with growing, capped, jittered delays when it is briefly
# unreachable (config.celery.DATABASE_RETRY, used by the polling tasks).
CELERY_DB_RETRY_BACKOFF = envint("CELERY_DB_RETRY_BACKOFF", 2, 1)
CELERY_DB_RETRY_BACKOFF_MAX = envint("CELERY_DB_RETRY_BACKOFF_MAX", 120, 1)
CELERY_DB_RETRY_MAX_RETRIES = envint("CELERY_DB_RETRY_MAX_RETRIES", 8, 0)
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {}
# Feed polling (sources app): beat queues the feeds that are due every FEED_QUEUE_INTERVAL seconds.
FEED_QUEUE_INTERVAL = envint("FEED_QUEUE_INTERVAL", 60, 1)
CELERY_BEAT_SCHEDULE["queue-due-feeds"] = {"task": "sources.tasks.queue_due_feeds", "schedule": float(FEED_QUEUE_INTERVAL)}

# REST framework: filled out by the API.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["timeline.api.permissions.ModelPermissionsOrAnonReadOnly"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    # Anonymous readers are throttled per address; a token (rest_framework.authtoken) raises the
    # limit. DRF's throttles, counted in fixed windows (timeline/api/throttling.py says why).
    "DEFAULT_THROTTLE_CLASSES": [
        "timeline.api.throttling.AnonRateThrottle",
        "timeline.api.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": envstr("API_ANON_RATE", "120/minute"),
        "user": envstr("API_USER_RATE", "2000/minute"),
        # CSV exports (every matching row) have their own scope, per reader, on top of the above.
        "export": envstr("API_EXPORT_RATE", "10/hour"),
    },
    "DEFAULT_PARSER_CLASSES": [
        "timeline.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
}
# The client address: X-Forwarded-For is believed only for the last TRUSTED_PROXY_COUNT hops
# (0: ignored, REMOTE_ADDR is the client). DRF's throttles use the same count, so a client cannot
# dodge them by sending its own X-Forwarded-For.
TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", 0, 0)
REST_FRAMEWORK["NUM_PROXIES"] = TRUSTED_PROXY_COUNT
SPECTACULAR_SETTINGS = {
    "TITLE": "Surveillance Timeline API",
    "DESCRIPTION": "Programs, events, contracts, statements and the sources behind them.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # One name per shared choice set in the API schema.
    "ENUM_NAME_OVERRIDES": {
        "PrecisionEnum": "timeline.dates.Precision",
        "SourceKindEnum": "timeline.models.Source.Kind",
        "OrganizationKindEnum": "timeline.models.Organization.Kind",
        "EventKindEnum": "timeline.models.EventKind",
        "ProgramStatusEnum": "timeline.models.ProgramStatus",
        "LinkStatusEnum": "sources.models.LinkStatus",
    },
}

CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]

# Feed polling (sources app).
FEED_ALLOW_LOOPBACK = envbool("FEED_ALLOW_LOOPBACK", False)
FEED_CONNECT_TIMEOUT = envfloat("FEED_CONNECT_TIMEOUT", 5.0)
FEED_READ_TIMEOUT = envfloat("FEED_READ_TIMEOUT", 15.0)
# The whole response, however slowly it trickles in.
FEED_TOTAL_TIMEOUT = envfloat("FEED_TOTAL_TIMEOUT", 60.0)
FEED_MAX_BYTES = envint("FEED_MAX_BYTES", 5 * 1024 * 1024, 1024)
FEED_MAX_REDIRECTS = envint("FEED_MAX_REDIRECTS", 5, 0)
# A CA bundle for feed servers' certificates instead of the system's (tests use their own).
FEED_CA_CERTS = envstr("FEED_CA_CERTS") or None
FEED_USER_AGENT = envstr("FEED_USER_AGENT", "SurveillanceTimelineBot/1.0 (+https://example.invalid/about)")

# Primary records (records app): the APIs' base URLs (tests point them at 127.0.0.1, which the
# fetcher refuses unless FEED_ALLOW_LOOPBACK), how often beat looks for due watches, and how
# often a request the server refused (429, 5xx, a timeout) is tried again.
USASPENDING_API_URL = envstr("USASPENDING_API_URL", "https://api.usaspending.gov").rstrip("/")
FEDERAL_REGISTER_API_URL = envstr("FEDERAL_REGISTER_API_URL", "https://www.federalregister.gov").rstrip("/")
RECORDS_QUEUE_INTERVAL = envint("RECORDS_QUEUE_INTERVAL", 300, 1)
RECORDS_FETCH_ATTEMPTS = envint("RECORDS_FETCH_ATTEMPTS", 3, 1)
RECORDS_RETRY_BACKOFF = envfloat("RECORDS_RETRY_BACKOFF", 1.0)
# A server's Retry-After longer than this ends the run (recorded on the watch) instead of waiting.
RECORDS_MAX_RETRY_WAIT = envfloat("RECORDS_MAX_RETRY_WAIT", 30.0)
RECORDS_PAGE_SIZE = envint("RECORDS_PAGE_SIZE", 100, 1)
CELERY_BEAT_SCHEDULE["queue-due-record-watches"] = {
    "task": "records.tasks.queue_due_watches", "schedule": float(RECORDS_QUEUE_INTERVAL)}

# Matching thresholds (sources app): scores in 0..1, used while no learned model version is active.
MATCH_ATTACH_THRESHOLD = envfloat("MATCH_ATTACH_THRESHOLD", 0.55)
MATCH_PROPOSE_THRESHOLD = envfloat("MATCH_PROPOSE_THRESHOLD", 0.2)
# manage.py fit_matcher picks the attach threshold at which cross-validated precision reaches this.
MATCH_TARGET_PRECISION = envfloat("MATCH_TARGET_PRECISION", 0.99)
if not 0 < MATCH_TARGET_PRECISION <= 1:
    raise ImproperlyConfigured(f"MATCH_TARGET_PRECISION={MATCH_TARGET_PRECISION} is not in (0, 1]")
# When curators add or edit an event, reports published this many days back are re-scored.
MATCH_RESCORE_DAYS = envint("MATCH_RESCORE_DAYS", 30, 0)

DATA_LICENSE = envstr("DATA_LICENSE", "CC BY 4.0")
# Where the published bulk dump (manage.py export_dump) can be downloaded; the about page links it.
BULK_DUMP_URL = envstr("BULK_DUMP_URL", "")
# Where `export_dump` writes by default and where /data/ lists and serves the latest dump from.
DUMP_DIR = Path(envstr("DUMP_DIR", str(VAR_DIR / "dump")))
# Seconds a public page stays in the page cache at most (timeline.page_cache); 0 turns it off.
PAGE_CACHE_SECONDS = envint("PAGE_CACHE_SECONDS", 300, 0)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "INFO")},
    # django-axes logs every login at INFO; lockouts are warnings.
    "loggers": {"django.db.backends": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}
FORMS_URLFIELD_ASSUME_HTTPS = True

# Content-Security-Policy (django-csp; the directives in timeline.security): no inline script or
# style anywhere; a template that needs an inline block marks it nonce="{{ CSP_NONCE }}".
CSP_EXTRA_SOURCES = {}  # a deployment's additions, e.g. {"img-src": ["https://example.org"]}
CONTENT_SECURITY_POLICY = {"DIRECTIVES": policy_directives(CSP_EXTRA_SOURCES)}
CSRF_FAILURE_VIEW = "timeline.errors.csrf_failure"
# dumpdata keeps timestamps to the microsecond (backups restore exactly; timeline/exact_json.py).
SERIALIZATION_MODULES = {"json": "timeline.exact_json"}
