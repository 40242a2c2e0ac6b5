"""Model rules: precise dates, validation messages, the derived lifecycle status."""
import datetime

import pytest
from django.core.exceptions import ValidationError

from timeline.dates import Precision, format_precise, parse_precise, period_end
from timeline.models import (
    Agency, Claim, Contract, Event, LifecycleTransition, Program, ProgramStatus, Source, State,
)


def test_period_end_covers_the_whole_month_and_year():
    assert period_end(datetime.date(2024, 2, 1), Precision.MONTH) == datetime.date(2024, 2, 29)
    assert period_end(datetime.date(2014, 1, 1), Precision.YEAR) == datetime.date(2014, 12, 31)
    assert period_end(datetime.date(2025, 5, 9), Precision.DAY) == datetime.date(2025, 5, 9)


def test_format_precise_never_shows_a_month_as_its_first_day():
    assert format_precise(datetime.date(2025, 4, 1), Precision.MONTH) == "April 2025"
    assert format_precise(datetime.date(2014, 1, 1), Precision.YEAR) == "2014"
    assert format_precise(None, Precision.DAY) == "date unknown"


def test_parse_precise_reads_each_precision_and_rejects_junk():
    assert parse_precise("2025") == (datetime.date(2025, 1, 1), Precision.YEAR)
    assert parse_precise("2025-04") == (datetime.date(2025, 4, 1), Precision.MONTH)
    assert parse_precise("2025-04-15") == (datetime.date(2025, 4, 15), Precision.DAY)
    for bad in ("", "April", "2025-4", "2025-13", "2025-02-30"):
        with pytest.raises(ValueError):
            parse_precise(bad)


@pytest.mark.django_db
def test_a_month_precision_date_given_a_day_is_rejected_with_a_clear_message():
    event = Event(slug="x", title="X", date=datetime.date(2025, 4, 15), date_precision=Precision.MONTH)
    with pytest.raises(ValidationError) as excinfo:
        event.full_clean()
    message = " ".join(excinfo.value.message_dict["date"])
    assert "first of its month" in message and "2025-04-01" in message


@pytest.mark.django_db
def test_a_year_precision_date_must_be_the_first_of_january():
    event = Event(slug="x", title="X", date=datetime.date(2014, 6, 1), date_precision=Precision.YEAR)
    with pytest.raises(ValidationError) as excinfo:
        event.full_clean()
    assert "1 January" in " ".join(excinfo.value.message_dict["date"])


@pytest.mark.django_db
def test_a_negative_contract_value_is_rejected():
    agency = Agency.objects.create(slug="ice", name="ICE")
    contract = Contract(slug="c", title="C", agency=agency, value_usd=-5)
    with pytest.raises(ValidationError) as excinfo:
        contract.full_clean()
    assert excinfo.value.message_dict["value_usd"] == ["A contract value cannot be negative."]


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["ftp://example.org/a", "javascript:alert(1)", "file:///etc/passwd"])
def test_a_source_url_must_be_http_or_https(url):
    with pytest.raises(ValidationError) as excinfo:
        Source(url=url, outlet="X").full_clean()
    assert "http://" in excinfo.value.message_dict["url"][0]


@pytest.mark.django_db
def test_a_claim_without_a_source_is_rejected():
    agency = Agency.objects.create(slug="ice", name="ICE")
    from django.contrib.contenttypes.models import ContentType

    claim = Claim(content_type=ContentType.objects.get_for_model(Agency), object_id=agency.pk, fact="f", value="v")
    with pytest.raises(ValidationError) as excinfo:
        claim.full_clean()
    assert "must name the source" in " ".join(excinfo.value.message_dict["source"])


@pytest.mark.django_db
def test_sources_without_a_url_can_coexist():
    Source.objects.create(outlet="A", url="")
    Source.objects.create(outlet="B", url="")
    assert Source.objects.filter(url=None).count() == 2


@pytest.mark.django_db
def test_the_current_status_follows_the_latest_dated_transition():
    program = Program.objects.create(slug="p", name="P")
    LifecycleTransition.objects.create(program=program, status=ProgramStatus.OPERATING,
                                       date=datetime.date(2024, 1, 1), date_precision=Precision.YEAR)
    LifecycleTransition.objects.create(program=program, status=ProgramStatus.PILOT,
                                       date=datetime.date(2023, 5, 1), date_precision=Precision.MONTH)
    program.refresh_from_db()
    assert program.status == ProgramStatus.OPERATING
    suspended = LifecycleTransition.objects.create(program=program, status=ProgramStatus.SUSPENDED,
                                                   date=datetime.date(2025, 2, 3))
    program.refresh_from_db()
    assert program.status == ProgramStatus.SUSPENDED
    suspended.delete()
    program.refresh_from_db()
    assert program.status == ProgramStatus.OPERATING


@pytest.mark.django_db
def test_an_agency_cannot_be_its_own_ancestor():
    dhs = Agency.objects.create(slug="dhs", name="DHS")
    cbp = Agency.objects.create(slug="cbp", name="CBP", parent=dhs)
    dhs.parent = cbp
    with pytest.raises(ValidationError):
        dhs.full_clean()


@pytest.mark.django_db
def test_descendant_ids_include_child_agencies(seed):
    dhs = Agency.objects.get(slug="dhs")
    assert {a.slug for a in Agency.objects.filter(pk__in=dhs.descendant_ids())} == {"dhs", "cbp", "ice"}


@pytest.mark.django_db
def test_published_hides_drafts_and_deleted_records():
    from django.utils import timezone

    Event.objects.create(slug="a", title="A", state=State.PUBLISHED)
    Event.objects.create(slug="b", title="B", state=State.DRAFT)
    Event.objects.create(slug="c", title="C", state=State.PUBLISHED, deleted_at=timezone.now())
    assert list(Event.objects.published().values_list("slug", flat=True)) == ["a"]


@pytest.mark.django_db
def test_each_save_bumps_the_version():
    event = Event.objects.create(slug="a", title="A")
    assert event.version == 1
    event.title = "B"
    event.save()
    assert Event.objects.get(pk=event.pk).version == 2


@pytest.mark.django_db
def test_a_slug_cannot_change_once_saved_so_permalinks_hold():
    event = Event.objects.create(slug="first", title="A")
    event.title = "A retitled event"
    event.full_clean()
    event.slug = "second"
    with pytest.raises(ValidationError) as excinfo:
        event.full_clean()
    assert "permanent address" in excinfo.value.message_dict["slug"][0]
