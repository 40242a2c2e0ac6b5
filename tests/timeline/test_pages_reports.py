"""Feed reports on event and program pages (needs the matching app's ReportEventLink)."""
import datetime
import re

import pytest
from django.utils import timezone

from tests.timeline.page_helpers import fresh_cache, make_events, world  # noqa: F401
from timeline.coverage import report_link_model

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("fresh_cache"),
    pytest.mark.skipif(report_link_model() is None, reason="needs sources.ReportEventLink (matching)"),
]

HOSTILE_SUMMARY = (
    '<p>CBP expands <b>face capture</b>.<script>alert("x")</script>'
    '<img src="https://tracker.example/p.gif" onerror="alert(1)">'
    '<a href="javascript:alert(2)">more</a> <a href="https://ok.example.org/more" onclick="alert(3)">read on</a></p>'
)


def make_report(n, event=None, status="attached", duplicate_of=None, url=None, summary="", title=None):
    from sources.models import Feed, Report, ReportEventLink

    feed, _ = Feed.objects.get_or_create(url="https://feeds.example.org/rss", defaults={"title": "Example Wire"})
    now = timezone.now()
    report = Report.objects.create(
        feed=feed, key=f"k{n}", guid=f"g{n}", url=url or f"https://wire.example.org/story-{n}",
        title=title or f"Wire story {n}", summary=summary, published=now - datetime.timedelta(hours=100 - n),
        fetched_at=now, content_hash=f"h{n}", duplicate_of=duplicate_of,
    )
    if event is not None:
        ReportEventLink.objects.create(report=report, event=event, score=0.9, status=status)
    return report


def test_an_attached_report_shows_on_its_event_with_its_summary_sanitised(client, db):
    event = make_events(1, world())[0]
    make_report(1, event, summary=HOSTILE_SUMMARY, title="Face capture &amp; <i>more</i>")
    html = client.get(event.get_absolute_url()).content.decode()
    assert "Example Wire" in html and "Face capture &amp; more" in html
    assert '<a href="https://wire.example.org/story-1" rel="noopener nofollow">' in html
    assert "<b>face capture</b>" in html  # harmless markup survives
    lowered = html.lower()
    assert "<script" not in lowered
    assert "onerror" not in lowered and "onclick" not in lowered
    assert "javascript:" not in lowered
    assert "tracker.example" not in lowered
    assert '<a href="https://ok.example.org/more" rel="nofollow noopener noreferrer">read on</a>' in html
    assert "<strong>2</strong> independent sources." in html  # the cited source and the report


def test_copies_fold_under_the_original_report_and_are_not_counted(client, db):
    event = make_events(1, world())[0]
    original = make_report(1, event)
    make_report(2, event, duplicate_of=original)
    # A copy linked on its own brings in its original even when the original is not linked.
    unlinked_original = make_report(3)
    make_report(4, event, duplicate_of=unlinked_original)
    html = client.get(event.get_absolute_url()).content.decode()
    assert "<strong>3</strong> independent sources, plus 2 copies folded under their original." in html
    assert html.count("1 copy of this report") == 2


def test_a_report_at_a_cited_sources_address_is_that_source(client, db):
    w = world()
    event = make_events(1, w)[0]
    make_report(1, event, url=w["source"].url)
    html = client.get(event.get_absolute_url()).content.decode()
    assert "<strong>1</strong> independent source." in html


def test_proposed_and_rejected_links_are_not_shown(client, db):
    event = make_events(1, world())[0]
    make_report(1, event, status="proposed", title="Proposed story")
    make_report(2, event, status="rejected", title="Rejected story")
    html = client.get(event.get_absolute_url()).content.decode()
    assert "Proposed story" not in html and "Rejected story" not in html


def test_a_program_page_counts_reports_across_its_events(client, db):
    w = world()
    first, second = make_events(2, w)
    original = make_report(1, first)
    make_report(2, second, duplicate_of=original)
    make_report(3, second)
    html = client.get(w["program"].get_absolute_url()).content.decode()
    assert "<strong>3</strong> independent sources, plus 1 copy folded under its original." in html


def test_a_new_report_link_invalidates_the_cached_event_page(client, db):
    event = make_events(1, world())[0]
    client.get(event.get_absolute_url())
    make_report(1, event, title="Breaking wire story")
    assert "Breaking wire story" in client.get(event.get_absolute_url()).content.decode()


@pytest.mark.parametrize("count", [3, 30])
def test_report_coverage_adds_one_query_whatever_the_number_of_reports(client, db, django_assert_num_queries, count):
    event = make_events(1, world())[0]
    first = make_report(0, event)
    for n in range(1, count):
        make_report(n, event, duplicate_of=first if n % 2 else None)
    # The event page's queries (test_pages_records): the event, its programs, agencies,
    # organizations, people, statements, citations, claims; and its reports with their feeds
    # and originals.
    with django_assert_num_queries(9):
        assert client.get(event.get_absolute_url()).status_code == 200


def test_a_report_the_matcher_attached_is_marked_unreviewed_until_a_curator_approves_it(client, db):
    event = make_events(1, world())[0]
    make_report(1, event, status="attached", title="Attached by the matcher")
    make_report(2, event, status="approved", title="Approved by a curator")
    html = client.get(event.get_absolute_url()).content.decode()
    attached = html[html.index("Attached by the matcher"):]
    attached = attached[:attached.index("</li>")]
    approved = html[html.index("Approved by a curator"):]
    approved = approved[:approved.index("</li>")]
    assert "matched automatically, not yet reviewed" in attached
    assert "not yet reviewed" not in approved
    program_html = client.get("/programs/face-capture/").content.decode()
    assert program_html.count('class="unreviewed"') == 1


def test_copies_of_one_report_count_once_when_its_original_is_not_cited(client, db):
    from django.contrib.contenttypes.models import ContentType

    from timeline.models import Citation, Event, Source

    event = make_events(1, world())[0]
    before = client.get(event.get_absolute_url()).content.decode()
    independent = int(re.search(r"<strong>(\d+)</strong> independent", before).group(1))
    for n, outlet in enumerate(["Copier One", "Copier Two"]):
        source = Source.objects.create(url=f"https://copy{n}.example.net/a", outlet=outlet, original_outlet="WIRED",
                                       headline="The same WIRED story", kind="copy", state="published")
        Citation.objects.create(source=source, content_type=ContentType.objects.get_for_model(Event), object_id=event.pk)
    html = client.get(event.get_absolute_url()).content.decode()
    assert f"<strong>{independent + 1}</strong> independent sources, plus 1 copy folded under its original." in html
    details = html[html.index("<details>"):html.index("</details>")]
    assert "WIRED, republished by Copier Two" in details
