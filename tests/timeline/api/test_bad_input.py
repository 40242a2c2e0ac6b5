"""Bad input is a 400 that names what was wrong, never a 500, and unknown parameters are not ignored."""
import base64
import json

import pytest
from rest_framework.test import APIClient

from tests.timeline.api.conftest import body

pytestmark = pytest.mark.django_db


def cursor(value, pk=1):
    return base64.urlsafe_b64encode(json.dumps([value, pk]).encode()).decode().rstrip("=")


@pytest.mark.parametrize("url", [
    f"/api/v1/events/?cursor={cursor(99999999999999999999)}",
    f"/api/v1/events/?cursor={cursor(12345)}",
    f"/api/v1/sources/?ordering=published&cursor={cursor(12345)}",
    f"/api/v1/events/?ordering=modified_at&cursor={cursor('2025-01-01T00:00:00')}",
    f"/api/v1/reports/?cursor={cursor('0001-01-01T00:00:00+01:00')}",
    f"/api/v1/claims/?cursor={cursor('not a number')}",
    f"/api/v1/agencies/?cursor={cursor(7)}",
])
def test_a_cursor_that_cannot_hold_the_orderings_value_is_a_400(seed, api, url):
    response = api.get(url)
    assert response.status_code == 400
    assert list(body(response)) == ["cursor"]


@pytest.mark.parametrize("param", ["published_since", "fetched_since"])
def test_a_time_beyond_the_calendar_once_in_utc_is_no_crash(seed, api, param):
    response = api.get(f"/api/v1/reports/?{param}=0001-01-01T00:00:00%2B01:00")
    assert response.status_code == 200


def test_a_deeply_nested_json_body_is_a_400(seed, curator_api):
    nested = "[" * 100_000 + "]" * 100_000
    response = curator_api.post("/api/v1/events/", data=nested, content_type="application/json")
    assert response.status_code == 400
    assert "nested too deeply" in body(response)["detail"]


@pytest.mark.parametrize("url,names", [
    ("/api/v1/events/?year=2025", ["year"]),
    ("/api/v1/events/?agencies=cbp&program=immigrationos", ["agencies"]),
    ("/api/v1/events/cbp-outbound-vehicle-photo-plan-disclosed/?page_size=2", ["page_size"]),
    ("/api/v1/reports/?include_deleted=true", ["include_deleted"]),
    ("/api/v1/timeline.json?year=2025&zz=1", ["year", "zz"]),
])
def test_an_unknown_query_parameter_is_a_400_naming_it(seed, api, url, names):
    response = api.get(url)
    assert response.status_code == 400
    assert sorted(body(response)) == names
    assert "this endpoint takes" in body(response)[names[0]][0]


def test_the_browsable_api_answers_a_browser(seed):
    client = APIClient()
    for url in ("/api/v1/events/", "/api/v1/events/cbp-outbound-vehicle-photo-plan-disclosed/"):
        response = client.get(url, HTTP_ACCEPT="text/html")
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/html")
        assert "cbp-outbound-vehicle-photo-plan-disclosed" in response.content.decode()
    assert client.get("/api/v1/events/", HTTP_ACCEPT="*/*")["Content-Type"] == "application/json"
