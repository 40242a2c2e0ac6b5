"""Curators with tokens create and edit through the API, with the admin's validation and history,
and a stale version is a 409, never a silently lost update."""
import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.timeline.api.conftest import body
from timeline.models import Event

pytestmark = pytest.mark.django_db

NEW_EVENT = {
    "slug": "test-hearing", "title": "A hearing", "kind": "hearing", "date": "2025-06-01",
    "date_precision": "month", "programs": ["immigrationos"], "agencies": ["ice"], "state": "published",
}


def test_a_curator_creates_an_event_and_history_records_who(seed, curator, curator_api):
    response = curator_api.post("/api/v1/events/", NEW_EVENT, format="json")
    assert response.status_code == 201, response.content
    data = body(response)
    assert data["date_display"] == "June 2025" and data["date_end"] == "2025-06-30"
    assert data["programs"] == ["immigrationos"] and data["version"] == 1
    event = Event.objects.get(slug="test-hearing")
    assert event.history.get().history_user == curator


def test_a_curator_edits_with_the_version_read_and_the_version_grows(seed, curator, curator_api):
    url = "/api/v1/events/cbp-outbound-vehicle-photo-plan-disclosed/"
    version = body(curator_api.get(url))["version"]
    response = curator_api.patch(url, {"title": "Edited title", "version": version}, format="json")
    assert response.status_code == 200, response.content
    assert body(response)["title"] == "Edited title"
    assert body(response)["version"] == version + 1
    latest = Event.objects.get(slug="cbp-outbound-vehicle-photo-plan-disclosed").history.first()
    assert latest.history_user == curator and latest.title == "Edited title"


def test_an_edit_with_a_stale_version_is_a_409_and_changes_nothing(seed, curator_api):
    url = "/api/v1/events/cbp-outbound-vehicle-photo-plan-disclosed/"
    assert curator_api.patch(url, {"title": "First", "version": 1}, format="json").status_code == 200
    response = curator_api.patch(url, {"title": "Second", "version": 1}, format="json")
    assert response.status_code == 409
    assert body(response)["current_version"] == 2
    assert Event.objects.get(slug="cbp-outbound-vehicle-photo-plan-disclosed").title == "First"


def test_an_edit_without_a_version_is_a_400(seed, curator_api):
    response = curator_api.patch("/api/v1/events/cbp-outbound-vehicle-photo-plan-disclosed/", {"title": "X"},
                                 format="json")
    assert response.status_code == 400
    assert list(body(response)) == ["version"]


def test_writes_are_validated_by_the_model_as_in_the_admin(seed, curator_api):
    bad = dict(NEW_EVENT, date="2025-06-15")  # month precision names a day
    response = curator_api.post("/api/v1/events/", bad, format="json")
    assert response.status_code == 400
    assert "month-precision date" in body(response)["date"][0]
    assert not Event.objects.filter(slug="test-hearing").exists()


def test_a_slug_cannot_change_through_the_api(seed, curator_api):
    url = "/api/v1/programs/immigrationos/"
    response = curator_api.patch(url, {"slug": "renamed", "version": 1}, format="json")
    assert response.status_code == 400
    assert list(body(response)) == ["slug"]


def test_an_agency_cannot_become_its_own_ancestor(seed, curator_api):
    response = curator_api.patch("/api/v1/agencies/dhs/", {"parent": "cbp", "version": 1}, format="json")
    assert response.status_code == 400
    assert list(body(response)) == ["parent"]


def test_anonymous_and_unprivileged_clients_cannot_write(seed, api, django_user_model):
    assert api.post("/api/v1/events/", NEW_EVENT, format="json").status_code == 401
    reader = django_user_model.objects.create_user("reader", password="pw-reader-1")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=reader).key}")
    assert client.get("/api/v1/events/").status_code == 200
    assert client.post("/api/v1/events/", NEW_EVENT, format="json").status_code == 403


def test_editing_a_deleted_record_is_a_410(seed, curator_api):
    from django.utils import timezone

    Event.objects.filter(slug="dhs-1000-self-deportation-payment").update(deleted_at=timezone.now())
    response = curator_api.patch("/api/v1/events/dhs-1000-self-deportation-payment/", {"version": 1}, format="json")
    assert response.status_code == 410
