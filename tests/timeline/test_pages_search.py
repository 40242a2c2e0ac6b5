import pytest

from tests.timeline.page_helpers import fresh_cache, make_events, world  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]


def test_it_finds_events_programs_statements_and_sources(client, seed):
    html = client.get("/search/?q=outbound").content.decode()
    assert 'href="/programs/outbound-vehicle-photo-capture/"' in html
    assert 'href="/statements/turner-outbound-lanes/"' in html
    html = client.get("/search/?q=palantir").content.decode()
    assert 'href="/events/ice-palantir-immigrationos-contract/"' in html
    html = client.get("/search/?q=wired").content.decode()
    assert 'href="/sources/1/"' in html


def test_it_says_when_nothing_matches_and_keeps_the_query(client, seed):
    html = client.get("/search/?q=zeppelin").content.decode()
    assert "Nothing matches “zeppelin”" in html
    assert 'value="zeppelin"' in html


def test_it_escapes_the_query(client, seed):
    html = client.get("/search/?q=%3Cscript%3Ealert(1)%3C/script%3E").content.decode()
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_a_too_long_query_gets_a_clear_error(client, seed):
    response = client.get("/search/?q=" + "a" * 201)
    assert response.status_code == 400
    assert "Search for at most 200 characters." in response.content.decode()


def test_the_empty_search_page_shows_a_labelled_box(client, db):
    html = client.get("/search/").content.decode()
    assert '<label for="id_q">Search events, programs, agencies, organizations, people, contracts, statements and sources</label>' in html
    assert 'role="search"' in html


def test_many_matching_events_link_to_the_filtered_timeline(client, db):
    make_events(25, world())
    html = client.get("/search/?q=number").content.decode()
    assert html.count('href="/events/event-') == 20
    assert '<a href="#r-events">Events</a>: 25' in html and "Events (25)" in html
    assert 'href="/timeline/?q=number"' in html


@pytest.mark.parametrize("count", [3, 30])
def test_its_query_count_does_not_grow_with_the_matches(client, db, django_assert_num_queries, count):
    make_events(count, world())
    # 1 events, 2 their programs, 3 programs, 4 agencies, 5 organizations, 6 people, 7 contracts,
    # 8 statements+speakers, 9 sources; 10 the count of events when more than a page match.
    with django_assert_num_queries(9 if count <= 20 else 10):
        assert client.get("/search/?q=e").status_code == 200


def on_postgresql():
    from django.db import connection

    return connection.vendor == "postgresql"


def test_on_postgresql_words_match_by_their_stem(client, seed):
    if not on_postgresql():
        pytest.skip("full-text search is PostgreSQL's; SQLite matches substrings")
    html = client.get("/search/?q=photographs").content.decode()
    assert 'href="/events/cbp-outbound-vehicle-photo-plan-disclosed/"' in html  # "photograph"


def test_on_postgresql_full_text_search_can_use_its_index(db):
    if not on_postgresql():
        pytest.skip("the index exists on PostgreSQL only")
    from django.db import connection

    from timeline.search import full_text_matches

    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a tiny table would otherwise be scanned
        sql, params = full_text_matches("photographs").query.sql_with_params()
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "timeline_event_search_gin" in plan


def test_it_finds_people_organizations_agencies_and_contracts_with_counts_per_kind(client, seed):
    html = client.get("/search/?q=Jessica").content.decode()
    assert 'href="/people/jessica-turner/"' in html and "People (1)" in html
    html = client.get("/search/?q=ImmigrationOS build").content.decode()
    assert 'href="/contracts/ice-palantir-immigrationos-2025/"' in html and "Contracts (1)" in html
    html = client.get("/search/?q=Palantir").content.decode()
    assert 'href="/organizations/palantir/"' in html
    html = client.get("/search/?q=Customs").content.decode()
    assert 'href="/agencies/cbp/"' in html and 'href="/agencies/ice/"' in html and "Agencies (2)" in html
