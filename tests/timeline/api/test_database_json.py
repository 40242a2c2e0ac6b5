"""List rows written by the database (timeline.api.database_json) equal the rows Python builds
(Presenter.present, still used for details), value for value, for the public and for staff."""
import datetime
import json

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from timeline.api import database_json
from timeline.api.caching import dump_json
from timeline.api.paging import Ordering
from timeline.api.presenting import RowContext
from timeline.api.serializers.event import EventPresenter
from timeline.api.serializers.source import SourcePresenter
from timeline.api.serializers.statement import StatementPresenter
from timeline.models import Agency, Citation, Contract, Event, Organization, Person, Program, Source, Statement

pytestmark = pytest.mark.django_db

PUBLISHED = {"state": "published"}


def build_mixed_records():
    """Records of every precision, with hidden links and citations, awkward text and slugs that
    sort differently by code point than by a human collation ("a-b" < "a_b" < "ab")."""
    programs = [Program.objects.create(slug=slug, name=slug, **PUBLISHED) for slug in ("ab", "a_b", "a-b")]
    draft_program = Program.objects.create(slug="draft-program", name="Draft")
    deleted_agency = Agency.objects.create(slug="gone-agency", name="Gone", deleted_at=timezone.now(), **PUBLISHED)
    agency = Agency.objects.create(slug="cbp", name="CBP", **PUBLISHED)
    org = Organization.objects.create(slug="palantir", name="Palantir", **PUBLISHED)
    person = Person.objects.create(slug="someone", name="Someone", agency=agency, **PUBLISHED)
    contract = Contract.objects.create(slug="the-contract", title="C", agency=agency, vendor=org, **PUBLISHED)
    draft_contract = Contract.objects.create(slug="draft-contract", title="D", agency=agency, vendor=org)
    source = Source.objects.create(url="https://example.org/a", outlet="Outlet \"quoted\"", headline="Ünïcode — dash",
                                   published=datetime.date(2025, 4, 1), **PUBLISHED)
    undated_source = Source.objects.create(url=None, outlet="=SUM(1)", kind="follow-up", **PUBLISHED)
    draft_source = Source.objects.create(url="https://example.org/draft", outlet="Draft")
    dates = [(datetime.date(2025, 5, 9), "day"), (datetime.date(2025, 4, 1), "month"), (datetime.date(2014, 1, 1), "year"),
             (None, "day"), (datetime.date(999, 12, 1), "month")]
    events = []
    for i, (date, precision) in enumerate(dates):
        event = Event.objects.create(
            slug=f"event-{i}", title=f"Title {i}: \"quotes\", tab\t, newline\n, emoji \U0001F600",
            summary="" if i else "Summary with <html> & ampersands", date=date, date_precision=precision,
            contract=[contract, draft_contract, None][i % 3], **PUBLISHED)
        event.programs.set([*programs, draft_program] if i % 2 == 0 else programs[:1])
        event.agencies.set([agency, deleted_agency] if i != 2 else [])
        event.organizations.set([org] if i % 2 else [])
        event.people.set([person])
        events.append(event)
    # Whole seconds (no fraction) on one record, as a time saved without microseconds.
    Event.objects.filter(pk=events[1].pk).update(modified_at=datetime.datetime(2025, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc))
    Event.objects.create(slug="draft-event", title="Draft", date=datetime.date(2025, 1, 1))
    event_type = ContentType.objects.get_for_model(Event)
    for event in events[:3]:
        for i, src in enumerate((undated_source, draft_source, source)):
            Citation.objects.create(source=src, content_type=event_type, object_id=event.pk, locator=f"p. {i}",
                                    note="note" if i else "")
    Statement.objects.create(slug="said", quote="We will.", speaker=person, agency=deleted_agency, event=events[0],
                             program=draft_program, date=datetime.date(2025, 4, 1), date_precision="month", **PUBLISHED)
    second = Statement.objects.create(slug="said-again", quote="Again.", speaker=person, agency=agency,
                                      date=datetime.date(2014, 1, 1), date_precision="year", **PUBLISHED)
    statement_type = ContentType.objects.get_for_model(Statement)
    Citation.objects.create(source=source, content_type=statement_type, object_id=Statement.objects.get(slug="said").pk)
    Citation.objects.create(source=draft_source, content_type=statement_type, object_id=second.pk)


def python_rows(presenter, queryset, ordering):
    rows = list(presenter.values(queryset).order_by(*ordering.order_by()))
    return json.loads(dump_json(presenter.present(rows)))


def database_rows(presenter, queryset, ordering):
    page = queryset.order_by(*ordering.order_by())[:1000]
    return [json.loads(row["row_json"]) for row in database_json.fetch_page(presenter, page, ordering)]


@pytest.mark.parametrize("staff", [False, True], ids=["public", "staff"])
@pytest.mark.parametrize("presenter_class", [EventPresenter, StatementPresenter, SourcePresenter],
                         ids=lambda cls: cls.__name__)
@pytest.mark.parametrize("field,descending", [("date", True), ("modified_at", False), ("id", False)])
def test_database_rows_equal_the_rows_python_builds(django_user_model, presenter_class, staff, field, descending):
    build_mixed_records()
    user = django_user_model.objects.create_user("staff", is_staff=True) if staff else AnonymousUser()
    presenter = presenter_class(RowContext("http://testserver/", user))
    assert presenter.builds_json_in_database()
    model = presenter_class.model
    if field == "date" and not hasattr(model, "date"):
        field = "published"
    ordering = Ordering(field, descending)
    queryset = model.objects.visible_to(user)
    expected = python_rows(presenter, queryset, ordering)
    assert len(expected) >= 2
    assert database_rows(presenter, queryset, ordering) == expected


def test_presenters_with_python_transforms_stay_on_the_python_path():
    from timeline.api.serializers.contract import ContractPresenter
    from timeline.api.serializers.program import ProgramPresenter

    assert not database_json.supports(ContractPresenter)  # value_usd as text
    assert not database_json.supports(ProgramPresenter)  # aliases split, lifecycle embedded


@pytest.mark.parametrize("size", [1, 2, 3, 100])
def test_last_modified_is_the_newest_time_among_the_page_rows_only(size):
    build_mixed_records()
    newest = Event.objects.filter(slug="event-3")
    newest.update(modified_at=datetime.datetime(2030, 1, 1, 12, 0, 0, 5, tzinfo=datetime.timezone.utc))
    presenter = EventPresenter(RowContext("http://testserver/", AnonymousUser()))
    ordering = Ordering("date", True)
    queryset = Event.objects.published().order_by(*ordering.order_by())
    page = database_json.fetch_page(presenter, queryset[:size + 1], ordering)[:size]
    expected = max(queryset[:size].values_list("modified_at", flat=True))
    assert database_json.last_modified(Event, page) == expected


@pytest.mark.parametrize("ordering", ["-date", "date", "modified_at", "-created_at"])
def test_cursor_pages_reusing_a_compiled_page_query_list_every_row_once_in_order(ordering):
    """Unfiltered list pages compile their SQL once per shape and reuse it with each cursor's
    values (database_json.compiled_page): walking every page twice, through dated and undated
    rows, gives the rows in the ORM's order both times."""
    from rest_framework.test import APIClient

    build_mixed_records()
    database_json.COMPILED_PAGES.clear()
    field = ordering.lstrip("-")
    expected = list(Event.objects.published().order_by(*Ordering(field, ordering.startswith("-")).order_by())
                    .values_list("slug", flat=True))
    client = APIClient()
    for _ in range(2):
        seen, link = [], f"/api/v1/events/?ordering={ordering}&page_size=2"
        while link:
            page = json.loads(client.get(link).content)
            seen += [row["slug"] for row in page["results"]]
            link = page["next"]
        assert seen == expected
    # The walk went through the reused path: a first page, and cursor pages after a dated row.
    assert len(database_json.COMPILED_PAGES) >= 2
