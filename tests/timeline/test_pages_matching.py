"""Matching writes links in bulk (no model signals); the cached public pages still follow."""
from datetime import datetime, timezone as dt_timezone

import pytest
from django.utils import timezone

from tests.timeline.page_helpers import fresh_cache  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]

STORY = dict(
    title="ICE pays Palantir $30 million for 'ImmigrationOS'",
    description="Immigration and Customs Enforcement will pay the data analytics company to build a system for "
                "targeting and enforcement prioritization, from visa overstays to gang members.",
    published=datetime(2025, 4, 17, 12, tzinfo=dt_timezone.utc),
)


def test_reports_attached_by_matching_appear_on_the_cached_event_page(client, seed):
    from sources.ingest import ingest_feed_document
    from sources.linking import attach_reports_to_events
    from sources.models import Feed, Report
    from tests.sources.feeds import item, rss

    feed = Feed.objects.create(url="https://news.example.org/feed", title="Example News")
    ingest_feed_document(feed, rss(item(1, link="https://news.example.org/palantir", **STORY)),
                         fetched_at=timezone.now(), match=False)
    url = "/events/ice-palantir-immigrationos-contract/"
    assert "ICE pays Palantir" not in client.get(url).content.decode()
    assert client.get(url)["X-Page-Cache"] == "hit"

    attach_reports_to_events(list(Report.objects.all()))
    response = client.get(url)
    assert response["X-Page-Cache"] == "miss"
    assert "ICE pays Palantir $30 million for &#x27;ImmigrationOS&#x27;" in response.content.decode()
