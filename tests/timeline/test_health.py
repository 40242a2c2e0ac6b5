"""/healthz, and the site with Redis or the database down."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.cache import caches

from tests.private_redis import free_port, private_redis  # noqa: F401 (fixture)
from timeline.cache_backends import RedisCacheWithLocalFallback

ROOT = Path(__file__).resolve().parents[2]


def test_healthz_reports_the_database_and_an_in_process_broker(client, db, settings):
    settings.CELERY_BROKER_URL = ""
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] is True
    assert body["broker"] == {"ok": True, "ms": body["broker"]["ms"], "detail": "not configured: tasks run in-process"}
    assert response["Cache-Control"] == "no-store"


def test_healthz_answers_whatever_the_host_header(client, db):
    assert client.get("/healthz", HTTP_HOST="10.1.2.3:8000").status_code == 200


def test_healthz_is_degraded_not_down_when_the_broker_is_unreachable(client, db, settings):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{free_port()}/0"
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["broker"]["ok"] is False and "ConnectionError" in body["broker"]["detail"]


@pytest.fixture
def redis_cache(private_redis, settings):
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "timeline.cache_backends.RedisCacheWithLocalFallback",
            "LOCATION": private_redis.url,
            "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 0.5, "SOCKET_TIMEOUT": 0.5,
                        "FALLBACK_RETRY_AFTER": 0.2, "FALLBACK_TIMEOUT": 60},
        },
    }
    cache = caches["default"]
    assert isinstance(cache, RedisCacheWithLocalFallback)
    yield cache
    cache.close()


def test_the_cache_keeps_working_and_the_site_serves_with_redis_down(client, seed, settings, private_redis, redis_cache):
    import time

    settings.CELERY_BROKER_URL = private_redis.url
    redis_cache.set("k", "v")
    assert redis_cache.get("k") == "v"
    assert client.get("/healthz").json()["status"] == "ok"

    private_redis.stop()
    assert redis_cache.get("k", "miss") == "v"  # from this process's copy
    assert client.get("/").status_code == 200
    report = client.get("/healthz")
    assert report.status_code == 200
    body = report.json()
    assert body["status"] == "degraded" and not body["cache"]["ok"] and not body["broker"]["ok"]

    private_redis.start()
    time.sleep(0.3)  # past FALLBACK_RETRY_AFTER
    redis_cache.set("k", "back")
    assert redis_cache.get("k") == "back"
    assert client.get("/healthz").json()["status"] == "ok"


# Issue 17 item 5: pages while Redis is down.

def test_while_redis_is_down_a_per_process_cache_keeps_what_is_stored(private_redis, redis_cache):
    private_redis.stop()
    redis_cache.set("page", "rendered once", 300)
    assert redis_cache.get("page") == "rendered once"
    assert redis_cache.get_many(["page", "other"]) == {"page": "rendered once"}
    assert redis_cache.add("version", 1) and redis_cache.incr("version") == 2
    with pytest.raises(ValueError):
        redis_cache.incr("never-set")


def test_what_was_cached_while_redis_was_up_is_served_when_it_goes_down(private_redis, redis_cache):
    redis_cache.set("written-here", "page one", 300)
    redis_cache.client.set("written-by-another-process", "page two", timeout=300)
    assert redis_cache.get("written-by-another-process") == "page two"  # read once while up
    redis_cache.add("content-version", 7)
    assert redis_cache.incr("content-version") == 8
    private_redis.stop()
    assert redis_cache.get("written-here") == "page one"
    assert redis_cache.get("written-by-another-process") == "page two"
    assert redis_cache.get("content-version") == 8


def test_trying_redis_again_while_it_is_still_down_keeps_the_fallback(private_redis, redis_cache):
    import time

    redis_cache.set("page", "rendered while up", 300)
    private_redis.stop()
    assert redis_cache.get("page") == "rendered while up"
    time.sleep(0.3)  # past FALLBACK_RETRY_AFTER: the next call tries Redis again, in vain
    assert redis_cache.get("page") == "rendered while up"
    assert redis_cache.get("page") == "rendered while up"


def test_while_redis_is_down_requests_do_not_each_wait_for_it(private_redis, redis_cache):
    import time

    private_redis.stop()
    redis_cache.get("first")  # finds Redis down
    started = time.monotonic()
    for i in range(200):
        redis_cache.set(f"k{i}", i)
        redis_cache.get(f"k{i}")
    assert time.monotonic() - started < 0.5


def test_invalidations_missed_while_redis_was_down_clear_it_when_it_is_back(private_redis, redis_cache):
    import time

    redis_cache.set("page", "before the edit")
    private_redis.stop()
    redis_cache.get("page")  # finds Redis down
    redis_cache.delete("page")  # an edit invalidates the page: only the fallback hears of it
    private_redis.start()  # an empty server would hide the point: put the stale page back first
    time.sleep(0.3)
    redis_cache.client.set("page", "before the edit")
    assert redis_cache.get("page") is None  # the first call that reaches Redis clears it
    assert redis_cache.get("page") is None


def _run_with_dead_database(code, **env):
    environment = dict(os.environ, DATABASE_URL=f"postgres://postgres@127.0.0.1:{free_port()}/nothing",
                       DJANGO_SETTINGS_MODULE="config.settings", DEBUG="0")
    environment.update({"DB_RETRY_SECONDS": "0.3", **env})
    return subprocess.run([sys.executable, "-c", "import django; django.setup();" + code],
                          cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60)


def test_with_the_database_down_healthz_says_503_and_pages_say_503_politely():
    code = (
        "import json; from django.test import Client; c = Client(raise_request_exception=False);"
        "h = c.get('/healthz'); p = c.get('/'); a = c.get('/api/v1/events/');"
        "print(json.dumps([h.status_code, h.json(), p.status_code, p.content.decode(), p.get('Retry-After'),"
        " a.status_code, a.content.decode()]))"
    )
    result = _run_with_dead_database(code)
    assert result.returncode == 0, result.stderr
    health_status, health, page_status, page, retry_after, api_status, api = json.loads(result.stdout.strip().splitlines()[-1])
    assert health_status == 503 and health["status"] == "down" and health["database"]["ok"] is False
    assert page_status == 503 and "Temporarily unavailable" in page and "Traceback" not in page
    assert retry_after == "5"
    assert api_status in (404, 503)  # 503 once the API routes exist (they query the database)


def test_healthz_is_not_redirected_to_https_so_container_healthchecks_work(client, db, settings):
    import yaml

    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/").status_code == 301  # pages do go to HTTPS
    assert client.get("/healthz", HTTP_HOST="127.0.0.1:8000").status_code == 200
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    assert "http://127.0.0.1:8000/healthz" in " ".join(compose["services"]["web"]["healthcheck"]["test"])


# Issue 17 item 4: health under a dead database.

def test_the_public_healthz_says_only_up_degraded_or_down(client, db):
    response = client.get("/healthz", REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_staff_and_localhost_see_the_health_details(client, db, django_user_model):
    assert "database" in client.get("/healthz", REMOTE_ADDR="127.0.0.1").json()
    staff = django_user_model.objects.create_user("operator", password="pw", is_staff=True)
    client.force_login(staff)
    assert "database" in client.get("/healthz", REMOTE_ADDR="203.0.113.9").json()
    staff.is_staff = False
    staff.save()
    assert client.get("/healthz", REMOTE_ADDR="203.0.113.9").json() == {"status": "ok"}


def test_with_the_database_down_the_public_healthz_names_no_host_or_port():
    code = (
        "import json; from django.test import Client; c = Client(raise_request_exception=False);"
        "h = c.get('/healthz', REMOTE_ADDR='203.0.113.9');"
        "print(json.dumps([h.status_code, h.content.decode()]))"
    )
    result = _run_with_dead_database(code)
    assert result.returncode == 0, result.stderr
    status, body = json.loads(result.stdout.strip().splitlines()[-1])
    assert status == 503 and json.loads(body) == {"status": "down"}


def test_database_retries_share_one_budget_per_outage_so_they_do_not_starve_health():
    # The first page request spends the retry budget; later ones answer 503 at once, as does
    # /healthz, instead of each holding a worker for DB_RETRY_SECONDS.
    code = (
        "import json, time; from django.test import Client; c = Client(raise_request_exception=False);"
        "timed = lambda path: (lambda t: (c.get(path).status_code, time.monotonic() - t))(time.monotonic());"
        "print(json.dumps([timed('/'), timed('/'), timed('/timeline/'), timed('/healthz')]))"
    )
    result = _run_with_dead_database(code, DB_RETRY_SECONDS="1.5")
    assert result.returncode == 0, result.stderr
    first, second, third, health = json.loads(result.stdout.strip().splitlines()[-1])
    assert first[0] == second[0] == third[0] == health[0] == 503
    assert first[1] >= 1.0
    assert second[1] < 0.5 and third[1] < 0.5 and health[1] < 0.5


def test_a_search_of_a_thousand_words_is_a_400_not_an_outage(client, db):
    words = " ".join(f"word{i}" for i in range(1000))
    response = client.get("/api/v1/events/", {"q": words})
    assert response.status_code == 400
    assert "q" in response.json()


def test_a_query_past_the_databases_limits_is_a_400_and_is_not_retried(rf, settings):
    from django.db import OperationalError

    from timeline.db_errors import DatabaseRetryMiddleware, response_for_database_error

    settings.DB_RETRY_SECONDS = 2
    calls = []

    def view_with_a_too_deep_query(request):
        calls.append(1)
        try:
            raise OperationalError("Expression tree is too large (maximum depth 1000)")
        except OperationalError as exc:  # what DatabaseUnavailableMiddleware does
            return response_for_database_error(request, exc)

    response = DatabaseRetryMiddleware(view_with_a_too_deep_query)(rf.get("/timeline/"))
    assert response.status_code == 400 and b"too large" in response.content
    assert calls == [1]


def test_postgresql_limit_errors_are_classed_as_too_complex():
    from types import SimpleNamespace

    from django.db import OperationalError

    from timeline.db_errors import is_query_too_complex

    cause = Exception("stack depth limit exceeded")
    cause.diag = SimpleNamespace(sqlstate="54001")
    error = OperationalError("stack depth limit exceeded")
    error.__cause__ = cause
    assert is_query_too_complex(error)
    assert is_query_too_complex(OperationalError("Expression tree is too large (maximum depth 1000)"))
    assert not is_query_too_complex(OperationalError("connection refused"))


def test_rate_limit_counters_kept_while_redis_was_down_do_not_clear_it_when_it_is_back(private_redis, redis_cache):
    import time

    redis_cache.set("page", "cached")
    private_redis.stop()
    redis_cache.get("page")  # finds Redis down
    redis_cache.add("throttle_anon_127.0.0.1:1", 0)
    redis_cache.incr("throttle_anon_127.0.0.1:1")  # a request counted against its rate
    private_redis.start()
    time.sleep(0.3)
    redis_cache.client.set("page", "cached")
    assert redis_cache.get("page") == "cached"  # nothing was invalidated: the cache is kept
