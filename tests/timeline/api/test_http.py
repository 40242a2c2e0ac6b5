"""What every endpoint does at the HTTP level: visibility, 410 for deleted records, caching,
CORS, throttling and CSV export."""
import csv
import io

import pytest
from django.utils import timezone

from tests.timeline.api.conftest import body
from timeline.models import Event, Source

pytestmark = pytest.mark.django_db


def test_anonymous_readers_see_only_published_live_records(seed, api):
    Event.objects.filter(slug="vermont-airtag-vehicle-tracking-2024").update(state="draft")
    Event.objects.filter(slug="dhs-1000-self-deportation-payment").update(deleted_at=timezone.now())
    found = [row["slug"] for row in body(api.get("/api/v1/events/?page_size=100"))["results"]]
    assert len(found) == 8
    assert api.get("/api/v1/events/vermont-airtag-vehicle-tracking-2024/").status_code == 404


def test_staff_readers_also_see_drafts(seed, api, curator):
    Event.objects.filter(slug="vermont-airtag-vehicle-tracking-2024").update(state="draft")
    api.force_authenticate(curator)
    assert body(api.get("/api/v1/events/vermont-airtag-vehicle-tracking-2024/"))["state"] == "draft"


def test_a_deleted_record_answers_410_gone_not_404(seed, api):
    Event.objects.filter(slug="dhs-1000-self-deportation-payment").update(deleted_at=timezone.now())
    response = api.get("/api/v1/events/dhs-1000-self-deportation-payment/")
    assert response.status_code == 410
    assert body(response) == {"detail": "This event was deleted."}
    assert api.get("/api/v1/events/never-existed/").status_code == 404


def test_a_deleted_draft_is_404_to_the_public(seed, api):
    Source.objects.filter(pk=3).update(deleted_at=timezone.now(), state="draft")
    assert api.get("/api/v1/sources/3/").status_code == 404


def test_links_and_citations_to_hidden_records_are_left_out(seed, api):
    Source.objects.filter(pk=2).update(state="draft")
    Event.objects.filter(slug="ssa-parolees-listed-deceased").first().agencies.model.objects.filter(
        slug="ssa").update(state="draft")
    event = body(api.get("/api/v1/events/cbp-outbound-vehicle-photo-plan-disclosed/"))
    cited = [c["source"] for c in event["citations"]]
    assert 1 in cited and 2 not in cited
    assert body(api.get("/api/v1/events/ssa-parolees-listed-deceased/"))["agencies"] == ["dhs"]
    person = body(api.get("/api/v1/people/jessica-turner/"))
    assert person["agency"] == "cbp"


def test_a_detail_answers_304_to_its_etag_or_its_last_modified_time(seed, api):
    url = "/api/v1/events/cbp-outbound-vehicle-photo-plan-disclosed/"
    first = api.get(url)
    assert first["ETag"] and first["Last-Modified"]
    assert api.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    assert api.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304
    Event.objects.get(slug="cbp-outbound-vehicle-photo-plan-disclosed").save()
    changed = api.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200
    assert changed["ETag"] != first["ETag"]


def test_a_list_answers_304_to_its_etag_and_200_once_a_record_leaves_it(seed, api):
    first = api.get("/api/v1/events/")
    assert first["Last-Modified"]
    assert api.get("/api/v1/events/", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    Event.objects.filter(slug="dhs-1000-self-deportation-payment").update(deleted_at=timezone.now())
    assert api.get("/api/v1/events/", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200


def test_cors_allows_any_origin_to_read(seed, api):
    response = api.get("/api/v1/events/", HTTP_ORIGIN="https://newsroom.example")
    assert response["Access-Control-Allow-Origin"] == "*"
    preflight = api.options("/api/v1/events/", HTTP_ORIGIN="https://newsroom.example",
                            HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET")
    assert "GET" in preflight["Access-Control-Allow-Methods"]
    assert "POST" not in preflight["Access-Control-Allow-Methods"]


def test_anonymous_readers_are_throttled_and_tokens_get_a_higher_limit(seed, api, curator_api, monkeypatch):
    from rest_framework.throttling import SimpleRateThrottle

    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": "3/minute", "user": "6/minute"})
    assert [api.get("/api/v1/agencies/").status_code for _ in range(4)] == [200, 200, 200, 429]
    assert [curator_api.get("/api/v1/agencies/").status_code for _ in range(4)] == [200] * 4


def csv_rows(response):
    assert response.streaming
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_csv_export_streams_every_matching_row_past_any_page_size(seed, api):
    response = api.get("/api/v1/events/?format=csv&page_size=2&agency=dhs")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = csv_rows(response)
    assert len(rows) == 9
    assert rows[0]["slug"] == "cbp-outbound-vehicle-photo-plan-disclosed"
    assert rows[0]["people"] == "jessica-turner"
    assert rows[0]["citations"].startswith("http://testserver/api/v1/sources/1/; http://testserver/api/v1/sources/2/; ")


@pytest.mark.parametrize("text", ["=HYPERLINK(\"http://x\")", "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"])
def test_csv_export_neutralises_cells_a_spreadsheet_would_run(seed, api, text):
    Event.objects.filter(slug="vermont-airtag-vehicle-tracking-2024").update(title=text)
    rows = csv_rows(api.get("/api/v1/events/?format=csv&date_from=2024&date_to=2024"))
    assert rows[0]["title"] == "'" + text


@pytest.mark.parametrize("name", ["agencies", "organizations", "people", "programs", "contracts", "statements",
                                  "sources", "claims"])
def test_every_list_exports_csv(seed, api, name):
    rows = csv_rows(api.get(f"/api/v1/{name}/?format=csv"))
    assert len(rows) == len(body(api.get(f"/api/v1/{name}/?page_size=500"))["results"])


def test_csv_export_still_rejects_bad_filters(seed, api):
    response = api.get("/api/v1/events/?format=csv&agency=nowhere")
    assert response.status_code == 400
    assert b"agency" in response.content


def test_a_throttled_reader_may_read_again_once_the_minute_is_over(seed, api, monkeypatch):
    from rest_framework.throttling import SimpleRateThrottle

    from timeline.api.throttling import FixedWindowThrottle

    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": "2/minute", "user": "6/minute"})
    now = [6000.0]
    monkeypatch.setattr(FixedWindowThrottle, "timer", lambda self: now[0])
    assert [api.get("/api/v1/agencies/").status_code for _ in range(3)] == [200, 200, 429]
    now[0] += 45
    refused = api.get("/api/v1/agencies/")
    assert refused.status_code == 429 and refused["Retry-After"] == "15"
    now[0] += 15
    assert api.get("/api/v1/agencies/").status_code == 200
