"""A researcher's copy can follow the database, deletions included, and exports are rationed."""
import pytest
from django.utils import timezone

from tests.timeline.api.conftest import body
from timeline.models import Claim, Event

pytestmark = pytest.mark.django_db

GONE = "dhs-1000-self-deportation-payment"


def test_a_sync_by_modified_since_sees_deletions_as_tombstones(seed, api):
    since = timezone.now().isoformat()
    Event.objects.get(slug=GONE).soft_delete()
    changed = body(api.get("/api/v1/events/", {"modified_since": since, "include_deleted": "true"}))["results"]
    [tombstone] = changed
    assert set(tombstone) == {"slug", "state", "deleted_at", "url"}
    assert tombstone["slug"] == GONE and tombstone["state"] == "deleted" and tombstone["deleted_at"]
    assert tombstone["url"] == f"http://testserver/api/v1/events/{GONE}/"
    assert body(api.get("/api/v1/events/", {"modified_since": since}))["results"] == []


def test_tombstones_of_records_named_by_id(seed, api):
    claim = Claim.objects.filter(value="cbp").order_by("pk").first()  # one of its sources' claims
    claim.soft_delete()
    rows = body(api.get("/api/v1/claims/?include_deleted=true&page_size=100"))["results"]
    [tombstone] = [row for row in rows if row["id"] == claim.pk]
    assert tombstone == {"id": claim.pk, "state": "deleted", "deleted_at": tombstone["deleted_at"],
                         "url": f"http://testserver/api/v1/claims/{claim.pk}/"}
    assert tombstone["deleted_at"]


def test_the_public_gets_no_tombstone_of_a_record_it_never_saw(seed, api, curator):
    Event.objects.filter(slug=GONE).update(state="draft", deleted_at=timezone.now())
    slugs = [row["slug"] for row in body(api.get("/api/v1/events/?include_deleted=true&page_size=100"))["results"]]
    assert GONE not in slugs
    api.force_authenticate(curator)
    slugs = [row["slug"] for row in body(api.get("/api/v1/events/?include_deleted=true&page_size=100"))["results"]]
    assert GONE in slugs


def test_include_deleted_takes_true_or_false_only(seed, api):
    response = api.get("/api/v1/events/?include_deleted=maybe")
    assert response.status_code == 400 and list(body(response)) == ["include_deleted"]


def test_csv_exports_have_their_own_throttle(seed, api, monkeypatch):
    from rest_framework.throttling import SimpleRateThrottle

    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": "100/minute", "user": "100/minute",
                                                               "export": "2/hour"})
    assert [api.get("/api/v1/events/?format=csv").status_code for _ in range(3)] == [200, 200, 429]
    assert api.get("/api/v1/events/").status_code == 200  # JSON pages are not exports


def test_an_anonymous_export_past_the_row_cap_points_to_the_bulk_dump(seed, api, curator_api, settings):
    settings.API_ANON_EXPORT_ROWS = 5
    settings.BULK_DUMP_URL = "https://data.example.org/timeline/"
    response = api.get("/api/v1/events/?format=csv")
    assert response.status_code == 400
    assert b"https://data.example.org/timeline/" in response.content
    assert api.get("/api/v1/events/?format=csv&program=immigrationos").status_code == 200
    assert curator_api.get("/api/v1/events/?format=csv").status_code == 200
