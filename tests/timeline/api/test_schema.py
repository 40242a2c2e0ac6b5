"""The OpenAPI schema documents every endpoint and filter; the docs are served without a CDN."""
import re

import pytest
import yaml

from timeline.api.filters import (
    AgencyFilterSet, ClaimFilterSet, ContractFilterSet, EventFilterSet, OrganizationFilterSet, PersonFilterSet,
    ProgramFilterSet, SourceFilterSet, StatementFilterSet,
)

from timeline.api.views.report import ReportFilterSet

pytestmark = pytest.mark.django_db

FILTERSETS = {
    "agencies": AgencyFilterSet, "organizations": OrganizationFilterSet, "people": PersonFilterSet,
    "programs": ProgramFilterSet, "events": EventFilterSet, "contracts": ContractFilterSet,
    "statements": StatementFilterSet, "sources": SourceFilterSet, "claims": ClaimFilterSet,
    "reports": ReportFilterSet,
}


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    from rest_framework.test import APIClient

    with django_db_blocker.unblock():
        response = APIClient().get("/api/v1/schema/")
    assert response.status_code == 200
    return yaml.safe_load(response.content)


@pytest.mark.parametrize("name,filterset", sorted(FILTERSETS.items()))
def test_every_filter_and_list_parameter_is_documented(schema, name, filterset):
    operation = schema["paths"][f"/api/v1/{name}/"]["get"]
    documented = {p["name"]: p for p in operation["parameters"]}
    expected = set(filterset.base_filters) | {"ordering", "cursor", "page_size", "format"}
    assert expected <= set(documented)
    for parameter in filterset.base_filters:
        assert documented[parameter].get("description"), parameter


def test_the_schema_describes_the_timelinejs_export_and_its_filters(schema):
    operation = schema["paths"]["/api/v1/timeline.json"]["get"]
    assert {p["name"] for p in operation["parameters"]} == {"agency", "program"}


def test_write_operations_document_every_refusal_they_can_answer(schema):
    for path, item in schema["paths"].items():
        for method in ("post", "put", "patch"):
            if method in item:
                codes = set(item[method]["responses"])
                assert {"400", "401", "403", "404"} <= codes, (method, path)
                if method != "post":
                    assert {"404", "409", "410"} <= codes, (method, path)


def test_an_unknown_format_is_a_documented_404(client, schema):
    assert "404" in schema["paths"]["/api/v1/events/"]["get"]["responses"]
    assert client.get("/api/v1/events/?format=AAA").status_code == 404


def test_what_the_schema_calls_a_valid_filter_value_is_accepted(client, schema):
    """Ids and dates carry their bounds and pattern in the schema, so a client (or Schemathesis)
    that keeps to the schema is not refused; values outside them are refused with a 400."""
    claims = {p["name"]: p["schema"] for p in schema["paths"]["/api/v1/claims/"]["get"]["parameters"]}
    assert claims["source"]["minimum"] == 1 and claims["source"]["type"] == "integer"
    events = {p["name"]: p["schema"] for p in schema["paths"]["/api/v1/events/"]["get"]["parameters"]}
    pattern = re.compile(events["date_from"]["pattern"])
    for value in ("2025", "2025-04", "2025-04-30", "0001", "9999-12-31"):
        assert pattern.match(value)
        assert client.get(f"/api/v1/events/?date_from={value}").status_code == 200
    for value in ("0000", "2025-13", "2025-4", "2025-04-32", "20250", "April 2025"):
        assert not pattern.match(value)
        assert client.get(f"/api/v1/events/?date_from={value}").status_code == 400
    assert client.get("/api/v1/claims/?source=0").status_code == 400


@pytest.mark.parametrize("page", ["/api/v1/docs/", "/api/v1/redoc/"])
def test_the_docs_load_their_scripts_from_this_site_not_a_cdn(client, page):
    response = client.get(page)
    assert response.status_code == 200
    html = response.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets and all(asset.startswith("/static/drf_spectacular_sidecar/") for asset in assets)
    assert not re.search(r"(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}/", html, re.IGNORECASE)
