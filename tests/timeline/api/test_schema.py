"""The OpenAPI schema documents every endpoint and filter; the docs are served without a CDN."""
import pytest
import yaml

from timeline.api.filters import (
    AgencyFilterSet, ClaimFilterSet, ContractFilterSet, EventFilterSet, OrganizationFilterSet, PersonFilterSet,
    ProgramFilterSet, SourceFilterSet, StatementFilterSet,
)

pytestmark = pytest.mark.django_db

FILTERSETS = {
    "agencies": AgencyFilterSet, "organizations": OrganizationFilterSet, "people": PersonFilterSet,
    "programs": ProgramFilterSet, "events": EventFilterSet, "contracts": ContractFilterSet,
    "statements": StatementFilterSet, "sources": SourceFilterSet, "claims": ClaimFilterSet,
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


@pytest.mark.parametrize("page", ["/api/v1/docs/", "/api/v1/redoc/"])
def test_the_docs_load_their_scripts_from_this_site_not_a_cdn(client, page):
    response = client.get(page)
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/" in html
    assert "cdn" not in html.lower()
