"""Version pages: a record as it stood at version n, a banner, the diff to the next version,
and a cite block that cites the versioned address."""
import pytest
from django.test import override_settings

from tests.timeline.page_helpers import fresh_cache  # noqa: F401
from timeline.models import Event, Source
from timeline.page_cache import bump_content_version

pytestmark = pytest.mark.usefixtures("fresh_cache")


def edit_title(slug, title):
    event = Event.objects.get(slug=slug)
    event.title = title
    event._change_reason = "Title corrected"
    event.save()
    return event


SLUG = "cbp-outbound-vehicle-photo-plan-disclosed"


def test_version_one_stays_readable_after_an_edit_with_a_banner_and_the_diff(client, seed):
    old_title = Event.objects.get(slug=SLUG).title
    edit_title(SLUG, "CBP will photograph everyone leaving the US by car")
    html = client.get(f"/events/{SLUG}/versions/1/").content.decode()
    assert "version 1</strong> of this event" in html
    assert f'The current version is <a href="/events/{SLUG}/">version 2</a>' in html
    assert f"<h1>{old_title}</h1>" in html
    diff = html[html.index('id="diff-h"'):]
    assert f"<del>{old_title}</del>" in diff and "<ins>CBP will photograph everyone leaving the US by car</ins>" in diff
    assert "9 May 2025" in html  # the date at its precision


def test_the_current_version_says_so_and_the_list_names_roles_not_people(client, seed, editor):
    event = Event.objects.get(slug=SLUG)
    event.title = "Edited"
    event._history_user = editor
    event.save()
    html = client.get(f"/events/{SLUG}/versions/2/").content.decode()
    assert "This is the current version." in html
    listing = client.get(f"/events/{SLUG}/versions/").content.decode()
    assert f'href="/events/{SLUG}/versions/2/">Version 2</a>' in listing
    assert "(by editor)" in listing and "(by automatic import)" in listing
    assert "editor@example" not in listing


@override_settings(SITE_URL="https://timeline.example")
def test_cite_this_page_cites_the_versioned_address(client, seed):
    edit_title(SLUG, "Edited once")
    html = client.get(f"/events/{SLUG}/").content.decode()
    assert f"https://timeline.example/events/{SLUG}/versions/2/" in html
    assert f'Always the current version: <a href="https://timeline.example/events/{SLUG}/">' in html


@pytest.mark.parametrize("path", [
    "/programs/immigrationos/versions/1/", "/agencies/cbp/versions/1/", "/organizations/palantir/versions/1/",
    "/people/jessica-turner/versions/1/", "/contracts/ice-palantir-immigrationos-2025/versions/1/",
    "/statements/turner-outbound-lanes/versions/1/", "/sources/1/versions/1/", "/events/palantir-ice-case-management-2014/versions/1/",
])
def test_every_kind_of_record_has_version_pages(client, seed, path):
    response = client.get(path)
    assert response.status_code == 200
    assert "This is the current version." in response.content.decode()
    assert client.get(path.replace("versions/1/", "versions/")).status_code == 200


def test_the_contract_version_shows_money_and_names(client, seed):
    html = client.get("/contracts/ice-palantir-immigrationos-2025/versions/1/").content.decode()
    assert "$30,000,000" in html and "Palantir Technologies" in html and "April 2025" in html


def test_unknown_versions_kinds_and_drafts_are_404(client, seed):
    assert client.get(f"/events/{SLUG}/versions/9/").status_code == 404
    assert client.get("/widgets/x/versions/1/").status_code == 404
    assert client.get("/events/no-such-event/versions/1/").status_code == 404
    assert client.get("/sources/not-a-number/versions/1/").status_code == 404
    Event.objects.filter(slug=SLUG).update(state="draft")
    bump_content_version()
    assert client.get(f"/events/{SLUG}/versions/1/").status_code == 404


def test_a_draft_version_is_never_shown(client, db):
    source = Source.objects.create(outlet="Draft Daily", headline="Unreviewed")
    source.state = "published"
    source.headline = "Reviewed"
    source.save()
    assert client.get(f"/sources/{source.pk}/versions/1/").status_code == 404
    assert "Reviewed" in client.get(f"/sources/{source.pk}/versions/2/").content.decode()


def test_a_deleted_record_keeps_its_versions(client, seed):
    event = Event.objects.get(slug=SLUG)
    event.soft_delete()
    html = client.get(f"/events/{SLUG}/versions/1/").content.decode()
    assert "was removed on" in html


def test_a_version_page_does_a_fixed_number_of_queries(client, seed, django_assert_num_queries):
    edit_title(SLUG, "Edited once")
    bump_content_version()
    # 1 the event, 2 its public history (no user made these versions, so no groups query; the
    # event points to no contract, so no foreign-key labels query).
    with django_assert_num_queries(2):
        assert client.get(f"/events/{SLUG}/versions/1/").status_code == 200


def test_the_versions_list_does_a_fixed_number_of_queries(client, seed, editor, django_assert_num_queries):
    for n in range(5):
        event = Event.objects.get(slug=SLUG)
        event.title = f"Edit {n}"
        event._history_user = editor
        event.save()
    bump_content_version()
    # 1 the event, 2 its history with users, 3 the users' groups.
    with django_assert_num_queries(3):
        assert client.get(f"/events/{SLUG}/versions/").status_code == 200
