import datetime
import xml.etree.ElementTree as ET

import pytest

from tests.timeline.page_helpers import fresh_cache, make_events, world  # noqa: F401
from timeline.models import Agency, Event

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]
ATOM = "{http://www.w3.org/2005/Atom}"


def entries(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    return ET.fromstring(response.content).findall(f"{ATOM}entry")


def test_the_feed_lists_new_published_events_newest_added_first(client, db):
    w = world()
    events = make_events(3, w)
    Event.objects.create(slug="draft-one", title="Draft", kind="other", state="draft")
    found = entries(client.get("/feeds/events/"))
    assert [e.find(f"{ATOM}id").text for e in found] == [
        f"http://127.0.0.1:8000/events/{event.slug}/" for event in reversed(events)
    ]
    assert found[0].find(f"{ATOM}title").text == "March 2022: Event number 2"


def test_the_program_feed_has_only_that_programs_events(client, seed):
    titles = [e.find(f"{ATOM}title").text for e in entries(client.get("/feeds/programs/immigrationos/"))]
    assert len(titles) == 3 and all("Palantir" in t or "ImmigrationOS" in t for t in titles)


def test_the_agency_feed_includes_child_agencies(client, seed):
    assert len(entries(client.get("/feeds/agencies/dhs/"))) == 9
    assert len(entries(client.get("/feeds/agencies/ice/"))) == 4


def test_feeds_of_unknown_or_draft_records_are_not_found(client, seed):
    Agency.objects.filter(slug="ssa").update(state="draft")
    assert client.get("/feeds/agencies/ssa/").status_code == 404
    assert client.get("/feeds/programs/nothing/").status_code == 404


@pytest.mark.parametrize("path, model, slug", [
    ("/feeds/programs/immigrationos/", "Program", "immigrationos"),
    ("/feeds/agencies/ice/", "Agency", "ice"),
])
def test_feeds_of_deleted_programs_and_agencies_answer_410_gone(client, seed, path, model, slug):
    from timeline import models

    getattr(models, model).objects.get(slug=slug).soft_delete()
    response = client.get(path)
    assert response.status_code == 410


def test_pages_advertise_their_feeds(client, seed):
    html = client.get("/programs/immigrationos/").content.decode()
    assert 'type="application/atom+xml" title="New events: ImmigrationOS" href="/feeds/programs/immigrationos/"' in html


@pytest.mark.parametrize("count", [3, 30])
def test_the_feed_query_count_does_not_grow_with_the_events(client, db, django_assert_num_queries, count):
    make_events(count, world())
    with django_assert_num_queries(1):  # the latest events
        client.get("/feeds/events/")
    with django_assert_num_queries(3):  # the agency, the agencies below it (none), its events
        client.get("/feeds/agencies/cbp/")


def test_the_sitemap_lists_published_records_only(client, seed):
    Event.objects.filter(slug="vermont-airtag-vehicle-tracking-2024").update(state="draft")
    Event.objects.filter(slug="ssa-parolees-listed-deceased").update(deleted_at=datetime.datetime.now(datetime.UTC))
    from timeline.page_cache import bump_content_version

    bump_content_version()
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    urls = [loc.text for loc in ET.fromstring(response.content).iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert "http://testserver/events/cbp-outbound-vehicle-photo-plan-disclosed/" in urls
    assert "http://testserver/programs/immigrationos/" in urls and "http://testserver/sources/1/" in urls
    assert "http://testserver/about/" in urls
    assert not any("vermont-airtag" in u or "ssa-parolees" in u for u in urls)


@pytest.mark.parametrize("count", [3, 30])
def test_the_sitemap_query_count_does_not_grow_with_the_events(client, db, django_assert_num_queries, count):
    make_events(count, world())
    # A count per kind of record (8), then the rows of each kind that has any (5 here).
    with django_assert_num_queries(13):
        assert client.get("/sitemap.xml").status_code == 200
