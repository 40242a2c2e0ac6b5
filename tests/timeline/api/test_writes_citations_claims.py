"""Curators write a record's citations and claims through the API, as the admin's inlines allow."""
import pytest
from django.contrib.auth.models import Group
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.timeline.api.conftest import body
from timeline.models import Citation, Claim, Event

pytestmark = pytest.mark.django_db

EVENT = "/api/v1/events/cbp-outbound-vehicle-photo-plan-disclosed/"


def cited_sources(data):
    return [(c["source"], c["locator"], c["note"]) for c in data["citations"]]


def test_a_new_event_is_created_with_its_citations(seed, curator, curator_api):
    response = curator_api.post("/api/v1/events/", {
        "slug": "test-hearing", "title": "A hearing", "kind": "hearing", "date": "2025-06-01",
        "date_precision": "month", "state": "published",
        "citations": [{"source": 1, "locator": "para. 3"}, {"source": 2}],
    }, format="json")
    assert response.status_code == 201, response.content
    assert cited_sources(body(response)) == [(1, "para. 3", ""), (2, "", "")]
    event = Event.objects.get(slug="test-hearing")
    history = Citation.history.filter(object_id=event.pk)
    assert history.count() == 2 and {h.history_user for h in history} == {curator}


def test_sent_citations_replace_the_list_and_an_unchanged_one_keeps_its_row(seed, curator_api, curator):
    data = body(curator_api.get(EVENT))
    before = {c.source_id: c.pk for c in Event.objects.get(slug=data["slug"]).citations.all()}
    kept = next(iter(before))
    sent = [{"source": c["source"], "locator": c["locator"], "note": c["note"]} for c in data["citations"]]
    sent.append({"source": 3, "note": "added through the API"})
    response = curator_api.patch(EVENT, {"citations": sent, "version": data["version"]}, format="json")
    assert response.status_code == 200, response.content
    assert (3, "", "added through the API") in cited_sources(body(response))
    after = {c.source_id: c.pk for c in Event.objects.get(slug=data["slug"]).citations.all()}
    assert after[kept] == before[kept] and set(after) == set(before) | {3}


def test_an_edit_that_leaves_citations_out_keeps_them(seed, curator_api):
    data = body(curator_api.get(EVENT))
    response = curator_api.patch(EVENT, {"title": "Retitled", "version": data["version"]}, format="json")
    assert response.status_code == 200
    assert body(response)["citations"] == data["citations"]


def test_removing_a_citation_needs_the_delete_permission_as_in_the_admin(seed, curator_api, curator):
    data = body(curator_api.get(EVENT))
    assert data["citations"], "the seed event cites its sources"
    response = curator_api.patch(EVENT, {"citations": [], "version": data["version"]}, format="json")
    assert response.status_code == 403
    assert body(curator_api.get(EVENT))["citations"] == data["citations"]  # nothing half-done

    curator.groups.add(Group.objects.get(name="Editors"))
    editor_api = APIClient()
    editor_api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get(user=curator).key}")
    response = editor_api.patch(EVENT, {"citations": [], "version": data["version"]}, format="json")
    assert response.status_code == 200, response.content
    assert body(response)["citations"] == []
    assert Citation.history.filter(history_type="-", history_user=curator).count() == len(data["citations"])


@pytest.mark.parametrize("citations, message", [
    ([{"source": 1}, {"source": 1}], "cited twice"),
    ([{"source": 999999}], "Invalid pk"),
    ([{"locator": "p. 1"}], "required"),
    ("not a list", "list"),
])
def test_bad_citations_are_a_400_naming_the_field(seed, curator_api, citations, message):
    data = body(curator_api.get(EVENT))
    response = curator_api.patch(EVENT, {"citations": citations, "version": data["version"]}, format="json")
    assert response.status_code == 400
    assert list(body(response)) == ["citations"] and message in str(body(response)["citations"])


def test_a_curator_adds_a_claim_and_the_disagreement_is_marked(seed, curator, curator_api):
    response = curator_api.post("/api/v1/claims/", {
        "subject": {"type": "contract", "slug": "ice-palantir-immigrationos-2025"},
        "fact": "value", "fact_label": "Contract value (USD)", "value": "31000000", "source": 3,
        "state": "published",
    }, format="json")
    assert response.status_code == 201, response.content
    data = body(response)
    assert data["in_conflict"] is True
    assert data["subject"]["slug"] == "ice-palantir-immigrationos-2025" and data["citations"][0]["source"] == 3
    assert Claim.objects.get(pk=data["id"]).history.get().history_user == curator


def test_editing_a_claim_checks_the_version_and_can_settle_a_conflict(seed, curator_api):
    claims = Claim.objects.filter(fact="value")
    claims.filter(value="29800000").delete()  # two values left: 30,000,000 and 29,900,000
    url = f"/api/v1/claims/{claims.get(value='29900000').pk}/"
    data = body(curator_api.get(url))
    assert data["in_conflict"] is True
    response = curator_api.patch(url, {"value": "30000000", "version": data["version"]}, format="json")
    assert response.status_code == 200, response.content
    assert body(response)["in_conflict"] is False
    assert curator_api.patch(url, {"value": "1", "version": data["version"]}, format="json").status_code == 409


@pytest.mark.parametrize("payload, field", [
    ({"subject": {"type": "contract", "slug": "no-such-contract"}}, "subject"),
    ({"subject": {"type": "planet", "slug": "mars"}}, "subject"),
    ({"source": None}, "source"),
    ({"value": ""}, "value"),
])
def test_a_bad_claim_is_a_400_naming_the_field(seed, curator_api, payload, field):
    claim = {"subject": {"type": "program", "slug": "immigrationos"}, "fact": "operating-agency",
             "value": "ice", "source": 1, **payload}
    response = curator_api.post("/api/v1/claims/", claim, format="json")
    assert response.status_code == 400
    assert field in body(response)
