"""/api/v1/timeline.json tells the truth about dates, links back and names what it shows."""
import pytest

from tests.timeline.api.conftest import body

pytestmark = pytest.mark.django_db


def slide(data, slug):
    return next(event for event in data["events"] if event["unique_id"] == slug)


def test_a_month_or_a_year_is_one_date_shown_as_people_write_it(seed, api):
    data = body(api.get("/api/v1/timeline.json"))
    month = slide(data, "self-report-departure-app-available")
    assert month["start_date"] == {"year": 2025, "month": 3, "display_date": "March 2025"}
    assert "end_date" not in month
    year = slide(data, "palantir-ice-case-management-2014")
    assert year["start_date"] == {"year": 2014, "display_date": "2014"} and "end_date" not in year


def test_every_slide_links_to_its_event_page_and_its_sources(seed, api):
    data = body(api.get("/api/v1/timeline.json"))
    for event in data["events"]:
        assert f'href="http://testserver/events/{event["unique_id"]}/"' in event["text"]["text"]
    text = slide(data, "cbp-outbound-vehicle-photo-plan-disclosed")["text"]["text"]
    assert "<p>Sources:</p><ul><li><a href=" in text


def test_the_title_names_the_filtered_program_or_agency(seed, api):
    assert body(api.get("/api/v1/timeline.json?program=immigrationos"))["title"]["text"]["headline"] == \
        "ImmigrationOS: events"
    headline = body(api.get("/api/v1/timeline.json?agency=ice"))["title"]["text"]["headline"]
    assert headline.endswith(": events") and "Immigration" in headline
    assert body(api.get("/api/v1/timeline.json"))["title"]["text"]["headline"] == \
        "Surveillance and immigration-enforcement timeline"
