"""/api/v1/<kind>/<key>/versions/ and /versions/<n>/: the public versions of a record."""
import pytest

from tests.timeline.api.conftest import body
from timeline.models import Contract, Event

pytestmark = pytest.mark.django_db
SLUG = "ice-palantir-immigrationos-2025"


def edit_value(editor):
    contract = Contract.objects.get(slug=SLUG)
    contract.value_usd = "29900000"
    contract._history_user = editor
    contract._change_reason = "Value as PCMag reports it"
    contract.save()


def test_the_list_gives_every_version_with_its_role_and_addresses(seed, api, editor):
    edit_value(editor)
    data = body(api.get(f"/api/v1/contracts/{SLUG}/versions/"))
    assert data["current_version"] == 2 and data["deleted_at"] is None
    assert data["record_url"] == f"http://testserver/api/v1/contracts/{SLUG}/"
    assert [(v["version"], v["role"], v["change"]) for v in data["results"]] == [
        (1, "Automatic import", "First recorded"), (2, "Editor", "Value as PCMag reports it")]
    assert data["results"][0]["url"] == f"http://testserver/api/v1/contracts/{SLUG}/versions/1/"
    assert data["results"][0]["web_url"] == f"http://testserver/contracts/{SLUG}/versions/1/"
    assert "editor" not in str(data).replace("Editor", "")


def test_a_version_gives_the_record_as_it_stood_and_what_the_next_changed(seed, api, editor):
    edit_value(editor)
    data = body(api.get(f"/api/v1/contracts/{SLUG}/versions/1/"))
    assert data["version"] == 1 and data["current_version"] == 2 and data["next_version"] == 2
    record = data["record"]
    assert (record["title"], record["agency"], record["vendor"], record["program"]) == (
        "ImmigrationOS build", "ice", "palantir", "immigrationos")
    assert (record["value_usd"], record["announced"], record["announced_precision"]) == (
        "30000000.00", "2025-04", "month")
    assert data["changed_in_next_version"] == [
        {"field": "value_usd", "before": "30000000.00", "after": "29900000.00"}]
    latest = body(api.get(f"/api/v1/contracts/{SLUG}/versions/2/"))
    assert latest["record"]["value_usd"] == "29900000.00" and latest["changed_in_next_version"] == []


def test_sources_are_addressed_by_id(seed, api):
    data = body(api.get("/api/v1/sources/1/versions/1/"))
    assert data["record"]["outlet"] == "WIRED"


def test_a_deleted_record_keeps_its_versions(seed, api):
    Event.objects.get(slug="vermont-airtag-vehicle-tracking-2024").soft_delete()
    data = body(api.get("/api/v1/events/vermont-airtag-vehicle-tracking-2024/versions/"))
    assert data["deleted_at"] is not None
    assert [v["deleted"] for v in data["results"]] == [False, True]


@pytest.mark.parametrize("url", [
    f"/api/v1/contracts/{SLUG}/versions/7/", "/api/v1/contracts/nope/versions/", "/api/v1/sources/abc/versions/1/",
])
def test_unknown_records_and_versions_are_json_404s(seed, api, url):
    response = api.get(url)
    assert response.status_code == 404
    assert "detail" in body(response)


def test_a_draft_has_no_public_versions(seed, api):
    Contract.objects.filter(slug=SLUG).update(state="draft")
    assert api.get(f"/api/v1/contracts/{SLUG}/versions/").status_code == 404


def test_the_versions_list_does_a_fixed_number_of_queries(seed, api, editor, django_assert_max_num_queries):
    for _ in range(5):
        edit_value(editor)
    # 1 the contract, 2 its history with users, 3 the users' groups (DRF's throttle uses the cache).
    with django_assert_max_num_queries(3):
        assert api.get(f"/api/v1/contracts/{SLUG}/versions/").status_code == 200


@pytest.mark.parametrize("url", [f"/api/v1/contracts/{SLUG}/versions/?page=2", f"/api/v1/contracts/{SLUG}/versions/1/?lang=fr"])
def test_unknown_query_parameters_are_refused_by_name(seed, api, url):
    response = api.get(url)
    assert response.status_code == 400
    assert list(body(response)) == [url.rsplit("?", 1)[1].split("=")[0]]


def test_versions_come_from_the_response_cache_until_a_new_version_is_recorded(
        seed, api, editor, django_assert_num_queries):
    url = f"/api/v1/contracts/{SLUG}/versions/"
    first = api.get(url)
    with django_assert_num_queries(0):
        assert api.get(url).content == first.content
        assert api.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    one = api.get(f"{url}1/")
    with django_assert_num_queries(0):
        assert api.get(f"{url}1/", HTTP_IF_MODIFIED_SINCE=one["Last-Modified"]).status_code == 304
    edit_value(editor)
    assert body(api.get(url))["current_version"] == 2
    assert body(api.get(f"{url}1/"))["next_version"] == 2


@pytest.mark.parametrize("method", ["TRACE", "POST", "DELETE"])
def test_other_methods_on_versions_are_405_not_a_server_error(seed, api, method):
    """Schemathesis found TRACE answering 500: the default permission asked these views for a queryset."""
    for path in ("/api/v1/agencies/0/versions/", "/api/v1/agencies/0/versions/0/",
                 "/api/v1/events/cbp-outbound-vehicle-photo-plan-disclosed/versions/"):
        assert api.generic(method, path).status_code == 405
