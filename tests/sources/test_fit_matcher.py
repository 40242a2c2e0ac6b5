"""fit_matcher and the matcher model versions: refit from curators' decisions, roll back in the admin."""
import io
from datetime import datetime, timezone as dt_timezone

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from sources.ingest import ingest_feed_document
from sources.learning import curator_examples, shipped_examples
from sources.models import Feed, LinkStatus, MatcherModel, ReportEventLink
from tests.sources.feeds import item, rss
from timeline.models import Event

VERSIONS = "/admin/sources/matchermodel/"


@pytest.fixture
def matched(seed):
    feed = Feed.objects.create(url="https://news.example.org/feed")
    published = datetime(2025, 5, 8, 12, tzinfo=dt_timezone.utc)
    stories = [("ICE pays Palantir $30 million for ImmigrationOS",
                "ICE will pay the company to build a system for targeting and enforcement prioritization."),
               ("CBP asks vendors how to capture faces of everyone in a moving car",
                "A request to industry lays out the agency's struggle to photograph all passengers at vehicle lanes.")]
    ingest_feed_document(feed, rss(*(item(n, title=t, description=d, published=published)
                                     for n, (t, d) in enumerate(stories, 1))), fetched_at=timezone.now())


def run(*args):
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_the_shipped_model_is_the_active_version_and_decides_new_links(matched):
    shipped = MatcherModel.objects.get()
    assert shipped.is_active and shipped.fitted_by == "shipped" and shipped.cv_precision >= 0.99
    links = ReportEventLink.objects.all()
    assert links and {link.model_version_id for link in links} == {shipped.pk}


def test_fit_matcher_learns_from_curators_decisions_and_stores_a_new_active_version(matched, curator):
    link = ReportEventLink.objects.order_by("-score").first()
    link.status = LinkStatus.REJECTED
    link.save()
    target = Event.objects.exclude(pk=link.event_id).get(slug="cbp-vehicle-face-recognition-pitch-request")
    ReportEventLink.objects.create(report_id=link.report_id, event=target, score=0, status=LinkStatus.APPROVED,
                                   explanation={"decided": "curator"})  # a reassignment: no features stored
    examples = curator_examples()
    assert [e.label for e in examples if e.group == f"db:{link.report_id}"].count(0) == 1
    out = run("fit_matcher", "--target-precision", "0.98")
    version = MatcherModel.objects.active()
    assert version.pk != MatcherModel.objects.order_by("pk").first().pk
    assert version.curator_decisions == len(examples) and version.examples == len(shipped_examples()) + len(examples)
    assert version.target_precision == 0.98
    assert f"cross-validated precision {version.cv_precision} recall {version.cv_recall}" in out
    assert MatcherModel.objects.filter(is_active=True).count() == 1


def test_fit_matcher_refuses_a_target_precision_outside_zero_to_one(db):
    with pytest.raises(CommandError, match="invalid precision"):
        run("fit_matcher", "--target-precision", "1.5")


def test_fit_matcher_without_enough_decisions_fails_clearly_and_keeps_the_active_version(db, monkeypatch):
    monkeypatch.setattr("sources.learning.shipped_examples", lambda: [])
    with pytest.raises(CommandError, match="too few"):
        run("fit_matcher")
    assert MatcherModel.objects.active().fitted_by == "shipped"


def test_an_editor_rolls_back_to_an_earlier_version_and_it_decides_the_next_links(client, editor, matched):
    shipped = MatcherModel.objects.get()
    run("fit_matcher")
    client.force_login(editor)
    page = client.get(VERSIONS + f"{shipped.pk}/change/")
    assert page.status_code == 200 and b"heuristic" in page.content
    response = client.post(VERSIONS, {"action": "make_active", "_selected_action": [shipped.pk]})
    assert response.status_code == 302
    assert MatcherModel.objects.active() == shipped
    assert MatcherModel.objects.filter(is_active=True).count() == 1
    ingest_feed_document(Feed.objects.get(), rss(item(9, title="ICE and Palantir sign ImmigrationOS deal",
                                                       description="ImmigrationOS for ICE.",
                                                       published=datetime(2025, 4, 20, tzinfo=dt_timezone.utc))),
                         fetched_at=timezone.now())
    assert set(ReportEventLink.objects.filter(report__guid="item-9").values_list("model_version", flat=True)) == {
        shipped.pk}


def test_the_versions_list_takes_the_same_queries_however_many_versions(client, editor, db, django_assert_num_queries):
    client.force_login(editor)
    # session, user, the editor's permissions (user, then groups), the count, the total count,
    # the page of versions.
    with django_assert_num_queries(7):
        client.get(VERSIONS)
    for _ in range(3):
        MatcherModel.objects.create(parameters=MatcherModel.objects.first().parameters)
    with django_assert_num_queries(7):
        assert client.get(VERSIONS).status_code == 200
