"""The seed timeline fixture carries every fact and slug of ../shared/seed-timeline.yaml."""
import datetime
from pathlib import Path

import pytest
import yaml

from timeline.models import (
    Agency, Citation, Claim, Contract, Event, LifecycleTransition, Organization, Person, Program, Source, State,
    Statement,
)

SEED_SPEC = Path(__file__).resolve().parents[2].parent / "shared" / "seed-timeline.yaml"

# The slugs tests and evaluations rely on, kept here too so the check runs without ../shared.
EVENT_SLUGS = {
    "palantir-ice-case-management-2014", "vermont-airtag-vehicle-tracking-2024",
    "self-report-departure-app-available", "ice-palantir-immigrationos-contract",
    "immigrationos-justification-published", "ssa-parolees-listed-deceased",
    "anzalduas-vehicle-face-test-results", "cbp-vehicle-face-recognition-pitch-request",
    "dhs-1000-self-deportation-payment", "cbp-outbound-vehicle-photo-plan-disclosed",
}
PROGRAM_SLUGS = {
    "outbound-vehicle-photo-capture", "inbound-vehicle-face-matching", "port-face-comparison",
    "immigrationos", "self-report-departure-app", "self-deportation-incentives",
}


@pytest.fixture
def spec():
    if not SEED_SPEC.exists():
        pytest.skip(f"{SEED_SPEC} is absent: the comparison with the seed spec needs ../shared")
    return yaml.safe_load(SEED_SPEC.read_text(encoding="utf-8"))


def test_it_holds_every_slug_tests_rely_on(seed):
    assert set(Event.objects.values_list("slug", flat=True)) == EVENT_SLUGS
    assert set(Program.objects.values_list("slug", flat=True)) == PROGRAM_SLUGS
    assert set(Agency.objects.values_list("slug", flat=True)) == {"dhs", "cbp", "ice", "ssa"}
    assert Contract.objects.get().slug == "ice-palantir-immigrationos-2025"
    assert Organization.objects.get().slug == "palantir"
    assert Person.objects.get().slug == "jessica-turner"


def test_it_matches_the_seed_spec_record_by_record(seed, spec):
    for item in spec["agencies"]:
        agency = Agency.objects.get(slug=item["slug"])
        assert agency.name == item["name"]
        assert (agency.parent.slug if agency.parent else None) == item.get("parent")
    for item in spec["programs"]:
        program = Program.objects.get(slug=item["slug"])
        assert program.name == item["name"]
        assert program.status == item["status"]
        assert sorted(program.agencies.values_list("slug", flat=True)) == sorted(item["agencies"])
        assert sorted(program.vendors.values_list("slug", flat=True)) == sorted(item.get("vendors", []))
    for item in spec["events"]:
        event = Event.objects.get(slug=item["slug"])
        assert event.title == item["title"]
        assert event.kind == item["kind"]
        assert event.date_precision == item["precision"]
        assert event.date_iso == str(item["date"])
        assert sorted(event.programs.values_list("slug", flat=True)) == sorted(item["programs"])
        assert sorted(event.agencies.values_list("slug", flat=True)) == sorted(item["agencies"])
        assert sorted(event.organizations.values_list("slug", flat=True)) == sorted(item.get("organizations", []))
        assert sorted(event.people.values_list("slug", flat=True)) == sorted(item.get("people", []))
        assert (event.contract.slug if event.contract else None) == item.get("contract")
    for item in spec["statements"]:
        statement = Statement.objects.get(slug=item["slug"])
        assert statement.quote == item["quote"]
        assert statement.speaker.slug == item["speaker"]
        assert statement.event.slug == item["event"]
        assert statement.date_precision == item["date"]["precision"]
    contract = Contract.objects.get(slug="ice-palantir-immigrationos-2025")
    assert contract.value_usd == spec["contracts"][0]["value_usd"]
    assert contract.announced_display == "April 2025"


def test_every_address_and_date_of_a_source_appears_in_the_spec(seed, spec):
    spec_sources = {item["url"]: item for item in spec["sources"]}
    for source in Source.objects.all():
        if source.url is None:
            assert source.published is None, source
            continue
        item = spec_sources[source.url]
        assert (source.published.isoformat() if source.published else "") == (item["published"] or "")
        assert source.headline == (item["headline"] or "")
    assert not Source.objects.exclude(archived_url="").exists()


def test_every_source_of_the_spec_is_cited_by_its_event_with_the_fact_it_supports(seed, spec):
    for item in spec["sources"]:
        source = Source.objects.get(url=item["url"])
        citation = Citation.objects.get(source=source, content_type__model="event",
                                        object_id=Event.objects.get(slug=item["event"]).pk)
        assert item["supports"] in citation.note
    assert Source.objects.exclude(url=None).count() == len({item["url"] for item in spec["sources"]})


def test_every_event_cites_a_source(seed):
    for event in Event.objects.all():
        assert event.citations.exists(), event.slug


def test_a_copy_names_the_outlet_it_copies(seed):
    copy = Source.objects.get(url="https://techurz.com/us-border-agents-are-asking-for-help-taking-photos-of-everyone-entering-the-country-by-car")
    assert copy.byline == "WIRED, republished by Techurz"
    assert copy.kind == Source.Kind.COPY


def test_it_reports_the_four_conflicting_claims(seed):
    conflicts = {}
    for claim in Claim.objects.conflicting().select_related("source"):
        conflicts.setdefault((claim.content_type.model, claim.object_id, claim.fact), set()).add(claim.value)
    anzalduas = Event.objects.get(slug="anzalduas-vehicle-face-test-results")
    contract = Contract.objects.get(slug="ice-palantir-immigrationos-2025")
    app = Program.objects.get(slug="self-report-departure-app")
    ssa = Event.objects.get(slug="ssa-parolees-listed-deceased")
    assert conflicts == {
        ("event", anzalduas.pk, "usable-photo-share"): {
            "61% success", "61% failure", "76% of images captured, 81% of those usable"},
        ("contract", contract.pk, "value"): {"30000000", "29900000", "29800000"},
        ("program", app.pk, "operating-agency"): {"ice", "cbp"},
        ("event", ssa.pk, "people-listed-dead"): {"6,004", "over 6,000", "more than 6,300"},
    }
    # Every claim names its source, and its subject cites that source.
    for claim in Claim.objects.all():
        assert Citation.objects.filter(content_type=claim.content_type, object_id=claim.object_id,
                                       source=claim.source_id).exists(), claim
    assert set(Claim.objects.filter(fact="operating-agency", value="cbp").values_list("source__outlet", flat=True)) == {
        "The Independent", "KESQ News Channel 3", "The Epoch Times"}


def test_no_internal_wording_reaches_the_records(seed):
    for model, fields in ((Program, ["summary"]), (Source, ["notes"]), (LifecycleTransition, ["note"])):
        for record in model.objects.all():
            for name in fields:
                text = getattr(record, name)
                assert "seed" not in text.lower(), (record, text)


def test_a_claim_that_agrees_with_every_other_is_not_a_conflict(seed):
    event = Event.objects.get(slug="anzalduas-vehicle-face-test-results")
    Claim.objects.filter(object_id=event.pk, fact="usable-photo-share").exclude(value="61% success").delete()
    assert not Claim.objects.conflicting().filter(object_id=event.pk, fact="usable-photo-share").exists()


def test_it_preserves_month_and_year_precision(seed):
    contract_event = Event.objects.get(slug="ice-palantir-immigrationos-contract")
    assert (contract_event.date_precision, contract_event.date_display) == ("month", "April 2025")
    assert contract_event.date_end == datetime.date(2025, 4, 30)
    palantir_2014 = Event.objects.get(slug="palantir-ice-case-management-2014")
    assert (palantir_2014.date_precision, palantir_2014.date_display) == ("year", "2014")
    assert palantir_2014.date_end == datetime.date(2014, 12, 31)
    disclosed = Event.objects.get(slug="cbp-outbound-vehicle-photo-plan-disclosed")
    assert disclosed.date_display == "9 May 2025"


def test_every_seed_record_is_published(seed):
    for model in (Agency, Organization, Person, Program, Event, Contract, Statement, Source, Claim):
        assert not model.objects.exclude(state=State.PUBLISHED).exists(), model
