"""The review queue in the admin: proposed links and suggestions, approve / reject / reassign."""
from datetime import datetime, timezone as dt_timezone

import pytest
from django.utils import timezone

from sources.ingest import ingest_feed_document
from sources.models import Feed, LinkStatus, ReportEventLink, ReviewDecision, SuggestedEvent
from tests.sources.feeds import item, rss
from timeline.models import Event

QUEUE = "/admin/sources/reporteventlink/"
STORIES = [
    ("CBP to extend face matching to cars leaving for Mexico and Canada",
     "The border agency says outbound lanes will get cameras that match every passenger to passport photos."),
    ("CBP asks vendors how to capture faces of everyone in a moving car",
     "A request to industry lays out the agency's struggle to photograph all passengers at vehicle lanes."),
    ("Anzalduas camera pilot shows limits of face capture in cars",
     "Photos of every occupant met CBP's validation requirements in 61% of vehicles during the 152-day test."),
    ("ICE pays Palantir $30 million for ImmigrationOS",
     "ICE will pay the company to build a system for targeting and enforcement prioritization."),
]


@pytest.fixture
def reports(seed):
    feed = Feed.objects.create(url="https://news.example.org/feed")
    published = datetime(2025, 5, 8, 12, tzinfo=dt_timezone.utc)
    ingest_feed_document(feed, rss(*(item(n, title=t, description=d, published=published)
                                     for n, (t, d) in enumerate(STORIES, 1))), fetched_at=timezone.now())
    yield


def test_the_queue_lists_proposed_links_highest_score_first_with_their_explanation(client, reports, curator):
    client.force_login(curator)
    response = client.get(QUEUE)
    assert response.status_code == 200
    shown = list(response.context["cl"].result_list)
    assert shown and all(link.status == LinkStatus.PROPOSED for link in shown)
    assert [link.score for link in shown] == sorted((link.score for link in shown), reverse=True)
    assert b"shared words" in response.content and b"agency:2" in response.content


def test_the_queue_takes_the_same_queries_however_many_links_it_shows(client, reports, curator, django_assert_num_queries):
    client.force_login(curator)
    # session, user, the curator's permissions (user, then groups), the matcher model versions
    # (the filter by version), the count for the filter, the total count, the page of links with
    # their reports, events, model versions and deciders (one join).
    with django_assert_num_queries(8):
        client.get(QUEUE)
    ReportEventLink.objects.filter(status=LinkStatus.ATTACHED).update(status=LinkStatus.PROPOSED)
    with django_assert_num_queries(8):
        assert client.get(QUEUE).status_code == 200


def test_a_curator_approves_several_links_at_once_and_the_decision_is_recorded(client, reports, curator):
    client.force_login(curator)
    ids = list(ReportEventLink.objects.filter(status=LinkStatus.PROPOSED).values_list("pk", flat=True)[:2])
    response = client.post(QUEUE, {"action": "approve", "_selected_action": ids})
    assert response.status_code == 302
    assert set(ReportEventLink.objects.filter(pk__in=ids).values_list("status", "decided_by")) == {
        (LinkStatus.APPROVED, curator.pk)}
    assert ReviewDecision.objects.filter(action="approve", decided_by=curator).count() == 2


def test_a_curator_rejects_a_link(client, reports, curator):
    client.force_login(curator)
    link = ReportEventLink.objects.filter(status=LinkStatus.PROPOSED).first()
    client.post(QUEUE, {"action": "reject", "_selected_action": [link.pk]})
    link.refresh_from_db()
    assert link.status == LinkStatus.REJECTED and link.decided_at is not None


def test_a_curator_reassigns_reports_through_a_confirmation_page(client, reports, curator):
    client.force_login(curator)
    link = ReportEventLink.objects.filter(status=LinkStatus.PROPOSED).first()
    target = Event.objects.exclude(pk=link.event_id).get(slug="vermont-airtag-vehicle-tracking-2024")
    page = client.post(QUEUE, {"action": "reassign", "_selected_action": [link.pk]})
    assert page.status_code == 200 and b"Reassign" in page.content
    client.post(QUEUE, {"action": "reassign", "_selected_action": [link.pk], "apply": "1", "event": target.pk})
    link.refresh_from_db()
    assert link.status == LinkStatus.REJECTED
    assert ReportEventLink.objects.get(report=link.report, event=target).status == LinkStatus.APPROVED


def test_reassigning_without_choosing_an_event_changes_nothing(client, reports, curator):
    client.force_login(curator)
    link = ReportEventLink.objects.filter(status=LinkStatus.PROPOSED).first()
    response = client.post(QUEUE, {"action": "reassign", "_selected_action": [link.pk], "apply": "1", "event": ""})
    assert response.status_code == 200 and b"Choose the event" in response.content
    link.refresh_from_db()
    assert link.status == LinkStatus.PROPOSED


def test_curators_turn_a_suggestion_into_a_draft_event(client, seed, curator):
    feed = Feed.objects.create(url="https://news.example.org/feed")
    ingest_feed_document(feed, rss(item(1, title="ICE opens a new detention centre in Georgia",
                                        description="The centre will hold 1,500 people, ICE said.")))
    suggestion = SuggestedEvent.objects.get()
    client.force_login(curator)
    assert client.get("/admin/sources/suggestedevent/").status_code == 200
    client.post("/admin/sources/suggestedevent/", {"action": "create_events", "_selected_action": [suggestion.pk]})
    suggestion.refresh_from_db()
    assert suggestion.status == "accepted" and suggestion.event.state == "draft"
    assert ReportEventLink.objects.get(event=suggestion.event).status == LinkStatus.APPROVED
    assert ReviewDecision.objects.get(action="accept-suggestion").decided_by == curator


def test_the_decision_log_is_read_only(client, reports, curator):
    client.force_login(curator)
    assert client.get("/admin/sources/reviewdecision/").status_code == 200
    assert client.get("/admin/sources/reviewdecision/add/").status_code == 403


def make_suggestions(count):
    from datetime import timedelta

    start = datetime(2025, 5, 1, tzinfo=dt_timezone.utc)
    SuggestedEvent.objects.bulk_create([
        SuggestedEvent(title=f"Suggestion {n}", score=n / 100, entities=["agency:3"], report_count=1,
                       first_published=start + timedelta(days=n), last_published=start + timedelta(days=n))
        for n in range(count)])


def test_the_suggestions_list_takes_the_same_queries_however_many_it_shows(client, seed, curator,
                                                                          django_assert_num_queries):
    client.force_login(curator)
    make_suggestions(2)
    # session, user, the curator's permissions (user, then groups), the count for the filter, the
    # total count, the page of suggestions with their deciders (one join).
    with django_assert_num_queries(7):
        client.get("/admin/sources/suggestedevent/")
    make_suggestions(30)
    with django_assert_num_queries(7):
        response = client.get("/admin/sources/suggestedevent/")
    shown = list(response.context["cl"].result_list)
    assert [s.score for s in shown] == sorted((s.score for s in shown), reverse=True)


def test_the_decision_log_takes_the_same_queries_however_long_it_is(client, reports, curator,
                                                                   django_assert_num_queries):
    client.force_login(curator)
    ReportEventLink.objects.filter(pk__in=ReportEventLink.objects.filter(status=LinkStatus.PROPOSED).values("pk")[:1]).approve(curator)
    # session, user, permissions (user, then groups), the count of the filtered list and the
    # total count (the action filter), the page of decisions with their curator, report, events
    # and suggestion (one join).
    with django_assert_num_queries(7):
        client.get("/admin/sources/reviewdecision/")
    ReportEventLink.objects.filter(status=LinkStatus.PROPOSED).approve(curator)
    with django_assert_num_queries(7):
        assert client.get("/admin/sources/reviewdecision/").status_code == 200


def test_the_queue_folds_copies_under_their_original(client, seed, curator):
    feed = Feed.objects.create(url="https://news.example.org/feed")
    published = datetime(2025, 5, 8, 12, tzinfo=dt_timezone.utc)
    title, text = STORIES[1]
    ingest_feed_document(feed, rss(item(1, title=title, description=text, published=published),
                                   item(2, title=title + " | Wire", description=text, published=published)),
                         fetched_at=timezone.now())
    ReportEventLink.objects.update(status=LinkStatus.PROPOSED)
    client.force_login(curator)
    shown = list(client.get(QUEUE).context["cl"].result_list)
    assert shown and {link.report.guid for link in shown} == {"item-1"}
    assert all(link.copy_count == 1 for link in shown)


def test_the_reassign_page_picks_the_event_by_searching_for_it(client, reports, curator):
    client.force_login(curator)
    link = ReportEventLink.objects.filter(status=LinkStatus.PROPOSED).first()
    page = client.post(QUEUE, {"action": "reassign", "_selected_action": [link.pk]})
    assert b"admin-autocomplete" in page.content and b"autocomplete.js" in page.content
    found = client.get("/admin/autocomplete/", {"term": "Anzalduas", "app_label": "sources",
                                                "model_name": "reporteventlink", "field_name": "event"})
    assert found.status_code == 200
    assert str(Event.objects.get(slug="anzalduas-vehicle-face-test-results")) in [
        r["text"] for r in found.json()["results"]]


def test_the_queue_wraps_each_explanation_in_one_paragraph_and_leaves_out_constant_columns(client, reports, curator):
    client.force_login(curator)
    response = client.get(QUEUE)
    page = response.content.decode()
    assert "sources/review_queue.css" in page and "sources/review_queue.js" in page
    assert "<p class='review-why'><b>names:</b>" in page and "<br>" not in page.split('id="result_list"')[1]
    assert "field-explanation_display" in page
    assert "column-status" not in page and "column-decided_by" not in page
    everything = client.get(QUEUE, {"status": "all"}).content.decode()
    assert "column-status" in everything and "column-decided_by" in everything


def test_the_queue_names_its_keyboard_bulk_actions_and_ships_them(client, reports, curator):
    from django.contrib.staticfiles import finders

    client.force_login(curator)
    page = client.get(QUEUE).content.decode()
    assert "<kbd>a</kbd> approve" in page and "<kbd>r</kbd> reject" in page and "<kbd>e</kbd> reassign" in page
    script = open(finders.find("sources/review_queue.js"), encoding="utf-8").read()
    # The keys run the admin's own actions by name, so they do exactly what the menu does.
    assert '{a: "approve", r: "reject", e: "reassign"}' in script
    assert {"approve", "reject", "reassign"} <= {name for name, *_ in
                                                 client.get(QUEUE).context["action_form"].fields["action"].choices}


def test_the_explanation_says_when_late_coverage_names_a_month_of_the_event():
    from sources.review_admin import explanation_html

    late = {"date_days_outside": 120, "date_factor": 0.33}
    assert "120 days after, names a month of the event" in explanation_html(dict(late, date_named=True))
    assert "names a month" not in explanation_html(dict(late, date_named=False))


def test_the_explanation_says_when_late_coverage_reports_a_change():
    from sources.review_admin import explanation_html

    assert "120 days after, reports a change" in explanation_html(
        {"date_days_outside": 120, "date_factor": 0.33, "reports_change": True})
    # Within the event's period a change is the event itself: nothing to flag.
    assert "reports a change" not in explanation_html(
        {"date_days_outside": 0, "date_factor": 1.0, "reports_change": True})
