"""Filters on the seed timeline: date ranges respecting precision, agencies with their children,
links, kind, status, incremental sync, search, ordering; and bad input as a 400 naming it."""
import datetime

import pytest
from django.utils import timezone

from tests.timeline.api.conftest import body
from timeline.models import Event

pytestmark = pytest.mark.django_db


def slugs(response):
    assert response.status_code == 200, response.content
    return [row["slug"] for row in body(response)["results"]]


def test_a_month_precision_event_is_inside_its_whole_month(seed, api):
    found = slugs(api.get("/api/v1/events/?date_from=2025-04-01&date_to=2025-04-30"))
    assert "ice-palantir-immigrationos-contract" in found
    assert "ssa-parolees-listed-deceased" in found


def test_a_month_precision_event_is_not_inside_part_of_its_month(seed, api):
    assert slugs(api.get("/api/v1/events/?date_from=2025-04-15&date_to=2025-04-20")) == []


def test_overlap_finds_a_month_precision_event_from_part_of_its_month(seed, api):
    found = slugs(api.get("/api/v1/events/?date_from=2025-04-15&date_to=2025-04-20&overlap=true"))
    assert sorted(found) == ["ice-palantir-immigrationos-contract", "immigrationos-justification-published",
                             "ssa-parolees-listed-deceased"]


def test_a_month_or_year_bound_covers_its_whole_period(seed, api):
    assert sorted(slugs(api.get("/api/v1/events/?date_from=2025-05&date_to=2025-05"))) == [
        "anzalduas-vehicle-face-test-results", "cbp-outbound-vehicle-photo-plan-disclosed",
        "cbp-vehicle-face-recognition-pitch-request", "dhs-1000-self-deportation-payment"]
    assert slugs(api.get("/api/v1/events/?date_to=2014")) == ["palantir-ice-case-management-2014"]


def test_a_year_precision_event_is_not_inside_one_of_its_months(seed, api):
    assert "vermont-airtag-vehicle-tracking-2024" not in slugs(api.get("/api/v1/events/?date_from=2024-03&date_to=2024-03"))
    assert "vermont-airtag-vehicle-tracking-2024" in slugs(
        api.get("/api/v1/events/?date_from=2024-03&date_to=2024-03&overlap=true"))


def contract_slugs(api, query):
    return slugs(api.get(f"/api/v1/contracts/?{query}"))


def test_a_month_precision_contract_announcement_is_inside_its_whole_month_only(seed, api):
    # Announced "April 2025" (stored as 2025-04-01, month precision).
    contract = "ice-palantir-immigrationos-2025"
    assert contract in contract_slugs(api, "announced_from=2025-04-01&announced_to=2025-04-30")
    assert contract in contract_slugs(api, "announced_from=2025-04&announced_to=2025")
    assert contract not in contract_slugs(api, "announced_from=2025-04-01&announced_to=2025-04-15")
    assert contract not in contract_slugs(api, "announced_from=2025-04-10")
    assert contract not in contract_slugs(api, "announced_to=2025-04-29")


def test_overlap_finds_a_month_precision_contract_announcement_from_part_of_its_month(seed, api):
    contract = "ice-palantir-immigrationos-2025"
    assert contract in contract_slugs(api, "announced_from=2025-04-01&announced_to=2025-04-15&overlap=true")
    assert contract in contract_slugs(api, "announced_from=2025-04-30&overlap=true")
    assert contract not in contract_slugs(api, "announced_from=2025-05-01&overlap=true")
    assert contract not in contract_slugs(api, "announced_to=2025-03-31&overlap=true")


def test_a_year_precision_contract_announcement_needs_its_whole_year(seed, api):
    from timeline.models import Agency, Contract, Organization

    Contract.objects.create(slug="year-contract", title="Known to the year", state="published",
                            agency=Agency.objects.filter(state="published").first(),
                            vendor=Organization.objects.filter(state="published").first(),
                            announced=datetime.date(2014, 1, 1), announced_precision="year")
    assert "year-contract" in contract_slugs(api, "announced_from=2014&announced_to=2014-12-31")
    assert "year-contract" not in contract_slugs(api, "announced_to=2014-12-30")
    assert "year-contract" not in contract_slugs(api, "announced_from=2014-06")
    assert "year-contract" in contract_slugs(api, "announced_from=2014-06&announced_to=2014-06&overlap=true")
    assert "year-contract" in contract_slugs(api, "announced_to=9999-12-31")


def test_an_agency_filter_includes_its_child_agencies(seed, api):
    dhs = set(slugs(api.get("/api/v1/events/?agency=dhs&page_size=100")))
    cbp = set(slugs(api.get("/api/v1/events/?agency=cbp")))
    ice = set(slugs(api.get("/api/v1/events/?agency=ice")))
    assert cbp and ice and cbp | ice < dhs
    assert "dhs-1000-self-deportation-payment" in dhs
    assert "vermont-airtag-vehicle-tracking-2024" not in dhs


def test_an_event_linked_to_a_parent_and_a_child_agency_appears_once(seed, api):
    event = Event.objects.get(slug="ssa-parolees-listed-deceased")
    event.agencies.add(*event.agencies.model.objects.filter(slug="cbp"))
    assert slugs(api.get("/api/v1/events/?agency=dhs")).count("ssa-parolees-listed-deceased") == 1


def test_program_organization_kind_and_contract_filters_select_linked_events(seed, api):
    assert sorted(slugs(api.get("/api/v1/events/?program=immigrationos"))) == [
        "ice-palantir-immigrationos-contract", "immigrationos-justification-published",
        "palantir-ice-case-management-2014"]
    assert sorted(slugs(api.get("/api/v1/events/?organization=palantir"))) == [
        "ice-palantir-immigrationos-contract", "palantir-ice-case-management-2014"]
    assert sorted(slugs(api.get("/api/v1/events/?kind=policy&kind=launch"))) == [
        "dhs-1000-self-deportation-payment", "self-report-departure-app-available", "ssa-parolees-listed-deceased"]
    assert len(slugs(api.get("/api/v1/events/?contract=ice-palantir-immigrationos-2025"))) == 2


def test_programs_filter_by_status_and_agency(seed, api):
    assert sorted(slugs(api.get("/api/v1/programs/?status=operating"))) == [
        "port-face-comparison", "self-deportation-incentives", "self-report-departure-app"]
    assert slugs(api.get("/api/v1/programs/?agency=ice&status=contracted")) == ["immigrationos"]


def test_modified_since_returns_only_records_changed_after_it(seed, api):
    cutoff = timezone.now()
    event = Event.objects.get(slug="vermont-airtag-vehicle-tracking-2024")
    event.summary += " Updated."
    event.save()
    since = cutoff.isoformat().replace("+00:00", "Z")
    assert slugs(api.get("/api/v1/events/", {"modified_since": since})) == ["vermont-airtag-vehicle-tracking-2024"]


def test_search_matches_words_in_titles_and_summaries(seed, api):
    assert slugs(api.get("/api/v1/events/?q=AirTags")) == ["vermont-airtag-vehicle-tracking-2024"]
    assert slugs(api.get("/api/v1/events/?q=Palantir contract")) == ["ice-palantir-immigrationos-contract"]
    assert sorted(slugs(api.get("/api/v1/events/?q=case management"))) == [
        "ice-palantir-immigrationos-contract", "palantir-ice-case-management-2014"]
    assert slugs(api.get("/api/v1/events/?q=zeppelin")) == []


def test_a_search_with_a_percent_sign_is_answered(seed, api):
    # On PostgreSQL the page query's values are written into a prepared statement's text, where
    # a stray % would be taken for a placeholder.
    assert slugs(api.get("/api/v1/events/?q=100%25")) == []
    assert slugs(api.get("/api/v1/statements/?q=%25s%25s")) == []


def test_ordering_on_dates_both_ways_puts_undated_records_last(seed, api):
    Event.objects.create(slug="undated", title="Undated", state="published")
    ascending = slugs(api.get("/api/v1/events/?ordering=date&page_size=100"))
    descending = slugs(api.get("/api/v1/events/?ordering=-date&page_size=100"))
    assert ascending[0] == "palantir-ice-case-management-2014" and ascending[-1] == "undated"
    assert descending[0] == "cbp-outbound-vehicle-photo-plan-disclosed" and descending[-1] == "undated"


def test_cursor_pages_cover_every_row_once_even_when_rows_are_added_meanwhile(seed, api):
    first = body(api.get("/api/v1/events/?ordering=date&page_size=3"))
    Event.objects.create(slug="earlier", title="Earlier", date=datetime.date(2000, 1, 1),
                         date_precision="day", state="published")
    seen = [row["slug"] for row in first["results"]]
    link = first["next"]
    while link:
        page = body(api.get(link))
        seen += [row["slug"] for row in page["results"]]
        link = page["next"]
    assert len(seen) == len(set(seen)) == 10
    assert "earlier" not in seen


@pytest.mark.parametrize("query,parameter", [
    ("kind=rumour", "kind"),
    ("agency=no-such-agency", "agency"),
    ("program=no-such-program", "program"),
    ("date_from=2025-13", "date_from"),
    ("date_to=April", "date_to"),
    ("date_from=2025-02-30", "date_from"),
    ("modified_since=yesterday", "modified_since"),
    ("overlap=perhaps", "overlap"),
    ("page_size=501", "page_size"),
    ("page_size=0", "page_size"),
    ("page_size=ten", "page_size"),
    ("ordering=title", "ordering"),
    ("cursor=not-a-cursor", "cursor"),
    ("state=secret", "state"),
])
def test_bad_input_is_a_400_naming_the_parameter(seed, api, query, parameter):
    response = api.get(f"/api/v1/events/?{query}")
    assert response.status_code == 400
    assert list(body(response)) == [parameter]


@pytest.mark.parametrize("url,parameter", [
    ("/api/v1/programs/?status=dormant", "status"),
    ("/api/v1/claims/?source=99999999999999999999999", "source"),
    ("/api/v1/claims/?in_conflict=maybe", "in_conflict"),
    ("/api/v1/sources/?published_from=2025-99-01", "published_from"),
    ("/api/v1/contracts/?announced_from=2025-13", "announced_from"),
    ("/api/v1/contracts/?announced_to=April", "announced_to"),
    ("/api/v1/contracts/?overlap=sometimes", "overlap"),
    ("/api/v1/contracts/?ordering=value_usd", "ordering"),
    ("/api/v1/timeline.json?program=nope", "program"),
])
def test_bad_input_on_other_endpoints_is_a_400_naming_the_parameter(seed, api, url, parameter):
    response = api.get(url)
    assert response.status_code == 400
    assert list(body(response)) == [parameter]


def test_claims_filter_to_those_in_conflict(seed, api):
    Claim = __import__("timeline.models", fromlist=["Claim"]).Claim
    settled = Claim.objects.filter(fact="operating-agency")
    settled.update(value="ice")
    settled_ids = sorted(settled.values_list("pk", flat=True))
    ids = [row["id"] for row in body(api.get("/api/v1/claims/?in_conflict=true&page_size=500"))["results"]]
    assert ids == sorted(Claim.objects.exclude(pk__in=settled_ids).values_list("pk", flat=True))
    assert [row["id"] for row in body(api.get("/api/v1/claims/?in_conflict=false"))["results"]] == settled_ids


def test_the_timelinejs_export_filters_by_program_and_by_agency_with_children(seed, api):
    by_program = body(api.get("/api/v1/timeline.json?program=inbound-vehicle-face-matching"))
    assert [e["unique_id"] for e in by_program["events"]] == [
        "anzalduas-vehicle-face-test-results", "cbp-vehicle-face-recognition-pitch-request"]
    assert by_program["events"][0]["start_date"] == {"year": 2025, "month": 5, "display_date": "May 2025"}
    by_agency = body(api.get("/api/v1/timeline.json?agency=dhs"))
    assert len(by_agency["events"]) == 9
