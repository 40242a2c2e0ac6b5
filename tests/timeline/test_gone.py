"""A deleted record's public page answers 410 Gone; drafts and unknown records 404."""
import pytest

from timeline.gone import Gone, get_public_or_gone
from timeline.models import Event, State


def test_a_published_record_is_returned(seed):
    event = Event.objects.published().first()
    assert get_public_or_gone(Event, slug=event.slug) == event
    assert get_public_or_gone(Event.objects.select_related("contract"), slug=event.slug) == event


def test_a_deleted_record_raises_gone_and_a_deleted_draft_is_not_found(seed):
    from django.http import Http404

    event = Event.objects.published().first()
    event.soft_delete()
    with pytest.raises(Gone):
        get_public_or_gone(Event, slug=event.slug)
    event.state = State.DRAFT
    event.save()
    with pytest.raises(Http404):
        get_public_or_gone(Event, slug=event.slug)
    with pytest.raises(Http404):
        get_public_or_gone(Event, slug="never-existed")


def test_a_deleted_events_page_answers_410_with_a_friendly_page(client, seed):
    event = Event.objects.published().first()
    assert client.get(event.get_absolute_url()).status_code == 200
    event.soft_delete()
    response = client.get(event.get_absolute_url())
    assert response.status_code == 410
    html = response.content.decode()
    assert "was deleted on" in html and "Traceback" not in html
    event.restore()
    assert client.get(event.get_absolute_url()).status_code == 200


def test_gone_raised_in_an_api_view_answers_json_410(db):
    from rest_framework.test import APIRequestFactory
    from rest_framework.views import APIView

    class DeletedView(APIView):
        permission_classes = []

        def get(self, request):
            raise Gone(detail="This event was deleted on 2026-01-01.")

    response = DeletedView.as_view()(APIRequestFactory().get("/api/v1/events/x/"))
    assert response.status_code == 410
    assert response.data == {"detail": "This event was deleted on 2026-01-01."}


def test_the_410_page_is_styled_names_what_was_removed_and_when_and_links_its_last_version(client, seed):
    event = Event.objects.get(slug="vermont-airtag-vehicle-tracking-2024")
    event.title = "Vermont police report AirTags in cars"
    event.save()  # version 2
    event.soft_delete()  # version 3: the removal
    html = client.get(event.get_absolute_url()).content.decode()
    assert 'href="/static/timeline/site.css"' in html and '<header class="site">' in html
    assert "<strong>Event: Vermont police report AirTags in cars</strong>" in html
    assert f"Removed on <time datetime=\"{event.deleted_at.isoformat()}" in html or "Removed on <time" in html
    assert f'<a href="/events/{event.slug}/versions/2/">version 2</a>' in html
    assert client.get(f"/events/{event.slug}/versions/2/").status_code == 200
