import pytest

from tests.timeline.page_helpers import fresh_cache, make_events, world  # noqa: F401
from timeline.models import Program

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]


def test_it_shows_the_latest_events_programs_with_status_and_a_search_box(client, seed):
    html = client.get("/").content.decode()
    assert html.index("CBP says it will photograph") < html.index("Anzalduas test captures")
    assert 'href="/programs/immigrationos/">ImmigrationOS</a> <span class="status status-contracted">Contracted</span>' in html
    assert '<span class="meta">3 events</span>' in html
    assert '<label for="home-q">' in html and 'action="/search/"' in html


def test_it_hides_draft_programs(client, seed):
    Program.objects.filter(slug="immigrationos").update(state="draft")
    from timeline.page_cache import bump_content_version

    bump_content_version()
    assert "/programs/immigrationos/" not in client.get("/").content.decode()


@pytest.mark.parametrize("count", [3, 30])
def test_its_query_count_does_not_grow_with_the_events(client, db, django_assert_num_queries, count):
    make_events(count, world())
    # 1 latest events, 2 their programs, 3 programs with their event counts.
    with django_assert_num_queries(3):
        assert client.get("/").status_code == 200


def test_the_about_page_states_the_licence_and_links_the_api_dump_and_feed(client, db, settings):
    settings.DATA_LICENSE = "ODbL 1.0"
    html = client.get("/about/").content.decode()
    assert "<strong>ODbL 1.0</strong>" in html
    assert 'href="/api/v1/"' in html and 'href="/feeds/events/"' in html and 'href="/sitemap.xml"' in html
    assert "What is automatic and what is reviewed" in html and "How to cite" in html
    assert 'href="/api/v1/docs/"' in html
    assert '<a href="/data/">The bulk dump</a>' in html


def test_the_about_page_does_not_claim_every_record_is_reviewed(client, db):
    html = client.get("/about/").content.decode()
    assert "Curators review every record" not in html
    assert "without a curator's review" in html and "matched automatically, not yet reviewed" in html


def test_the_about_page_links_the_bulk_dump_where_one_is_published(client, db, settings):
    settings.BULK_DUMP_URL = "https://data.example.org/timeline/"
    assert '<a href="https://data.example.org/timeline/">The bulk dump</a>' in client.get("/about/").content.decode()
