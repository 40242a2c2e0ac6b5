"""/changes/ and /changes/feed/: recent edits of published records, by role, never by name."""
import xml.etree.ElementTree as ET

import pytest
from django.test import override_settings

from tests.timeline.page_helpers import fresh_cache  # noqa: F401
from timeline.models import Contract, Event
from timeline.page_cache import bump_content_version

pytestmark = pytest.mark.usefixtures("fresh_cache")

ATOM = "{http://www.w3.org/2005/Atom}"
SLUG = "ice-palantir-immigrationos-2025"


def edit_contract(user, **fields):
    contract = Contract.objects.get(slug=SLUG)
    for name, value in fields.items():
        setattr(contract, name, value)
    contract._history_user = user
    contract.save()
    return contract


def test_it_lists_which_record_which_fields_when_and_which_role(client, seed, editor):
    edit_contract(editor, value_usd="29900000", notes="Checked against the award record.")
    html = client.get("/changes/").content.decode()
    row = html[html.index("ImmigrationOS build"):]
    row = row[:row.index("</tr>")]
    assert "Changed Value (USD), Notes" in row
    assert "<td>Editor</td>" in row
    assert f'href="/contracts/{SLUG}/versions/2/"' in html
    assert "editor@example" not in html and ">editor<" not in html
    # The fixture's own versions are listed as added by an automatic import.
    assert "Automatic import" in html


def test_removals_are_listed_and_drafts_are_not(client, seed, editor):
    Event.objects.get(slug="vermont-airtag-vehicle-tracking-2024").soft_delete()
    draft = Event.objects.create(slug="draft-event", title="A draft nobody may see")
    draft.title = "Still a draft"
    draft.save()
    html = client.get("/changes/").content.decode()
    assert "Removed" in html and "Vermont police" in html
    assert "draft" not in html.lower().replace("drafts", "")


@override_settings(SITE_URL="https://timeline.example")
def test_the_atom_feed_links_each_change_to_its_version(client, seed, editor):
    edit_contract(editor, value_usd="29900000")
    feed = ET.fromstring(client.get("/changes/feed/").content)
    first = feed.findall(f"{ATOM}entry")[0]
    assert first.find(f"{ATOM}id").text == f"https://timeline.example/contracts/{SLUG}/versions/2/"
    assert first.find(f"{ATOM}title").text == "Contract: ImmigrationOS build (version 2)"
    assert "by editor" in first.find(f"{ATOM}summary").text


def test_the_changes_page_does_a_fixed_number_of_queries(client, seed, editor, django_assert_num_queries):
    for n in range(5):
        edit_contract(editor, notes=f"Note {n}")
        event = Event.objects.get(slug="anzalduas-vehicle-face-test-results")
        event.title = f"Title {n}"
        event._history_user = editor
        event.save()
    bump_content_version()
    # Per kind of record (8): its latest public versions, the versions before them, and the
    # groups of the users who made them (only for kinds a user edited: events and contracts).
    with django_assert_num_queries(8 * 2 + 2):
        assert client.get("/changes/").status_code == 200
