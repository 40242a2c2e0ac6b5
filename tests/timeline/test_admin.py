"""Curation in the admin: editing, validation messages, attributed history and revert."""
import pytest
from django.contrib.auth.models import Group

from tests.admin_forms import change_form_data
from timeline.models import Event


def test_migrations_create_the_curator_and_editor_groups(db):
    curators = Group.objects.get(name="Curators")
    editors = Group.objects.get(name="Editors")
    curator_perms = set(curators.permissions.values_list("codename", flat=True))
    editor_perms = set(editors.permissions.values_list("codename", flat=True))
    assert {"add_event", "change_event", "view_event", "change_claim", "add_source"} <= curator_perms
    assert "delete_event" not in curator_perms
    assert {"delete_event", "delete_source", "change_program"} <= editor_perms


def test_an_editor_edits_an_event_and_reverts_it_from_the_history(client, seed, editor):
    client.force_login(editor)
    event = Event.objects.get(slug="anzalduas-vehicle-face-test-results")
    original_title = event.title
    url = f"/admin/timeline/event/{event.pk}/change/"

    data = change_form_data(client.get(url))
    data["title"] = "Edited title"
    response = client.post(url, data)
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors

    event.refresh_from_db()
    assert event.title == "Edited title"
    latest = event.history.latest()
    assert latest.history_user == editor
    assert latest.title == "Edited title"

    history_page = client.get(f"/admin/timeline/event/{event.pk}/history/")
    assert history_page.status_code == 200
    assert b"Edited title" in history_page.content or b"editor" in history_page.content

    # Records loaded from the fixture carry a first version to go back to.
    before = event.history.get(title=original_title)
    assert before.history_change_reason == "Loaded from fixture"
    revert_url = f"/admin/timeline/event/{event.pk}/history/{before.history_id}/"
    revert_data = change_form_data(client.get(revert_url))
    response = client.post(revert_url, revert_data)
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.title == original_title
    assert event.history.latest().history_user == editor


def test_the_admin_shows_a_clear_error_for_a_day_in_a_month_precision_date(client, seed, editor):
    client.force_login(editor)
    event = Event.objects.get(slug="ice-palantir-immigrationos-contract")
    url = f"/admin/timeline/event/{event.pk}/change/"
    data = change_form_data(client.get(url))
    data["date"] = "2025-04-15"
    response = client.post(url, data)
    assert response.status_code == 200
    assert "first of its month" in response.content.decode()
    event.refresh_from_db()
    assert event.date.day == 1


def test_a_curator_cannot_delete_events(client, seed, curator):
    client.force_login(curator)
    event = Event.objects.get(slug="anzalduas-vehicle-face-test-results")
    assert client.get(f"/admin/timeline/event/{event.pk}/change/").status_code == 200
    assert client.get(f"/admin/timeline/event/{event.pk}/delete/").status_code == 403


@pytest.mark.parametrize("model", ["event", "program", "agency", "organization", "person", "contract",
                                   "statement", "source", "claim", "citation", "lifecycletransition"])
def test_every_changelist_and_add_form_renders(client, seed, editor, model):
    client.force_login(editor)
    assert client.get(f"/admin/timeline/{model}/").status_code == 200
    assert client.get(f"/admin/timeline/{model}/add/").status_code == 200


def test_the_changelist_search_finds_an_event(client, seed, editor):
    client.force_login(editor)
    response = client.get("/admin/timeline/event/", {"q": "Anzalduas"})
    assert response.status_code == 200
    assert "152-day Anzalduas test" in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_the_groups_survive_a_database_flush(django_user_model):
    from django.core.management import call_command

    call_command("flush", interactive=False, verbosity=0)
    assert Group.objects.get(name="Editors").permissions.filter(codename="delete_event").exists()
    assert Group.objects.get(name="Curators").permissions.filter(codename="change_report").exists()
