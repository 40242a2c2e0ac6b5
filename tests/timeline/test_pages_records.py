import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import override_settings

from tests.timeline.page_helpers import fresh_cache, make_events, published, world  # noqa: F401
from timeline.coverage import report_link_model
from timeline.models import (
    Citation, Claim, Contract, Event, LifecycleTransition, Person, Program, Source, Statement,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]

SEED_PAGES = [
    "/",
    "/timeline/",
    "/events/anzalduas-vehicle-face-test-results/",
    "/programs/inbound-vehicle-face-matching/",
    "/agencies/cbp/",
    "/organizations/palantir/",
    "/people/jessica-turner/",
    "/contracts/ice-palantir-immigrationos-2025/",
    "/statements/turner-outbound-lanes/",
    "/sources/1/",
    "/search/?q=palantir",
    "/about/",
]


@pytest.mark.parametrize("url", SEED_PAGES)
def test_every_page_has_landmarks_one_h1_and_no_inline_script_or_style(client, seed, url):
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html and '<meta name="viewport"' in html
    assert "<header" in html and "<main" in html and "<footer" in html and '<nav aria-label="Site">' in html
    assert 'href="#content"' in html
    assert len(re.findall(r"<h1[ >]", html)) == 1
    assert "<script" not in html and "<style" not in html and not re.search(r"\sstyle=", html)
    assert re.search(r"\son[a-z]+=", html) is None


@pytest.mark.parametrize("url", [u for u in SEED_PAGES if u not in ("/", "/timeline/", "/about/") and "search" not in u])
def test_every_record_page_has_a_cite_block_with_its_permalink(client, seed, url):
    html = client.get(url).content.decode()
    assert "Cite this page" in html
    # Without SITE_URL the addresses are on the request's own host and port.
    assert f"Always the current version: <a href=\"http://testserver{url}\">" in html
    assert re.search(rf'This version: <a href="http://testserver{url}versions/\d+/">', html)
    assert "CC BY 4.0" in html


@override_settings(SITE_URL="")
def test_cite_blocks_follow_the_host_and_port_the_site_is_served_on(client, seed):
    html = client.get("/agencies/cbp/", HTTP_HOST="127.0.0.1:9000").content.decode()
    assert 'This version: <a href="http://127.0.0.1:9000/agencies/cbp/versions/1/">' in html
    assert ":8000" not in html


@override_settings(SITE_URL="", ALLOWED_HOSTS=["127.0.0.1"])
def test_a_host_not_allowed_gets_a_400_not_a_citation_on_it(client, seed):
    assert client.get("/agencies/cbp/", HTTP_HOST="evil.example").status_code == 400


@override_settings(SITE_URL="https://timeline.example")
def test_site_url_wins_over_the_request_host(client, seed):
    html = client.get("/agencies/cbp/", HTTP_HOST="127.0.0.1:9000").content.decode()
    assert 'This version: <a href="https://timeline.example/agencies/cbp/versions/1/">' in html


def test_an_event_page_shows_its_sources_with_outlet_headline_date_link_and_archive(client, db):
    w = world()
    event = make_events(1, w)[0]
    html = client.get(event.get_absolute_url()).content.decode()
    assert '<a href="https://news.example.org/face-capture" rel="noopener nofollow">Border cameras expand</a>' in html
    assert "Example News" in html and "9 May 2025" in html
    assert '<a href="https://archive.example.org/face-capture" rel="noopener nofollow">archived copy</a>' in html
    assert f'href="{w["source"].get_absolute_url()}"' in html
    assert "<strong>1</strong> independent source." in html


def test_an_event_page_sets_conflicting_claims_side_by_side(client, seed):
    html = client.get("/events/anzalduas-vehicle-face-test-results/").content.decode()
    block = html[html.index("Where sources disagree"):]
    assert block.index("61% success") < block.index("61% failure")  # the value more sources give first
    assert re.search(r'<p class="value">61% success</p>\s*<ul><li><a href="/sources/1/">WIRED', block)


def test_a_program_page_shows_status_lifecycle_agencies_vendors_contracts_statements_events(client, seed):
    html = client.get("/programs/immigrationos/").content.decode()
    assert '<span class="status status-contracted">Contracted</span>' in html
    assert '<time datetime="2025-04">April 2025</time>: <a href="/events/ice-palantir-immigrationos-contract/">' in html
    assert 'href="/agencies/ice/"' in html and 'href="/organizations/palantir/"' in html
    assert 'href="/contracts/ice-palantir-immigrationos-2025/">ImmigrationOS build</a> with Palantir Technologies, $30,000,000' in html
    assert "Palantir begins supplying" in html
    # The contract's value is disputed (30,000,000 vs 29,900,000 vs 29,800,000): shown as money,
    # with the contract named.
    conflicts = html[html.index("Where sources disagree"):]
    assert "ImmigrationOS build" in conflicts
    for value in ("$30,000,000", "$29,900,000", "$29,800,000"):
        assert f'<p class="value">{value}</p>' in conflicts
    assert "30000000" not in conflicts


def test_a_program_page_counts_independent_sources_with_copies_folded_under_their_original(client, db):
    w = world()
    event = make_events(1, w)[0]
    copy = published(Source, url="https://aggregator.example.net/copy", outlet="Aggregator",
                     headline="Border Cameras Expand!", kind=Source.Kind.COPY)
    other = published(Source, url="https://other.example.com/story", outlet="Other Daily", headline="A different angle")
    event_type = ContentType.objects.get_for_model(Event)
    Citation.objects.create(source=copy, content_type=event_type, object_id=event.pk)
    Citation.objects.create(source=other, content_type=event_type, object_id=event.pk)
    html = client.get("/programs/face-capture/").content.decode()
    assert "<strong>2</strong> independent sources, plus 1 copy folded under its original." in html
    details = html[html.index("<details>"):html.index("</details>")]
    assert "Aggregator" in details and "Border Cameras Expand!" in details


def test_the_seed_program_with_a_disputed_operator_shows_both_agencies_claims(client, seed):
    html = client.get("/programs/self-report-departure-app/").content.decode()
    conflicts = html[html.index("Where sources disagree"):]
    assert '<p class="value">U.S. Immigration and Customs Enforcement</p>' in conflicts
    assert '<p class="value">U.S. Customs and Border Protection</p>' in conflicts
    assert "The Independent" in conflicts and "KESQ News Channel 3" in conflicts


def test_draft_records_are_not_found(client, seed):
    Program.objects.filter(slug="immigrationos").update(state="draft")
    Person.objects.filter(slug="jessica-turner").update(state="draft")
    from timeline.page_cache import bump_content_version

    bump_content_version()
    assert client.get("/programs/immigrationos/").status_code == 404
    assert client.get("/people/jessica-turner/").status_code == 404
    # The contract stays public but no longer links to the draft program.
    html = client.get("/contracts/ice-palantir-immigrationos-2025/").content.decode()
    assert "/programs/immigrationos/" not in html
    # A quote is never shown without its speaker, and a draft speaker's name is not public (issue 17.7).
    assert client.get("/statements/turner-outbound-lanes/").status_code == 404


def test_a_permalink_survives_a_title_edit(client, seed):
    event = Event.objects.get(slug="anzalduas-vehicle-face-test-results")
    event.title = "Anzalduas test: usable photos of every occupant in 61% of cars"
    event.save()
    response = client.get("/events/anzalduas-vehicle-face-test-results/")
    assert response.status_code == 200
    assert "usable photos of every occupant in 61% of cars" in response.content.decode()


def detail_world(count):
    """A world with `count` events around every kind of record, each event cited."""
    w = world()
    events = make_events(count, w)
    person = published(Person, slug="spokes", name="A Spokesperson", agency=w["cbp"])
    contract = published(Contract, slug="acme-award", title="Acme award", agency=w["cbp"], vendor=w["vendor"],
                         program=w["program"])
    statement = published(Statement, slug="spoke-1", quote="We will.", speaker=person, agency=w["cbp"],
                          program=w["program"], event=events[0])
    published(LifecycleTransition, program=w["program"], status="pilot", event=events[0])
    for event in events:
        event.people.add(person)
        event.contract = contract
        event.save()
    event_type = ContentType.objects.get_for_model(Event)
    second = published(Source, url="https://second.example.org/x", outlet="Second", headline="Second look")
    for event in events:
        Citation.objects.create(source=second, content_type=event_type, object_id=event.pk)
        published(Claim, content_type=event_type, object_id=event.pk, fact="rate", value="1", source=w["source"])
        published(Claim, content_type=event_type, object_id=event.pk, fact="rate", value="2", source=second)
    return w, events, person, contract, statement


# Event and program pages read their feed reports in one more query once matching is installed.
REPORTS = 1 if report_link_model() is not None else 0

# Each entry: page, expected queries, what they are.
DETAIL_QUERIES = [
    ("event", 8 + REPORTS, "event+contract, its programs, agencies, organizations, people, statements, "
                           "citations, claims (+ reports)"),
    ("program", 12 + REPORTS, "program, its agencies, vendors, lifecycle, contracts, statements; 25 latest events, "
                              "their programs, event count; sources of program and events; claims; the events in "
                              "conflict (+ reports)"),
    ("agency", 12, "agency+parent, children, programs, people, contracts; agencies below it (2 levels); 25 latest "
                   "events, their programs, event count; citations; claims"),
    ("organization", 9, "organization, programs, people, contracts; events, their programs, event count; "
                        "citations; claims"),
    ("person", 7, "person+affiliation, statements; events, their programs, event count; citations; claims"),
    ("contract", 7, "contract+agency+vendor+program+parent, child awards; events, their programs, event count; "
                    "citations; claims"),
    ("statement", 3, "statement+speaker+agency+event+program, citations, claims"),
    ("source", 7, "source; events citing it, their programs; programs, statements, contracts citing it; claims"),
]


def detail_url(page, w, person, contract, statement):
    return {
        "event": "/events/event-0/", "program": w["program"].get_absolute_url(), "agency": "/agencies/dhs/",
        "organization": w["vendor"].get_absolute_url(), "person": person.get_absolute_url(),
        "contract": contract.get_absolute_url(), "statement": statement.get_absolute_url(),
        "source": w["source"].get_absolute_url(),
    }[page]


@pytest.mark.parametrize("page,queries,what", DETAIL_QUERIES)
@pytest.mark.parametrize("count", [3, 30])
def test_detail_query_counts_do_not_grow_with_the_events(client, db, django_assert_num_queries, page, queries, what, count):
    w, events, person, contract, statement = detail_world(count)
    url = detail_url(page, w, person, contract, statement)
    with django_assert_num_queries(queries):
        response = client.get(url)
    assert response.status_code == 200, what


@override_settings(SITE_URL="https://timeline.example")
def test_record_pages_carry_a_canonical_link_and_opengraph_tags(client, seed):
    html = client.get("/programs/immigrationos/").content.decode()
    assert '<link rel="canonical" href="https://timeline.example/programs/immigrationos/">' in html
    assert '<meta property="og:title" content="ImmigrationOS">' in html
    assert '<meta property="og:url" content="https://timeline.example/programs/immigrationos/">' in html
    version = client.get("/programs/immigrationos/versions/1/").content.decode()
    assert '<link rel="canonical" href="https://timeline.example/programs/immigrationos/versions/1/">' in version
    assert version.count('rel="canonical"') == 1


@pytest.mark.parametrize("url", [u for u in SEED_PAGES if "search" not in u] + [
    "/programs/self-report-departure-app/", "/programs/port-face-comparison/", "/changes/",
    "/events/cbp-outbound-vehicle-photo-plan-disclosed/versions/", "/events/cbp-outbound-vehicle-photo-plan-disclosed/versions/1/",
])
def test_no_internal_wording_reaches_a_public_page(client, seed, url):
    html = client.get(url).content.decode().lower()
    for internal in ("seed spec", "seed reporting", "loaded from fixture", "not recorded in the seed"):
        assert internal not in html, (url, internal)
