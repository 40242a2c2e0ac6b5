"""The PostgreSQL row cache (timeline.api.row_cache): list rows come from it once stored, and no
change to anything a row shows leaves a stale row in use, whichever way the change is made."""
import datetime
import json

import psycopg
import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.utils import timezone

from tests.timeline.api.test_database_json import build_mixed_records, database_rows, python_rows
from timeline.api import database_json, row_cache
from timeline.api.paging import Ordering
from timeline.api.presenting import RowContext
from timeline.api.serializers.event import EventPresenter
from timeline.api.serializers.source import SourcePresenter
from timeline.api.serializers.statement import StatementPresenter
from timeline.models import Agency, Citation, Contract, Event, Organization, Person, Program, Source, Statement

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the row cache is PostgreSQL's"),
    pytest.mark.django_db,
]
PRESENTERS = (EventPresenter, StatementPresenter, SourcePresenter)


def cached_count():
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {row_cache.ROWS}")
        return cursor.fetchone()[0]


def generation(model, pk):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT generation FROM {row_cache.GENERATIONS} WHERE content_type_id = %s AND object_id = %s",
                       [ContentType.objects.get_for_model(model).pk, pk])
        row = cursor.fetchone()
    return row[0] if row else 0


def readers(django_user_model):
    return [AnonymousUser(), django_user_model.objects.create_user("staff", is_staff=True)]


def assert_every_list_is_current(users):
    """Every cached presenter's rows, for each reader, equal the rows Python builds now."""
    for user in users:
        for cls in PRESENTERS:
            presenter = cls(RowContext("http://testserver/", user))
            ordering = Ordering("id", False)
            queryset = cls.model.objects.visible_to(user)
            assert database_rows(presenter, queryset, ordering) == python_rows(presenter, queryset, ordering), cls


def test_rows_are_stored_then_read_from_the_cache(django_user_model):
    assert row_cache.enabled()
    build_mixed_records()
    users = readers(django_user_model)
    assert cached_count() == 0
    assert_every_list_is_current(users)
    stored = cached_count()
    assert stored >= 10
    # Proof that a second read takes the stored JSON: alter it behind the cache's back.
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {row_cache.ROWS} SET json = '{{\"planted\": true}}'")
    presenter = EventPresenter(RowContext("http://testserver/", users[0]))
    rows = database_rows(presenter, Event.objects.published(), Ordering("id", False))
    assert rows and all(row == {"planted": True} for row in rows)
    # A change to one event makes that event's row current again, and only that one.
    event = Event.objects.published().order_by("id").first()
    event.title = "Retitled"
    event.save()
    rows = database_rows(presenter, Event.objects.published(), Ordering("id", False))
    assert rows[0]["title"] == "Retitled"
    assert all(row == {"planted": True} for row in rows[1:])


def _event():
    return Event.objects.get(slug="event-0")


MUTATIONS = {
    "event saved": lambda: _save(_event(), title="Saved through the model"),
    "event title by update()": lambda: Event.objects.filter(slug="event-1").update(title="Updated in bulk"),
    "event unpublished": lambda: Event.objects.filter(slug="event-2").update(state="draft"),
    "event hard-deleted": lambda: Event.objects.filter(slug="event-4").delete(),
    "program link removed": lambda: _event().programs.remove(Program.objects.get(slug="ab")),
    "program link added": lambda: Event.objects.get(slug="event-1").programs.add(Program.objects.get(slug="a-b")),
    "program links cleared": lambda: _event().programs.clear(),
    "program published": lambda: Program.objects.filter(slug="draft-program").update(state="published"),
    "program soft-deleted": lambda: Program.objects.get(slug="ab").soft_delete(),
    "program slug rewritten in SQL": lambda: Program.objects.filter(slug="a_b").update(slug="a_b_2"),
    "agency restored": lambda: Agency.objects.filter(slug="gone-agency").update(deleted_at=None),
    "organization unpublished": lambda: Organization.objects.filter(slug="palantir").update(state="draft"),
    "person slug rewritten": lambda: Person.objects.filter(slug="someone").update(slug="someone-else"),
    "contract unpublished": lambda: Contract.objects.filter(slug="the-contract").update(state="draft"),
    "contract published": lambda: Contract.objects.filter(slug="draft-contract").update(state="published"),
    "citation added": lambda: Citation.objects.create(
        source=Source.objects.get(url="https://example.org/a"), content_type=ContentType.objects.get_for_model(Event),
        object_id=Event.objects.get(slug="event-3").pk, locator="p. 9"),
    "citation locator edited": lambda: Citation.objects.filter(locator="p. 2").update(locator="p. 22"),
    "citation deleted": lambda: Citation.objects.filter(locator="p. 0").delete(),
    "source headline edited": lambda: _save(Source.objects.get(url="https://example.org/a"), headline="New headline"),
    "source outlet by update()": lambda: Source.objects.filter(outlet="=SUM(1)").update(outlet="Plain"),
    "source published": lambda: Source.objects.filter(url="https://example.org/draft").update(state="published"),
    "source soft-deleted": lambda: Source.objects.get(url="https://example.org/a").soft_delete(),
    "statement speaker changed": lambda: Statement.objects.filter(slug="said").update(
        speaker=Person.objects.create(slug="new-speaker", name="New", state="published")),
    "statement's event unpublished": lambda: Event.objects.filter(slug="event-0").update(state="draft"),
}


def _save(record, **changes):
    for name, value in changes.items():
        setattr(record, name, value)
    record.save()


@pytest.mark.parametrize("mutation", list(MUTATIONS), ids=list(MUTATIONS))
def test_no_change_leaves_a_stale_row_in_use(django_user_model, mutation):
    build_mixed_records()
    users = readers(django_user_model)
    assert_every_list_is_current(users)  # stores every row
    assert cached_count()
    MUTATIONS[mutation]()
    assert_every_list_is_current(users)


def test_a_change_to_a_column_no_row_shows_bumps_nothing():
    build_mixed_records()
    event = Event.objects.get(slug="event-0")
    before = generation(Event, event.pk)
    Program.objects.filter(slug="ab").update(summary="A longer description nobody lists.")
    Source.objects.filter(url="https://example.org/a").update(notes="internal note")
    assert generation(Event, event.pk) == before
    Program.objects.filter(slug="ab").update(state="draft")
    assert generation(Event, event.pk) == before + 1


@pytest.mark.django_db(transaction=True)  # TRUNCATE waits for no deferred constraint checks
def test_truncating_a_table_rows_are_read_from_empties_the_cache():
    build_mixed_records()
    database_rows(EventPresenter(RowContext("http://testserver/", AnonymousUser())), Event.objects.published(),
                  Ordering("id", False))
    assert cached_count()
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE timeline_event_people")
    assert cached_count() == 0


def test_rows_for_another_site_address_or_reader_are_kept_apart(django_user_model):
    build_mixed_records()
    ordering = Ordering("id", False)
    for base in ("http://testserver/", "https://mirror.example/"):
        presenter = EventPresenter(RowContext(base, AnonymousUser()))
        for _ in range(2):  # the second read comes from the cache
            rows = database_rows(presenter, Event.objects.published(), ordering)
            assert rows == python_rows(presenter, Event.objects.published(), ordering)
            assert all(row["url"].startswith(base) for row in rows)


def test_every_ordering_of_a_list_shares_the_stored_rows():
    build_mixed_records()
    presenter = EventPresenter(RowContext("http://testserver/", AnonymousUser()))
    database_rows(presenter, Event.objects.published(), Ordering("id", False))
    stored = cached_count()
    for field, descending in (("date", True), ("modified_at", False), ("created_at", True)):
        rows = database_rows(presenter, Event.objects.published(), Ordering(field, descending))
        assert rows == python_rows(presenter, Event.objects.published(), Ordering(field, descending))
    assert cached_count() == stored


@pytest.mark.django_db(transaction=True)
def test_a_reader_whose_snapshot_predates_a_change_cannot_leave_its_stale_row_in_use():
    """The race the generations exist for: a reader builds a row from data a writer has since
    changed, and stores it after the writer committed. Its row carries the generation its own
    snapshot saw, so the next reader rebuilds it."""
    build_mixed_records()
    presenter = EventPresenter(RowContext("http://testserver/", AnonymousUser()))
    ordering = Ordering("id", False)
    queryset = Event.objects.published().order_by(*ordering.order_by())[:100]
    page_sql, page_params = database_json.compile_page(queryset, Event._meta)
    head, tail, params = database_json.page_query_parts(EventPresenter, False, presenter.ctx.base_url, "/", "id",
                                                        False, True)
    sql = connection.ops.compose_sql(head + page_sql + tail, [*page_params, *params])
    dsn = connection.get_connection_params()
    old_reader = psycopg.connect(dbname=dsn["dbname"], host=dsn.get("host"), port=dsn.get("port"),
                                 user=dsn.get("user"), password=dsn.get("password"))
    try:
        old_reader.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        old_reader.execute("SELECT 1")  # the snapshot is taken here
        _save(Source.objects.get(url="https://example.org/a"), headline="Corrected headline")  # committed
        stale = [json.loads(row[3]) for row in old_reader.execute(sql).fetchall()]
        old_reader.commit()  # the stale rows are now stored
    finally:
        old_reader.close()
    headlines = {c["headline"] for row in stale for c in row["citations"]}
    assert "Ünïcode — dash" in headlines and "Corrected headline" not in headlines
    assert cached_count() >= 1
    rows = database_rows(presenter, Event.objects.published(), ordering)
    assert rows == python_rows(presenter, Event.objects.published(), ordering)
    assert "Corrected headline" in {c["headline"] for row in rows for c in row["citations"]}


def test_install_is_repeatable_and_follows_the_presenters():
    row_cache.install()
    row_cache.install()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_trigger WHERE tgname LIKE %s", [row_cache.PREFIX + "%"])
        installed = cursor.fetchone()[0]
    expected_tables = {table for table, _ in row_cache.bump_selects()}
    assert installed == len(row_cache.bump_selects()) + len(expected_tables)  # plus one TRUNCATE trigger each
    for table in ("timeline_event", "timeline_event_programs", "timeline_citation", "timeline_source",
                  "timeline_program", "timeline_contract", "timeline_person"):
        assert table in expected_tables


def test_the_cache_can_be_turned_off(settings):
    settings.API_ROW_CACHE = False
    build_mixed_records()
    assert not row_cache.enabled()
    presenter = EventPresenter(RowContext("http://testserver/", AnonymousUser()))
    ordering = Ordering("id", False)
    assert database_rows(presenter, Event.objects.published(), ordering) == python_rows(
        presenter, Event.objects.published(), ordering)
    assert cached_count() == 0


def test_a_time_written_into_a_cached_row_is_the_stored_one():
    build_mixed_records()
    moment = datetime.datetime(2031, 5, 6, 7, 8, 9, 123000, tzinfo=datetime.timezone.utc)
    presenter = EventPresenter(RowContext("http://testserver/", AnonymousUser()))
    ordering = Ordering("id", False)
    database_rows(presenter, Event.objects.published(), ordering)
    Event.objects.filter(slug="event-1").update(modified_at=moment)
    rows = {row["slug"]: row for row in database_rows(presenter, Event.objects.published(), ordering)}
    assert rows["event-1"]["modified_at"] == "2031-05-06T07:08:09.123000Z"
    assert timezone.now() < moment
