"""Syncing USAspending awards from recorded responses served on 127.0.0.1."""
import copy
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command

from records.awards import accept_match, reject_match, sync_awards
from records.models import AwardRecord, AwardWatch, MatchStatus
from records.usaspending import AwardQuery
from tests.records.recorded_api import recorded_awards
from timeline.models import Agency, Claim, Contract, Event, Organization, Source, State

ICE_PALANTIR = dict(awarding_agency="Department of Homeland Security",
                    awarding_subagency="U.S. Immigration and Customs Enforcement", recipient="Palantir")
FIRST, SECOND = (a["generated_unique_award_id"] for a in recorded_awards())


def make_award(n, modified="2025-01-01 00:00:00", obligated=1000.0):
    award = copy.deepcopy(recorded_awards()[1])
    award["generated_unique_award_id"] = f"CONT_AWD_TESTBULK{n:05d}_7012_-NONE-_-NONE-"
    award["piid"] = f"TESTBULK{n:05d}"
    award["period_of_performance"]["last_modified_date"] = modified
    award["total_obligation"] = obligated
    return award


@pytest.fixture
def watch(db):
    return AwardWatch.objects.create(name="ICE / Palantir", **ICE_PALANTIR)


def claims_of(contract, **filters):
    return Claim.objects.filter(content_type=ContentType.objects.get_for_model(Contract), object_id=contract.pk,
                                **filters)


def test_a_first_sync_creates_each_award_as_a_contract_with_sourced_figures(seed, recorded_api, watch):
    recorded_api.add_awards(recorded_awards()[1:])
    result = sync_awards(AwardQuery.of_watch(watch), watch=watch)
    assert result.outcome == "ok" and result.created == 1, result
    contract = Contract.objects.get(generated_award_id=SECOND)
    assert (contract.piid, contract.agency.slug, contract.vendor.slug) == ("TEST0002", "ice", "palantir")
    assert contract.state == State.PUBLISHED
    assert str(contract.start) == "2024-09-20" and contract.start_precision == "day"
    assert contract.description == "CASE MANAGEMENT SOFTWARE OPERATIONS AND MAINTENANCE"
    figures = dict(claims_of(contract).values_list("fact", "value"))
    assert figures == {"value": "1250000.50", "current-total-value": "1500000", "potential-total-value": "4000000"}
    source = Source.objects.get(url=f"https://www.usaspending.gov/award/{SECOND}")
    assert source.kind == Source.Kind.GOVERNMENT and str(source.published) == "2024-10-01"
    event = Event.objects.get(contract=contract)
    assert (event.kind, event.state, str(event.date)) == ("contract", "draft", "2024-09-20")
    watch.refresh_from_db()
    assert watch.health == "ok" and watch.last_error == "" and watch.modified_since is not None


def test_a_rerun_changes_nothing_and_fetches_no_unchanged_award(seed, recorded_api, watch):
    recorded_api.add_awards(recorded_awards())
    sync_awards(AwardQuery.of_watch(watch), watch=watch)
    counts = (Contract.objects.count(), Claim.objects.count(), Event.objects.count(), Source.objects.count())
    details = recorded_api.requests["award"]
    watch.modified_since = None  # even asking for everything again
    result = sync_awards(AwardQuery.of_watch(watch), watch=watch)
    assert (result.unchanged, result.created, result.modified) == (2, 0, 0)
    assert recorded_api.requests["award"] == details
    assert counts == (Contract.objects.count(), Claim.objects.count(), Event.objects.count(), Source.objects.count())


def test_an_award_listed_with_its_date_written_differently_is_still_fetched_once(seed, recorded_api, watch):
    recorded_api.rows_list_dates_only = True
    recorded_api.add_awards(recorded_awards()[1:])
    sync_awards(AwardQuery.of_watch(watch), watch=watch)
    sync_awards(AwardQuery.of_watch(watch), watch=watch)
    assert recorded_api.requests["award"] == 1
    assert AwardRecord.objects.get().last_modified == "2024-10-01"


def test_an_incremental_sync_asks_only_for_awards_modified_since_the_last_run(seed, recorded_api, watch):
    recorded_api.add_awards(recorded_awards()[1:])
    sync_awards(AwardQuery.of_watch(watch), watch=watch)
    watch.refresh_from_db()
    sync_awards(AwardQuery.of_watch(watch), watch=watch)
    period = recorded_api.search_bodies[-1]["filters"]["time_period"][0]
    assert period["date_type"] == "last_modified_date"
    assert period["start_date"] == watch.modified_since.isoformat()
    assert "time_period" not in recorded_api.search_bodies[0]["filters"]


def test_a_sync_follows_three_pages(db, recorded_api, settings):
    settings.RECORDS_PAGE_SIZE = 2
    recorded_api.add_awards([make_award(n, f"2025-01-0{n + 1} 00:00:00") for n in range(5)])
    result = sync_awards(AwardQuery("Department of Homeland Security", "Palantir"))
    assert (result.pages, result.created, recorded_api.requests["search"]) == (3, 5, 3)
    assert [b["page"] for b in recorded_api.search_bodies] == [1, 2, 3]
    assert Contract.objects.filter(generated_award_id__startswith="CONT_AWD_TESTBULK").count() == 5


def test_a_modification_updates_the_figure_and_proposes_a_draft_event(seed, recorded_api, watch):
    recorded_api.add_awards(recorded_awards()[1:])
    sync_awards(AwardQuery.of_watch(watch), watch=watch)
    modified = copy.deepcopy(recorded_awards()[1])
    modified["period_of_performance"]["last_modified_date"] = "2025-03-01 09:00:00"
    modified["total_obligation"] = 2000000.0
    recorded_api.add_awards([modified])
    watch.modified_since = None
    result = sync_awards(AwardQuery.of_watch(watch), watch=watch)
    assert result.modified == 1
    contract = Contract.objects.get(generated_award_id=SECOND)
    assert claims_of(contract, fact="value").get().value == "2000000"
    assert contract.award_last_modified.isoformat().startswith("2025-03-01T09:00")
    events = Event.objects.filter(contract=contract).order_by("date")
    assert [(str(e.date), e.state) for e in events] == [("2024-09-20", "draft"), ("2025-03-01", "draft")]
    assert "2,000,000.00" in events[1].summary


def test_immigrationos_award_is_proposed_as_the_contract_on_record_and_its_figure_conflicts_with_reporting(
        seed, recorded_api, watch, curator, client):
    recorded_api.add_awards(recorded_awards()[:1])
    result = sync_awards(AwardQuery.of_watch(watch), watch=watch)
    assert result.proposed == 1
    contract = Contract.objects.get(slug="ice-palantir-immigrationos-2025")
    assert Contract.objects.count() == 1  # never created twice
    record = AwardRecord.objects.get(generated_award_id=FIRST)
    assert record.contract == contract and record.match_status == MatchStatus.PROPOSED
    assert any("ImmigrationOS" in reason or "Immigration" in reason for reason in record.match_reasons)
    award_claim = claims_of(contract, fact="value", source__url__contains="usaspending").get()
    assert (award_claim.value, award_claim.state) == ("29900000", State.DRAFT)
    contract.refresh_from_db()
    assert contract.generated_award_id == ""  # until a curator accepts the match

    assert accept_match(record, curator)
    contract.refresh_from_db()
    assert (contract.generated_award_id, contract.piid, contract.parent_award_piid) == (FIRST, "TEST0001", "TESTIDV01")
    award_claim.refresh_from_db()
    assert award_claim.state == State.PUBLISHED
    assert award_claim.conflicting_claims.filter(value="30000000").exists()
    page = client.get(contract.get_absolute_url()).content.decode()
    assert f'href="https://www.usaspending.gov/award/{FIRST}"' in page
    assert "$29,900,000" in page and "$30,000,000" in page
    # A second run finds it unchanged and leaves the accepted match alone.
    again = sync_awards(AwardQuery(**ICE_PALANTIR), watch=None)
    assert again.unchanged == 1 and Contract.objects.count() == 1


def test_a_rejected_match_becomes_its_own_contract_with_the_award_figures(seed, recorded_api, watch, curator):
    recorded_api.add_awards(recorded_awards()[:1])
    sync_awards(AwardQuery.of_watch(watch), watch=watch)
    record = AwardRecord.objects.get(generated_award_id=FIRST)
    assert reject_match(record, curator)
    record.refresh_from_db()
    own = record.contract
    assert own.generated_award_id == FIRST and own.slug != "ice-palantir-immigrationos-2025"
    assert claims_of(own, fact="value").get().value == "29900000"
    on_record = Contract.objects.get(slug="ice-palantir-immigrationos-2025")
    assert not claims_of(on_record, source__url__contains="usaspending").exists()
    assert Event.objects.filter(contract=own).count() == 1


def test_an_unknown_agency_and_recipient_are_proposed_as_drafts(db, recorded_api):
    recorded_api.add_awards(recorded_awards()[1:])
    sync_awards(AwardQuery("Department of Homeland Security", "Palantir"))
    contract = Contract.objects.get(generated_award_id=SECOND)
    assert contract.state == State.DRAFT
    assert contract.agency.state == State.DRAFT and contract.agency.parent.name == "Department of Homeland Security"
    assert Organization.objects.get(name="PALANTIR TECHNOLOGIES INC.").state == State.DRAFT
    assert Agency.objects.filter(name="U.S. Immigration and Customs Enforcement").count() == 1


@pytest.mark.parametrize("fault, expected", [
    (dict(status=500, body={"detail": "boom"}), "HTTP 500"),
    (dict(status=429, body={}, headers={"Retry-After": "3600"}), "HTTP 429"),
    (dict(status=200, body=b"<html><body>Service unavailable</body></html>", content_type="text/html"), "HTML page"),
    (dict(status=200, body=b'{"results": [{"generated_internal_id": "X"'), "truncated JSON"),
    (dict(status=200, body=b"not json at all"), "malformed"),
    (dict(status=200, body={"detail": "no results here"}), "no results list"),
    (dict(status=307, headers={"Location": "http://127.0.0.1:9/elsewhere"}), "was redirected"),
])
def test_a_bad_search_response_is_recorded_on_the_watch_and_loses_nothing(seed, recorded_api, watch, fault,
                                                                           expected, settings):
    settings.RECORDS_FETCH_ATTEMPTS = 1
    recorded_api.add_awards(recorded_awards()[1:])
    sync_awards(AwardQuery.of_watch(watch), watch=watch)
    before = (Contract.objects.count(), Claim.objects.count(), watch.modified_since)
    recorded_api.fault("/api/v2/search/", **fault)
    result = sync_awards(AwardQuery.of_watch(watch), watch=watch)
    watch.refresh_from_db()
    assert result.outcome == "failed" and expected in watch.last_error, watch.last_error
    assert watch.health == "erroring" and watch.consecutive_failures == 1
    assert (Contract.objects.count(), Claim.objects.count(), watch.modified_since) == before


def test_a_429_with_a_short_retry_after_and_a_500_are_retried(db, recorded_api, settings):
    settings.RECORDS_FETCH_ATTEMPTS = 3
    recorded_api.add_awards(recorded_awards()[1:])
    recorded_api.fault("/api/v2/search/", status=429, headers={"Retry-After": "0"})
    recorded_api.fault("/api/v2/awards/", status=503)
    result = sync_awards(AwardQuery("Department of Homeland Security", "Palantir"))
    assert result.outcome == "ok" and result.created == 1
    assert (recorded_api.requests["search"], recorded_api.requests["award"]) == (2, 2)


def test_a_timeout_is_recorded_on_the_watch(seed, recorded_api, watch, settings):
    settings.RECORDS_FETCH_ATTEMPTS = 1
    settings.FEED_READ_TIMEOUT = 0.2
    recorded_api.add_awards(recorded_awards()[1:])
    recorded_api.fault("/api/v2/awards/", delay=1.0)
    result = sync_awards(AwardQuery.of_watch(watch), watch=watch)
    watch.refresh_from_db()
    assert result.outcome == "failed" and "timed out" in watch.last_error
    assert not AwardRecord.objects.exists()


@pytest.mark.parametrize("change, expected", [
    (lambda a: a.update(total_obligation=None, base_exercised_options=None, base_and_all_options=None),
     "none of its amounts"),
    (lambda a: a.update(date_signed="04/11/2025"), "not a YYYY-MM-DD date"),
    (lambda a: a["period_of_performance"].update(last_modified_date="yesterday"), "not a date and time"),
    (lambda a: a.update(total_obligation="lots"), "not a number"),
])
def test_a_bad_award_is_skipped_named_on_the_watch_and_keeps_what_was_stored(seed, recorded_api, watch, change,
                                                                             expected):
    recorded_api.add_awards(recorded_awards()[1:])
    sync_awards(AwardQuery.of_watch(watch), watch=watch)
    bad = copy.deepcopy(recorded_awards()[1])
    bad["period_of_performance"]["last_modified_date"] = "2025-06-01 00:00:00"
    change(bad)
    recorded_api.add_awards([bad])
    watch.modified_since = None
    result = sync_awards(AwardQuery.of_watch(watch), watch=watch)
    watch.refresh_from_db()
    assert result.outcome == "ok" and expected in watch.last_warning, watch.last_warning
    contract = Contract.objects.get(generated_award_id=SECOND)
    assert claims_of(contract, fact="value").get().value == "1250000.50"


def test_an_award_missing_one_amount_keeps_that_figure_as_it_was(seed, recorded_api, watch):
    recorded_api.add_awards(recorded_awards()[1:])
    sync_awards(AwardQuery.of_watch(watch), watch=watch)
    partial = copy.deepcopy(recorded_awards()[1])
    partial["period_of_performance"]["last_modified_date"] = "2025-06-01 00:00:00"
    partial["base_and_all_options"] = None
    partial["total_obligation"] = 1300000.0
    recorded_api.add_awards([partial])
    watch.modified_since = None
    sync_awards(AwardQuery.of_watch(watch), watch=watch)
    figures = dict(claims_of(Contract.objects.get(generated_award_id=SECOND)).values_list("fact", "value"))
    assert figures == {"value": "1300000", "current-total-value": "1500000", "potential-total-value": "4000000"}


def test_a_run_killed_half_way_and_restarted_stores_each_award_once(db, recorded_api, settings):
    settings.RECORDS_PAGE_SIZE = 2
    settings.RECORDS_FETCH_ATTEMPTS = 1
    recorded_api.add_awards([make_award(n, f"2025-01-0{n + 1} 00:00:00") for n in range(5)])
    recorded_api.fault("/api/v2/awards/CONT_AWD_TESTBULK00003", status=500)
    first = sync_awards(AwardQuery("Department of Homeland Security", "Palantir"))
    assert first.outcome == "failed" and first.created == 3
    second = sync_awards(AwardQuery("Department of Homeland Security", "Palantir"))
    assert (second.outcome, second.created, second.unchanged) == ("ok", 2, 3)
    assert AwardRecord.objects.count() == Contract.objects.count() == 5
    assert Event.objects.count() == 5


def test_the_api_on_loopback_is_refused_without_the_switch(db, recorded_api, settings):
    settings.FEED_ALLOW_LOOPBACK = False
    result = sync_awards(AwardQuery("Department of Homeland Security", "Palantir"))
    assert result.outcome == "failed" and "refused" in result.error
    assert recorded_api.requests["search"] == 0


def test_the_command_runs_a_one_off_search_with_a_progress_bar(db, recorded_api, capsys):
    recorded_api.add_awards(recorded_awards()[1:])
    call_command("sync_awards", "--awarding-agency", "Department of Homeland Security", "--recipient", "Palantir")
    out, err = capsys.readouterr()
    assert "1 new" in out and "award" in err
    assert not AwardWatch.objects.exists()
    assert Contract.objects.get(generated_award_id=SECOND).value_usd is None


def test_the_command_syncs_one_watch_and_fails_loudly(seed, recorded_api, watch, settings):
    from django.core.management.base import CommandError

    settings.RECORDS_FETCH_ATTEMPTS = 1
    recorded_api.fault("/api/v2/search/", status=500)
    with pytest.raises(CommandError):
        call_command("sync_awards", "--watch", str(watch.pk))
    watch.refresh_from_db()
    assert "HTTP 500" in watch.last_error
    with pytest.raises(CommandError, match="no award watch"):
        call_command("sync_awards", "--watch", "999")
    with pytest.raises(CommandError, match="both"):
        call_command("sync_awards", "--recipient", "Palantir")


def test_amounts_are_decimals_to_the_cent():
    from records.awards import amount_text

    assert amount_text(Decimal("29900000.00")) == "29900000"
    assert amount_text(Decimal("1250000.50")) == "1250000.50"
