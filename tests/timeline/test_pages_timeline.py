import datetime
import re

import pytest

from tests.timeline.page_helpers import fresh_cache, make_events, world  # noqa: F401
from timeline.models import Event

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]


def test_it_groups_events_by_year_and_month_at_their_precision(client, seed):
    html = client.get("/timeline/").content.decode()
    assert re.search(r"<h2[^>]*>2025</h2>", html) and re.search(r"<h2[^>]*>2014</h2>", html)
    assert re.search(r"<h3[^>]*>April 2025</h3>", html)
    assert re.search(r"<h3[^>]*>During 2014</h3>", html)
    assert ">9 May 2025</time>" in html
    assert ">April 2025</time>" in html and ">2014</time>" in html
    assert "1 April 2025" not in html and "1 January 2014" not in html


def test_it_lists_newest_first_and_oldest_first_on_request(client, seed):
    newest = client.get("/timeline/").content.decode()
    oldest = client.get("/timeline/?order=oldest").content.decode()
    assert newest.index("CBP says it will photograph") < newest.index("Palantir begins supplying")
    assert oldest.index("Palantir begins supplying") < oldest.index("CBP says it will photograph")


def test_it_filters_by_program(client, seed):
    html = client.get("/timeline/?program=immigrationos").content.decode()
    assert "ICE announces $30 million Palantir contract" in html
    assert "Palantir begins supplying" in html
    assert "CBP says it will photograph" not in html
    assert "3 events match" in html


def test_an_agency_filter_includes_its_child_agencies(client, seed):
    html = client.get("/timeline/?agency=dhs").content.decode()
    # Tagged CBP and ICE (below DHS), and DHS itself; each listed once.
    assert "CBP says it will photograph" in html and "ICE announces $30 million" in html
    assert html.count("Administration offers $1,000") == 1
    assert "Vermont police" not in html


def test_it_filters_by_organization_kind_and_year(client, seed):
    assert "3 events match" not in client.get("/timeline/?organization=palantir").content.decode()
    html = client.get("/timeline/?organization=palantir").content.decode()
    assert "2 events match" in html
    html = client.get("/timeline/?kind=policy&year=2025").content.decode()
    assert "2 events match" in html and "Thousands of living immigrants" in html
    html = client.get("/timeline/?year=2014").content.decode()
    assert "1 event matches" in html


def test_unknown_filter_values_get_a_clear_error(client, seed):
    response = client.get("/timeline/?program=no-such-program&year=twenty")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Program: There is no published record with that name" in html
    assert "Year: Enter a year such as 2025." in html
    # The form keeps what was typed, so nothing is lost.
    assert 'value="twenty"' in html


def test_a_page_number_past_the_end_is_a_404_that_says_so(client, seed):
    response = client.get("/timeline/?page=9")
    assert response.status_code == 404


def test_drafts_and_deleted_events_are_not_shown(client, seed):
    Event.objects.filter(slug="vermont-airtag-vehicle-tracking-2024").update(state="draft")
    Event.objects.filter(slug="ssa-parolees-listed-deceased").update(deleted_at=datetime.datetime.now(datetime.UTC))
    from timeline.page_cache import bump_content_version

    bump_content_version()
    html = client.get("/timeline/").content.decode()
    assert "Vermont police" not in html and "Thousands of living immigrants" not in html
    assert "8 events" in html


def test_it_draws_a_chart_of_events_per_year_per_program_without_inline_style(client, seed):
    html = client.get("/timeline/").content.decode()
    svg = html[html.index("<svg"):html.index("</svg>")]
    assert 'role="img"' in svg and "<title" in svg and "<desc" in svg
    assert "ImmigrationOS (3)" in svg
    assert "<title>2014: 1</title>" in svg
    assert "style" not in svg


def test_it_paginates_fifty_events_a_page(client, db):
    w = world()
    make_events(55, w)
    first = client.get("/timeline/").content.decode()
    second = client.get("/timeline/?page=2").content.decode()
    assert first.count('href="/events/event-') == 50
    assert second.count('href="/events/event-') == 5
    assert 'rel="next" href="?page=2"' in first


@pytest.mark.parametrize("count", [3, 30])
def test_its_query_count_does_not_grow_with_the_events_shown(client, db, django_assert_num_queries, count):
    w = world()
    make_events(count, w)
    # 1 count of events, 2 the page of events, 3 their programs, 4-5 the chart (per program per
    # year, all events per year), 6-8 the program, agency and organization options.
    with django_assert_num_queries(8):
        assert client.get("/timeline/").status_code == 200


@pytest.mark.parametrize("count", [3, 30])
def test_its_filtered_query_count_does_not_grow_with_the_events_shown(client, db, django_assert_num_queries, count):
    w = world()
    make_events(count, w)
    # 1-3 the program, agency and organization chosen, 4-5 the agencies below DHS (two levels:
    # CBP, then none), then the eight queries of the unfiltered page.
    with django_assert_num_queries(13):
        response = client.get("/timeline/?program=face-capture&agency=dhs&organization=acme&kind=announcement")
    assert response.status_code == 200
    assert f"{count} events match" in response.content.decode()


def test_a_filtered_timeline_links_the_same_query_as_csv_and_json_in_the_api(client, seed):
    html = client.get("/timeline/?agency=dhs&year=2025&order=oldest").content.decode()
    query = "agency=dhs&amp;date_from=2025&amp;date_to=2025&amp;ordering=date"
    assert f'href="/api/v1/events/?{query}&amp;format=csv">CSV</a>' in html
    assert f'href="/api/v1/events/?{query}">JSON</a>' in html
    shown = int(re.search(r"(\d+) events? match", html).group(1))
    api = client.get("/api/v1/events/?" + query.replace("&amp;", "&")).json()
    assert len(api["results"]) == shown
