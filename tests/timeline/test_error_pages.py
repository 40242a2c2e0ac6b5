"""Friendly 400, 403, 404 and 500 pages with no traceback (DEBUG is off under pytest)."""
import pytest
from django.test import Client


def _assert_friendly(response, status, words):
    assert response.status_code == status
    html = response.content.decode()
    assert words in html
    assert "Traceback" not in html and "secret internals" not in html and "RuntimeError" not in html
    assert 'href="/"' in html


def test_an_unknown_page_gets_the_friendly_404(client, db, settings):
    assert settings.DEBUG is False
    _assert_friendly(client.get("/events/no-such-event/"), 404, "Page not found")


def test_a_request_for_another_host_gets_the_friendly_400(client, db):
    _assert_friendly(client.get("/", HTTP_HOST="evil.example.org"), 400, "Bad request")


def test_a_curator_opening_a_delete_page_gets_the_friendly_403(client, seed, curator):
    from timeline.models import Event

    client.force_login(curator)
    event = Event.objects.first()
    _assert_friendly(client.get(f"/admin/timeline/event/{event.pk}/delete/"), 403, "Not allowed")


def test_a_form_without_its_csrf_token_gets_the_friendly_403(db):
    response = Client(enforce_csrf_checks=True).post("/admin/login/", {"username": "x", "password": "y"})
    _assert_friendly(response, 403, "reload the page")


@pytest.mark.urls("tests.timeline.fault_urls")
def test_a_crash_gets_the_friendly_500_without_internals(db):
    response = Client(raise_request_exception=False).get("/test-faults/boom/")
    _assert_friendly(response, 500, "Something went wrong")


@pytest.mark.urls("tests.timeline.fault_urls")
def test_api_errors_answer_json(db):
    client = Client(raise_request_exception=False)
    crash = client.get("/api/v1/test-faults/boom/")
    assert crash.status_code == 500 and crash.json()["detail"].startswith("An error on our side")
    missing = client.get("/api/v1/no-such-endpoint/")
    assert missing.status_code == 404 and "detail" in missing.json()
