"""Whole API responses come from the cache until something they show changes, however it changes."""
import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db.models.deletion import Collector

from sources.models import Feed, LinkStatus, Report, ReportEventLink, ReportFingerprint
from tests.timeline.api.conftest import body
from timeline.models import Agency, Citation, Event, Program, Source

pytestmark = pytest.mark.django_db

EVENT = "cbp-outbound-vehicle-photo-plan-disclosed"
WHEN = datetime.datetime(2025, 5, 9, 12, 0, tzinfo=datetime.timezone.utc)


def slugs(api, url="/api/v1/events/?page_size=100"):
    return [row["slug"] for row in body(api.get(url))["results"]]


def test_a_conditional_request_is_answered_304_from_the_cache_without_queries(seed, api, django_assert_num_queries):
    first = api.get("/api/v1/events/")
    with django_assert_num_queries(0):
        assert api.get("/api/v1/events/", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    detail = api.get(f"/api/v1/events/{EVENT}/")
    with django_assert_num_queries(0):
        assert api.get(f"/api/v1/events/{EVENT}/", HTTP_IF_MODIFIED_SINCE=detail["Last-Modified"]).status_code == 304


def test_saving_a_record_retires_its_cached_responses(seed, api):
    api.get(f"/api/v1/events/{EVENT}/")
    event = Event.objects.get(slug=EVENT)
    event.title = "A corrected title"
    event.save()
    assert body(api.get(f"/api/v1/events/{EVENT}/"))["title"] == "A corrected title"


def test_a_queryset_update_retires_cached_responses(seed, api):
    assert EVENT in slugs(api)
    Event.objects.filter(slug=EVENT).update(state="draft")
    assert EVENT not in slugs(api)


def test_publishing_a_draft_shows_it_at_once(seed, api):
    Event.objects.filter(slug=EVENT).update(state="draft")
    assert EVENT not in slugs(api)
    event = Event.objects.get(slug=EVENT)
    event.state = "published"
    event.save()
    assert EVENT in slugs(api)


def test_a_many_to_many_change_retires_cached_responses(seed, api):
    assert body(api.get(f"/api/v1/events/{EVENT}/"))["programs"] == ["outbound-vehicle-photo-capture"]
    Event.objects.get(slug=EVENT).programs.add(Program.objects.get(slug="immigrationos"))
    assert body(api.get(f"/api/v1/events/{EVENT}/"))["programs"] == ["immigrationos", "outbound-vehicle-photo-capture"]


def test_a_soft_and_a_hard_delete_retire_cached_responses(seed, api):
    assert api.get(f"/api/v1/events/{EVENT}/").status_code == 200
    Event.objects.get(slug=EVENT).soft_delete()
    assert api.get(f"/api/v1/events/{EVENT}/").status_code == 410
    other = "vermont-airtag-vehicle-tracking-2024"
    assert other in slugs(api)
    Event.objects.get(slug=other).delete()
    assert other not in slugs(api)


def test_a_new_citation_and_an_edited_source_retire_cached_responses(seed, api):
    before = body(api.get(f"/api/v1/events/{EVENT}/"))["citations"]
    source = Source.objects.create(url="https://news.example/new", outlet="News Example", state="published")
    Citation.objects.create(source=source, content_type=ContentType.objects.get_for_model(Event),
                            object_id=Event.objects.get(slug=EVENT).pk)
    after = body(api.get(f"/api/v1/events/{EVENT}/"))["citations"]
    assert len(after) == len(before) + 1
    source.outlet = "Renamed Outlet"
    source.save()
    assert "Renamed Outlet" in [c["outlet"] for c in body(api.get(f"/api/v1/events/{EVENT}/"))["citations"]]


def test_a_related_record_going_draft_leaves_the_lists_that_name_it(seed, api):
    assert "dhs" in body(api.get("/api/v1/events/ssa-parolees-listed-deceased/"))["agencies"]
    Agency.objects.filter(slug="dhs").update(state="draft")
    assert "dhs" not in body(api.get("/api/v1/events/ssa-parolees-listed-deceased/"))["agencies"]


def test_a_matching_batch_keeps_the_events_cache_and_renews_the_reports_list(seed, api, django_assert_num_queries):
    api.get("/api/v1/events/")
    assert body(api.get("/api/v1/reports/"))["results"] == []
    feed = Feed.objects.create(url="https://news.example/feed.xml", title="News Example")
    report = Report.objects.create(feed=feed, key="k", url="https://news.example/1", title="Report", published=WHEN,
                                   fetched_at=WHEN, content_hash="h")
    ReportEventLink.objects.bulk_create([ReportEventLink(report=report, event=Event.objects.get(slug=EVENT),
                                                         score=0.9, status=LinkStatus.ATTACHED)])
    with django_assert_num_queries(0):
        api.get("/api/v1/events/")
    assert [row["id"] for row in body(api.get("/api/v1/reports/"))["results"]] == [report.pk]


def test_staff_and_the_public_get_their_own_cached_responses(seed, api, curator):
    Event.objects.filter(slug=EVENT).update(state="draft")
    assert EVENT not in slugs(api)
    api.force_authenticate(curator)
    assert EVENT in slugs(api)
    api.force_authenticate(None)
    assert EVENT not in slugs(api)


def test_the_response_cache_can_be_turned_off(seed, api, settings, django_assert_num_queries):
    settings.API_CACHE_SECONDS = 0
    api.get("/api/v1/sources/")
    with django_assert_num_queries(1):
        api.get("/api/v1/sources/")


def test_models_no_cache_shows_keep_djangos_fast_delete(db):
    """The receivers are connected per sender: one connected to every model would turn it off."""
    assert Collector(using="default").can_fast_delete(ReportFingerprint.objects.all())
    assert not Collector(using="default").can_fast_delete(Event.objects.all())


URL = "/api/v1/events/?page_size=100"


def test_a_cached_answer_runs_no_query_and_keeps_its_headers(seed, api, django_assert_num_queries):
    first = api.get(URL)
    for accept in ({}, {"HTTP_ACCEPT": "*/*"}, {"HTTP_ACCEPT": "application/json"}):
        with django_assert_num_queries(0):
            again = api.get(URL, **accept)
        assert again.status_code == 200 and again.content == first.content
        assert (again["ETag"], again["Last-Modified"]) == (first["ETag"], first["Last-Modified"])
        assert "Accept" in again["Vary"]


def test_cached_answers_still_count_against_the_throttle(seed, api, monkeypatch, django_assert_num_queries):
    from rest_framework.throttling import SimpleRateThrottle

    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": "3/minute", "user": "6/minute"})
    assert api.get(URL).status_code == 200
    with django_assert_num_queries(0):
        answers = [api.get(URL) for _ in range(3)]
    assert [answer.status_code for answer in answers] == [200, 200, 429]
    assert 0 < int(answers[-1]["Retry-After"]) <= 60


def test_staff_never_get_the_publics_cached_answer_nor_the_reverse(seed, client, api, curator, curator_api):
    Event.objects.filter(slug=EVENT).update(state="draft")
    assert EVENT in slugs(curator_api)  # a token reader fills the staff copy first
    assert EVENT not in slugs(api)
    client.force_login(curator)  # a session reader reads the staff copy
    assert EVENT in [row["slug"] for row in body(client.get(URL))["results"]]
    client.logout()
    assert EVENT not in [row["slug"] for row in body(client.get(URL))["results"]]


def test_a_conditional_request_for_a_cached_list_is_answered_304_with_its_etag(seed, api):
    etag = api.get(URL)["ETag"]
    api.get(URL)
    not_modified = api.get(URL, HTTP_IF_NONE_MATCH=etag)
    assert not_modified.status_code == 304 and not_modified["ETag"] == etag
    assert api.get(URL, HTTP_IF_NONE_MATCH='"another"').status_code == 200


@pytest.mark.parametrize("query", ["&colour=red", "&page_size=abc", "&ordering=colour", "&include_deleted=maybe"])
def test_bad_parameters_are_refused_even_when_a_similar_url_is_cached(seed, api, query):
    assert api.get(URL).status_code == 200
    for _ in range(2):  # a refused URL is not stored either
        assert api.get(URL + query).status_code == 400


def test_the_browsable_api_and_csv_are_never_served_the_cached_json(seed, api):
    json_body = api.get(URL).content
    for request in ({"path": URL + "&format=api"}, {"path": URL, "HTTP_ACCEPT": "text/html"},
                    {"path": URL, "HTTP_ACCEPT": "text/html,application/xhtml+xml,*/*;q=0.8"}):
        response = api.get(**request)
        assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    for request in ({"path": URL + "&format=csv"}, {"path": URL, "HTTP_ACCEPT": "text/csv"}):
        response = api.get(**request)
        assert response["Content-Type"].startswith("text/csv")
        assert b"".join(response.streaming_content) != json_body
    assert api.get(URL + "&format=json").content == json_body
