"""Feeds and reports in the admin: health columns, actions, curator permissions."""
from django.contrib.auth.models import Group
from django.utils import timezone
from django.utils.html import escape

from sources.models import Feed, Report
from tests.sources.feeds import rss_of


def test_curators_and_editors_get_the_sources_permissions(db):
    curators = set(Group.objects.get(name="Curators").permissions.values_list("codename", flat=True))
    editors = set(Group.objects.get(name="Editors").permissions.values_list("codename", flat=True))
    assert {"view_feed", "add_feed", "change_feed", "view_report", "change_report"} <= curators
    assert "delete_feed" not in curators and {"delete_feed", "delete_report"} <= editors


def test_the_feed_list_shows_health_in_a_fixed_number_of_queries(client, curator, django_assert_num_queries):
    for n in range(5):
        Feed.objects.create(url=f"https://f{n}.example/feed.xml", consecutive_failures=n * 2,
                            last_error="HTTP 500" if n else "", last_status=500 if n else 200, last_polled_at=timezone.now())
    Feed.objects.create(url="https://paused.example/feed.xml", enabled=False)
    client.force_login(curator)
    # session, user, the user's own permissions, their groups' permissions, count for the
    # paginator, count of all feeds, the page of feeds.
    with django_assert_num_queries(7):
        response = client.get("/admin/sources/feed/")
    page = response.content.decode()
    assert response.status_code == 200
    for health in ("ok", "erroring", "failing", "paused"):
        assert f">{health}</strong>" in page


def test_the_report_list_takes_a_fixed_number_of_queries(client, curator, django_assert_num_queries):
    feed = Feed.objects.create(url="https://f.example/feed.xml")
    for n in range(20):
        Report.objects.create(feed=feed, key=f"k{n}", title=f"Report {n}", url="javascript:alert(1)" if n == 0 else
                              f"https://n.example/{n}", published="2025-05-01T00:00Z", fetched_at="2025-05-01T00:00Z",
                              content_hash="h")
    client.force_login(curator)
    # session, user, the user's own permissions, their groups' permissions, paginator count,
    # total count, the page of reports with their feeds (select_related), and the date
    # hierarchy's two: the range of dates and the distinct days to link.
    with django_assert_num_queries(9):
        response = client.get("/admin/sources/report/")
    assert response.status_code == 200 and b"javascript:" not in response.content


def test_poll_now_and_pause_act_on_the_selected_feeds(client, curator, feed_server, django_capture_on_commit_callbacks):
    feed = Feed.objects.create(url=feed_server.serve("/feed.xml", rss_of(2)), enabled=False)
    client.force_login(curator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/admin/sources/feed/", {"action": "poll_now", "_selected_action": [feed.pk]})
    assert response.status_code == 302
    assert feed.reports.count() == 2  # a paused feed is still polled when asked to

    Feed.objects.filter(pk=feed.pk).update(enabled=True)
    client.post("/admin/sources/feed/", {"action": "pause", "_selected_action": [feed.pk]})
    feed.refresh_from_db()
    assert not feed.enabled and feed.health == "paused"


def test_a_curator_adds_a_feed_and_only_http_urls_are_accepted(client, curator):
    client.force_login(curator)
    form = {"url": "ftp://files.example/feed.xml", "title": "", "enabled": "on", "poll_interval": "01:00:00",
            "next_poll_at_0": "2025-05-01", "next_poll_at_1": "12:00:00"}
    response = client.post("/admin/sources/feed/add/", form)
    assert response.status_code == 200 and not Feed.objects.exists()
    assert "Only http and https feeds can be polled." in response.content.decode()

    response = client.post("/admin/sources/feed/add/", dict(form, url="https://news.example.org/feed.xml"))
    assert response.status_code == 302
    feed = Feed.objects.get()
    assert client.get(f"/admin/sources/feed/{feed.pk}/change/").status_code == 200


def test_a_report_page_shows_its_event_links_and_the_report_it_copies_read_only(client, curator, seed):
    from sources.models import LinkStatus, ReportEventLink
    from timeline.models import Event

    feed = Feed.objects.create(url="https://f.example/feed.xml")
    common = dict(feed=feed, published="2025-05-01T00:00Z", fetched_at="2025-05-01T00:00Z", content_hash="h")
    original = Report.objects.create(key="k1", title="CBP to photograph every car leaving", **common)
    copy = Report.objects.create(key="k2", title="CBP to photograph every car leaving | Wire", duplicate_of=original,
                                 copy_evidence={"containment": 0.9}, **common)
    attached, proposed = Event.objects.order_by("id")[:2]
    ReportEventLink.objects.create(report=copy, event=attached, score=0.71, status=LinkStatus.ATTACHED, is_primary=True)
    ReportEventLink.objects.create(report=copy, event=proposed, score=0.32, status=LinkStatus.PROPOSED)
    client.force_login(curator)

    page = client.get(f"/admin/sources/report/{copy.pk}/change/").content.decode()

    rows = page[page.index('<table class="event-links">'):]
    assert rows.index(escape(str(attached))) < rows.index(escape(str(proposed)))  # primary first
    assert "Attached automatically</td><td>0.710</td><td>primary" in rows
    assert "Proposed for review</td><td>0.320</td><td></td>" in rows
    assert f'<a href="/admin/sources/report/{original.pk}/change/">' in page
    assert 'name="duplicate_of"' not in page and 'name="score"' not in page  # shown, not editable


def test_a_report_without_links_or_original_shows_empty_values(client, curator):
    feed = Feed.objects.create(url="https://f.example/feed.xml")
    report = Report.objects.create(feed=feed, key="k1", title="A report", published="2025-05-01T00:00Z",
                                   fetched_at="2025-05-01T00:00Z", content_hash="h")
    client.force_login(curator)
    response = client.get(f"/admin/sources/report/{report.pk}/change/")
    assert response.status_code == 200 and b'class="event-links"' not in response.content
