"""Database limits: the web role's statement timeout cuts a pathological query off with a 503;
a lost connection is retried for safe requests."""
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import OperationalError, connection
from django.test import Client

from tests.timeline import fault_urls
from timeline.db_errors import is_statement_timeout

ROOT = Path(__file__).resolve().parents[2]
on_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="statement_timeout is PostgreSQL's")


def _database_options(**env):
    environment = {k: v for k, v in os.environ.items()
                   if k not in ("PROCESS_ROLE", "DB_WEB_STATEMENT_TIMEOUT_MS", "DB_RANDOM_PAGE_COST")}
    environment.update(DATABASE_URL="postgres://web@127.0.0.1:5432/timeline", DJANGO_SETTINGS_MODULE="config.settings", **env)
    code = "import json; from django.conf import settings; print(json.dumps(settings.DATABASES['default']['OPTIONS']))"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_web_processes_get_a_statement_timeout_and_other_processes_none():
    assert _database_options(PROCESS_ROLE="web")["options"] == "-c random_page_cost=1.1 -c statement_timeout=5000"
    assert _database_options()["options"] == "-c random_page_cost=1.1"
    assert "options" not in _database_options(DB_RANDOM_PAGE_COST="0")


def test_the_random_page_cost_must_be_a_number():
    environment = {**os.environ, "DATABASE_URL": "postgres://web@127.0.0.1:5432/timeline",
                   "DJANGO_SETTINGS_MODULE": "config.settings", "DB_RANDOM_PAGE_COST": "1; DROP TABLE x"}
    code = "from django.conf import settings; settings.DATABASES"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True)
    assert result.returncode != 0 and "DB_RANDOM_PAGE_COST='1; DROP TABLE x' is not a number" in result.stderr


def test_the_wsgi_entry_point_marks_the_process_as_web():
    assert 'os.environ.setdefault("PROCESS_ROLE", "web")' in (ROOT / "config" / "wsgi.py").read_text()


@on_postgres
def test_a_connection_opened_with_the_web_option_cuts_off_a_slow_statement(db):
    web = connection.copy()
    web.settings_dict["OPTIONS"] = {**web.settings_dict.get("OPTIONS", {}), "options": "-c statement_timeout=100"}
    try:
        started = time.monotonic()
        with pytest.raises(OperationalError) as error:
            with web.cursor() as cursor:
                cursor.execute("SELECT pg_sleep(3)")
        assert time.monotonic() - started < 2
        assert is_statement_timeout(error.value)
    finally:
        web.close()


@pytest.fixture
def short_statement_timeout(transactional_db):
    with connection.cursor() as cursor:
        cursor.execute("SET statement_timeout = 200")
    yield
    with connection.cursor() as cursor:
        cursor.execute("RESET statement_timeout")


@on_postgres
@pytest.mark.urls("tests.timeline.fault_urls")
def test_a_pathological_query_is_cut_off_with_a_friendly_503(short_statement_timeout):
    client = Client(raise_request_exception=False)
    started = time.monotonic()
    page = client.get("/test-faults/slow/")
    assert time.monotonic() - started < 3  # cut off, not retried
    assert page.status_code == 503 and page["Retry-After"] == "5"
    assert "took too long" in page.content.decode() and "Traceback" not in page.content.decode()
    api = client.get("/api/v1/test-faults/slow/")
    assert api.status_code == 503 and "took too long" in api.json()["detail"]


@pytest.mark.urls("tests.timeline.fault_urls")
def test_a_safe_request_that_lost_its_connection_is_retried(db):
    fault_urls.CALLS["flaky"] = 0
    response = Client().get("/test-faults/flaky/")
    assert response.status_code == 200
    assert response.content == b"answered on attempt 2"


@pytest.mark.urls("tests.timeline.fault_urls")
def test_an_unsafe_request_is_not_retried_but_answered_503(db):
    fault_urls.CALLS["flaky"] = 0
    response = Client(raise_request_exception=False).post("/test-faults/flaky/")
    assert response.status_code == 503
    assert fault_urls.CALLS["flaky"] == 1
    assert "briefly unavailable" in response.content.decode()
