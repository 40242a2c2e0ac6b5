import pytest
from django.core.cache import cache

from tests.timeline.page_helpers import fresh_cache, make_events, world  # noqa: F401
from timeline.models import Agency, Event, Program, Source
from timeline.page_cache import CONTENT_VERSION_KEY, content_version

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]


def test_a_second_request_is_served_from_the_cache_without_queries(client, seed, django_assert_num_queries):
    first = client.get("/timeline/")
    assert first["X-Page-Cache"] == "miss"
    with django_assert_num_queries(0):
        second = client.get("/timeline/")
    assert second["X-Page-Cache"] == "hit"
    assert second.content == first.content


def test_each_query_string_is_its_own_page(client, seed):
    client.get("/timeline/?program=immigrationos")
    response = client.get("/timeline/?program=inbound-vehicle-face-matching")
    assert response["X-Page-Cache"] == "miss"
    assert "Anzalduas" in response.content.decode()


def test_saving_a_record_invalidates_every_cached_page(client, seed):
    client.get("/events/anzalduas-vehicle-face-test-results/")
    client.get("/timeline/")
    event = Event.objects.get(slug="anzalduas-vehicle-face-test-results")
    event.title = "Corrected title for the Anzalduas test"
    event.save()
    for url in ("/events/anzalduas-vehicle-face-test-results/", "/timeline/"):
        response = client.get(url)
        assert response["X-Page-Cache"] == "miss"
        assert "Corrected title for the Anzalduas test" in response.content.decode()


def test_deleting_a_record_invalidates_cached_pages(client, db):
    w = world()
    make_events(1, w)
    assert "Event number 0" in client.get("/timeline/").content.decode()
    Event.objects.get(slug="event-0").delete()
    assert "Event number 0" not in client.get("/timeline/").content.decode()


def test_a_many_to_many_change_invalidates_cached_pages(client, seed):
    assert client.get("/timeline/?program=immigrationos").content.decode().count("3 events match") == 1
    Event.objects.get(slug="vermont-airtag-vehicle-tracking-2024").programs.add(Program.objects.get(slug="immigrationos"))
    assert "4 events match" in client.get("/timeline/?program=immigrationos").content.decode()


def test_a_change_to_a_source_invalidates_the_pages_citing_it(client, seed):
    client.get("/events/cbp-outbound-vehicle-photo-plan-disclosed/")
    source = Source.objects.get(pk=1)
    source.archived_url = "https://archive.example.org/wired-outbound"
    source.save()
    assert "https://archive.example.org/wired-outbound" in client.get(
        "/events/cbp-outbound-vehicle-photo-plan-disclosed/").content.decode()


def test_an_evicted_version_counter_never_revives_old_pages(client, seed):
    client.get("/about/")
    before = content_version()
    cache.delete(CONTENT_VERSION_KEY)
    assert content_version() != before
    assert client.get("/about/")["X-Page-Cache"] == "miss"


def test_error_pages_and_other_methods_are_not_cached(client, seed):
    client.get("/programs/not-yet/")
    Program.objects.create(slug="not-yet", name="Not yet", state="published")
    assert client.get("/programs/not-yet/").status_code == 200
    assert "X-Page-Cache" not in client.post("/timeline/")


def test_the_cache_can_be_turned_off(client, seed, settings, django_assert_num_queries):
    settings.PAGE_CACHE_SECONDS = 0
    client.get("/statements/turner-outbound-lanes/")
    with django_assert_num_queries(3):
        client.get("/statements/turner-outbound-lanes/")


def test_models_outside_the_timeline_do_not_invalidate(client, seed, django_user_model):
    client.get("/about/")
    django_user_model.objects.create_user("someone")
    assert client.get("/about/")["X-Page-Cache"] == "hit"
    Agency.objects.get(slug="ssa").save()
    assert client.get("/about/")["X-Page-Cache"] == "miss"
