"""Index pages: /programs/, /agencies/, /organizations/, /people/, /contracts/, /sources/."""
import pytest

from tests.timeline.page_helpers import fresh_cache  # noqa: F401
from timeline.models import Agency, Source
from timeline.page_cache import bump_content_version

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]


@pytest.mark.parametrize("path, total, link", [
    ("/programs/", "Programs published: 6", 'href="/programs/immigrationos/"'),
    ("/agencies/", "Agencies published: 4", 'href="/agencies/cbp/"'),
    ("/organizations/", "Organizations published: 1", 'href="/organizations/palantir/"'),
    ("/people/", "People published: 1", 'href="/people/jessica-turner/"'),
    ("/contracts/", "Contracts published: 1", 'href="/contracts/ice-palantir-immigrationos-2025/"'),
    ("/sources/", "Sources published: 27", 'href="/sources/1/"'),
])
def test_each_index_lists_its_published_records_with_a_count(client, seed, path, total, link):
    html = client.get(path).content.decode()
    assert total in html and link in html


def test_the_indexes_show_what_people_read(client, seed):
    assert "$30,000,000, announced April 2025" in client.get("/contracts/").content.decode()
    assert "WIRED, republished by Techurz" in client.get("/sources/").content.decode()
    assert "3 events" in client.get("/programs/").content.decode()  # ImmigrationOS


def test_drafts_and_deleted_records_are_left_out(client, seed):
    Agency.objects.filter(slug="ssa").update(state="draft")
    Source.objects.get(pk=1).soft_delete()
    bump_content_version()
    assert 'href="/agencies/ssa/"' not in client.get("/agencies/").content.decode()
    assert "Agencies published: 3" in client.get("/agencies/").content.decode()
    assert 'href="/sources/1/"' not in client.get("/sources/").content.decode()


def test_a_page_past_the_end_is_a_404_that_says_so(client, seed):
    assert client.get("/sources/?page=9").status_code == 404
    assert client.get("/sources/?page=x").status_code == 404


@pytest.mark.parametrize("path, queries", [
    ("/programs/", 2), ("/agencies/", 2), ("/organizations/", 2), ("/people/", 2), ("/contracts/", 2),
    ("/sources/", 2),
])
def test_each_index_does_a_fixed_number_of_queries(client, seed, django_assert_num_queries, path, queries):
    for n in range(30):
        Source.objects.create(outlet=f"Outlet {n}", state="published")
    bump_content_version()
    # 1 the count for the paginator, 2 the page of records with their counts (and, for
    # contracts, their agency and vendor joined).
    with django_assert_num_queries(queries):
        assert client.get(path).status_code == 200
