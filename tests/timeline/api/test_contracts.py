"""Contract tests: the full response body of every endpoint on the seed timeline.

The list bodies live in expected/*.json (reviewed by hand; record timestamps, set when the seed
loads, are replaced by "<timestamp>"). Details are written out below in full.
"""
import pytest

from tests.timeline.api.conftest import body, expected, without_timestamps
from timeline.models import Claim

pytestmark = pytest.mark.django_db

LISTS = ["agencies", "organizations", "people", "programs", "events", "contracts", "statements", "sources", "claims",
         "reports"]

WIRED = {
    "source": 1, "source_url": "http://testserver/api/v1/sources/1/", "url": None, "outlet": "WIRED",
    "headline": "US Customs and Border Protection Plans to Photograph Everyone Exiting the US by Car",
    "published": None, "kind": "original", "locator": "", "note": "",
}
PCMAG = {
    "source": 2, "source_url": "http://testserver/api/v1/sources/2/", "url": None, "outlet": "PCMag",
    "headline": "", "published": None, "kind": "follow-up", "locator": "", "note": "",
}


@pytest.mark.parametrize("name", LISTS)
def test_each_list_returns_the_expected_body_on_the_seed(seed, api, name):
    response = api.get(f"/api/v1/{name}/?page_size=500")
    assert response.status_code == 200
    assert without_timestamps(body(response)) == expected(name)


def test_the_timelinejs_export_returns_the_expected_body_on_the_seed(seed, api):
    response = api.get("/api/v1/timeline.json")
    assert response.status_code == 200
    assert body(response) == expected("timeline")


def test_an_event_detail_carries_links_precision_and_citations(seed, api):
    response = api.get("/api/v1/events/cbp-outbound-vehicle-photo-plan-disclosed/")
    assert response.status_code == 200
    data = without_timestamps(body(response))
    assert [(c["outlet"], c["kind"], c["url"]) for c in data["citations"][2:]] == [
        ("Online Tech Guru", "copy",
         "https://onlinetechguru.co.uk/us-customs-and-border-protection-plans-to-photograph-everyone-exiting-the-us-by-car/"),
        ("BNN", "copy", "https://bnn.org/article/border-agents-are-going-to-photograph-everyone-leaving-the-us-by-car"),
    ]
    data["citations"] = data["citations"][:2]
    assert data == {
        "id": 10,
        "slug": "cbp-outbound-vehicle-photo-plan-disclosed",
        "url": "http://testserver/api/v1/events/cbp-outbound-vehicle-photo-plan-disclosed/",
        "web_url": "http://testserver/events/cbp-outbound-vehicle-photo-plan-disclosed/",
        "title": "CBP says it will photograph everyone leaving the US by car",
        "kind": "disclosure",
        "summary": (
            "CBP plans to photograph every person leaving the US by vehicle at land crossings into Canada and "
            "Mexico, including back-seat passengers, and match each face to passport, visa or other "
            "travel-document photos. Its stated goal is to confirm departure biometrically. No timeline has "
            "been given."
        ),
        "date": "2025-05-09",
        "date_precision": "day",
        "date_end": "2025-05-09",
        "date_display": "9 May 2025",
        "contract": None,
        "programs": ["outbound-vehicle-photo-capture"],
        "agencies": ["cbp"],
        "organizations": [],
        "people": ["jessica-turner"],
        "state": "published",
        "created_at": "<timestamp>",
        "modified_at": "<timestamp>",
        "version": 1,
        "citations": [WIRED, PCMAG],
    }


def test_a_contract_detail_gives_its_value_as_text_and_its_month_precision_announcement(seed, api):
    response = api.get("/api/v1/contracts/ice-palantir-immigrationos-2025/")
    assert response.status_code == 200
    data = without_timestamps(body(response))
    assert [c["outlet"] for c in data["citations"][2:]] == ["Business Insider (Africa edition)"]
    data["citations"] = data["citations"][:2]
    assert data == {
        "id": 1,
        "slug": "ice-palantir-immigrationos-2025",
        "url": "http://testserver/api/v1/contracts/ice-palantir-immigrationos-2025/",
        "web_url": "http://testserver/contracts/ice-palantir-immigrationos-2025/",
        "title": "ImmigrationOS build",
        "value_usd": "30000000.00",
        "piid": "",
        "generated_award_id": "",
        "parent_award_piid": "",
        "notes": "A contract justification was published a few days after the announcement.",
        "announced": "2025-04-01",
        "announced_precision": "month",
        "start": None,
        "start_precision": "day",
        "end": None,
        "end_precision": "day",
        "agency": "ice",
        "vendor": "palantir",
        "program": "immigrationos",
        "parent_award": None,
        "state": "published",
        "created_at": "<timestamp>",
        "modified_at": "<timestamp>",
        "version": 1,
        "citations": [WIRED, PCMAG],
    }


def test_a_claim_detail_marks_the_conflict_and_cites_its_source(seed, api):
    pk = Claim.objects.get(fact="value", value="29900000").pk
    response = api.get(f"/api/v1/claims/{pk}/")
    assert response.status_code == 200
    assert without_timestamps(body(response)) == {
        "id": pk,
        "url": f"http://testserver/api/v1/claims/{pk}/",
        "web_url": None,
        "fact": "value",
        "fact_label": "contract value (USD)",
        "value": "29900000",
        "quote": "",
        "note": "",
        "in_conflict": True,
        "subject": {
            "type": "contract", "id": 1, "slug": "ice-palantir-immigrationos-2025",
            "url": "http://testserver/api/v1/contracts/ice-palantir-immigrationos-2025/",
        },
        "citations": [PCMAG],
        "state": "published",
        "created_at": "<timestamp>",
        "modified_at": "<timestamp>",
        "version": 1,
    }


def test_a_program_detail_embeds_its_lifecycle_with_citations(seed, api):
    response = api.get("/api/v1/programs/outbound-vehicle-photo-capture/")
    assert response.status_code == 200
    data = without_timestamps(body(response))
    assert data["status"] == "planned"
    assert data["lifecycle"] == [{
        "id": 1, "status": "planned", "date": "2025-05-09", "date_precision": "day", "date_end": "2025-05-09",
        "date_display": "9 May 2025", "event": "cbp-outbound-vehicle-photo-plan-disclosed",
        "note": data["lifecycle"][0]["note"], "citations": [WIRED],
    }]
    assert data == expected("programs")["results"][3]
