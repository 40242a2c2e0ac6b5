"""/api/v1/reports/: feed items with their event links; the public sees standing links only."""
import datetime

import pytest
from django.utils import timezone

from sources.models import Feed, LinkStatus, Report, ReportEventLink
from tests.timeline.api.conftest import body
from timeline.models import Event

pytestmark = pytest.mark.django_db

WHEN = datetime.datetime(2025, 5, 9, 12, 0, tzinfo=datetime.timezone.utc)


def make_report(feed, n, **kwargs):
    return Report.objects.create(
        feed=feed, key=f"key-{n}", url=f"https://news.example/{n}", title=f"Report {n}",
        summary="<p>Summary with <script>alert(1)</script><b>markup</b></p>", published=WHEN,
        fetched_at=WHEN, content_hash=f"hash-{n}", **kwargs)


@pytest.fixture
def reports(seed):
    feed = Feed.objects.create(url="https://news.example/feed.xml", title="News Example")
    event = Event.objects.get(slug="cbp-outbound-vehicle-photo-plan-disclosed")
    other = Event.objects.get(slug="anzalduas-vehicle-face-test-results")
    attached = make_report(feed, 1)
    copy = make_report(feed, 2, duplicate_of=attached)
    proposed_only = make_report(feed, 3)
    ReportEventLink.objects.create(report=attached, event=event, score=0.91, status=LinkStatus.ATTACHED,
                                   is_primary=True)
    ReportEventLink.objects.create(report=attached, event=other, score=0.4, status=LinkStatus.PROPOSED)
    ReportEventLink.objects.create(report=copy, event=event, score=0.88, status=LinkStatus.APPROVED)
    ReportEventLink.objects.create(report=proposed_only, event=other, score=0.5, status=LinkStatus.PROPOSED)
    return attached, copy, proposed_only


def test_the_public_sees_reports_with_standing_links_and_only_those_links(reports, api):
    attached, copy, _ = reports
    data = body(api.get("/api/v1/reports/"))
    assert data == {"next": None, "results": [
        {
            "id": copy.pk, "url": f"http://testserver/api/v1/reports/{copy.pk}/", "web_url": None,
            "document_url": "https://news.example/2", "title": "Report 2", "summary": "Summary with markup",
            "author": "", "published": "2025-05-09T12:00:00Z", "published_fallback": "",
            "outlet": "News Example",
            "duplicate_of": attached.pk, "duplicate_of_url": f"http://testserver/api/v1/reports/{attached.pk}/",
            "events": [{"event": "cbp-outbound-vehicle-photo-plan-disclosed",
                        "event_url": "http://testserver/api/v1/events/cbp-outbound-vehicle-photo-plan-disclosed/",
                        "status": "approved", "score": 0.88, "is_primary": False}],
            "fetched_at": "2025-05-09T12:00:00Z",
        },
        {
            "id": attached.pk, "url": f"http://testserver/api/v1/reports/{attached.pk}/", "web_url": None,
            "document_url": "https://news.example/1", "title": "Report 1", "summary": "Summary with markup",
            "author": "", "published": "2025-05-09T12:00:00Z", "published_fallback": "",
            "outlet": "News Example",
            "duplicate_of": None, "duplicate_of_url": None,
            "events": [{"event": "cbp-outbound-vehicle-photo-plan-disclosed",
                        "event_url": "http://testserver/api/v1/events/cbp-outbound-vehicle-photo-plan-disclosed/",
                        "status": "attached", "score": 0.91, "is_primary": True}],
            "fetched_at": "2025-05-09T12:00:00Z",
        },
    ]}


def test_staff_see_every_report_and_proposed_links(reports, api, curator):
    api.force_authenticate(curator)
    data = body(api.get("/api/v1/reports/"))
    assert len(data["results"]) == 3
    attached = next(r for r in data["results"] if r["id"] == reports[0].pk)
    assert [link["status"] for link in attached["events"]] == ["attached", "proposed"]


def test_a_report_on_an_unpublished_event_is_hidden_from_the_public(reports, api):
    Event.objects.filter(slug="cbp-outbound-vehicle-photo-plan-disclosed").update(deleted_at=timezone.now())
    assert body(api.get("/api/v1/reports/"))["results"] == []
    assert api.get(f"/api/v1/reports/{reports[0].pk}/").status_code == 404


def test_reports_filter_by_event_program_and_duplication(reports, api):
    attached, copy, _ = reports
    ids = lambda url: [r["id"] for r in body(api.get(url))["results"]]  # noqa: E731
    assert ids("/api/v1/reports/?event=cbp-outbound-vehicle-photo-plan-disclosed") == [copy.pk, attached.pk]
    assert ids("/api/v1/reports/?event=anzalduas-vehicle-face-test-results") == []
    assert ids("/api/v1/reports/?program=outbound-vehicle-photo-capture") == [copy.pk, attached.pk]
    assert ids("/api/v1/reports/?is_duplicate=true") == [copy.pk]
    assert ids("/api/v1/reports/?is_duplicate=false") == [attached.pk]
    assert api.get("/api/v1/reports/?event=nope").status_code == 400


def test_a_report_detail_has_etag_and_last_modified(reports, api):
    response = api.get(f"/api/v1/reports/{reports[0].pk}/")
    assert response.status_code == 200 and response["ETag"] and response["Last-Modified"]
    assert api.get(f"/api/v1/reports/{reports[0].pk}/", HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304


def test_the_reports_list_runs_the_same_queries_for_10_or_100_reports(seed, api, django_assert_num_queries):
    feed = Feed.objects.create(url="https://news.example/feed.xml", title="News Example")
    event = Event.objects.get(slug="cbp-outbound-vehicle-photo-plan-disclosed")
    for n in range(110):
        report = make_report(feed, n)
        ReportEventLink.objects.create(report=report, event=event, score=0.9, status=LinkStatus.ATTACHED)
    for size in (10, 100):
        # 1 the reports (with their feed, standing links checked by EXISTS), 2 their event links
        with django_assert_num_queries(2):
            response = api.get(f"/api/v1/reports/?page_size={size}")
        assert len(body(response)["results"]) == size


def test_reports_export_as_csv_with_their_links(reports, api):
    import csv
    import io

    response = api.get("/api/v1/reports/?format=csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [r["events"] for r in rows] == ["cbp-outbound-vehicle-photo-plan-disclosed (approved)",
                                           "cbp-outbound-vehicle-photo-plan-disclosed (attached)"]
    assert rows[0]["outlet"] == "News Example"
