"""Two curators save the same record from the same version: the second gets a clear conflict."""
import pytest
from django.db import transaction

from tests.admin_forms import change_form_data
from timeline.concurrency import VersionConflict, check_version, save_if_current
from timeline.models import Event


def test_the_second_curator_saving_from_the_same_version_gets_a_clear_error(client, seed, curator, editor):
    from django.test import Client

    event = Event.objects.get(slug="anzalduas-vehicle-face-test-results")
    url = f"/admin/timeline/event/{event.pk}/change/"
    first, second = Client(), Client()
    first.force_login(curator)
    second.force_login(editor)
    first_form = change_form_data(first.get(url))
    second_form = change_form_data(second.get(url))
    assert first_form["expected_version"] == second_form["expected_version"] == event.version

    first_form["title"] = "Title from the first curator"
    assert first.post(url, first_form).status_code == 302

    second_form["summary"] = "Summary from the second curator"
    response = second.post(url, second_form)
    assert response.status_code == 200
    html = response.content.decode()
    assert "was changed by curator" in html
    assert f"you edited version {event.version}, it is now version {event.version + 1}" in html
    assert "Your changes were not saved" in html

    event.refresh_from_db()
    assert event.title == "Title from the first curator"
    assert event.summary != "Summary from the second curator"

    # Reloading the record gives the current version, and the edit then goes through.
    retry = change_form_data(second.get(url))
    retry["summary"] = "Summary from the second curator"
    assert second.post(url, retry).status_code == 302
    event.refresh_from_db()
    assert (event.title, event.summary) == ("Title from the first curator", "Summary from the second curator")


def test_a_form_without_the_version_is_refused(client, seed, editor):
    client.force_login(editor)
    event = Event.objects.first()
    url = f"/admin/timeline/event/{event.pk}/change/"
    data = change_form_data(client.get(url))
    del data["expected_version"]
    response = client.post(url, data)
    assert response.status_code == 200
    assert "did not say which version" in response.content.decode()


def test_a_history_revert_is_checked_against_the_current_version(client, seed, editor):
    client.force_login(editor)
    event = Event.objects.get(slug="anzalduas-vehicle-face-test-results")
    first_version = event.history.earliest()
    revert_url = f"/admin/timeline/event/{event.pk}/history/{first_version.history_id}/"
    stale = change_form_data(client.get(revert_url))
    event.title = "Changed meanwhile"
    event.save()
    response = client.post(revert_url, stale)
    assert response.status_code == 200 and "after you loaded it" in response.content.decode()
    event.refresh_from_db()
    assert event.title == "Changed meanwhile"


def _inline_prefix(data, pk):
    """The form prefix of the inline row holding record `pk` in change-form data."""
    for key, value in data.items():
        if key.endswith("-id") and str(value) == str(pk) and key.count("-") == 2:
            return key[: -len("-id")]
    raise AssertionError(f"no inline row for {pk}")


# Issue 17 item 9: inline rows carry and check the version.

def test_a_stale_inline_row_cannot_overwrite_a_newer_edit(client, seed, curator):
    from timeline.models import Program, Statement

    statement = Statement.objects.filter(program__isnull=False, deleted_at__isnull=True).first()
    program = Program.objects.get(pk=statement.program_id)
    url = f"/admin/timeline/program/{program.pk}/change/"
    client.force_login(curator)
    stale = change_form_data(client.get(url))
    prefix = _inline_prefix(stale, statement.pk)
    assert stale[f"{prefix}-expected_version"] == statement.version

    statement.quote = "A newer quote saved through the API"
    statement.save()

    stale[f"{prefix}-quote"] = "The curator's edit of the old quote"
    response = client.post(url, stale)
    assert response.status_code == 200
    assert "after you loaded it" in response.content.decode()
    statement.refresh_from_db()
    assert statement.quote == "A newer quote saved through the API"


def test_saving_the_record_leaves_its_untouched_inline_rows_unsaved(client, seed, curator):
    # The hidden version is bookkeeping, not an edit: rows the curator did not touch are not
    # saved again (their version stays), so they cannot overwrite anything.
    from timeline.models import Program, Statement

    statement = Statement.objects.filter(program__isnull=False, deleted_at__isnull=True).first()
    program = Program.objects.get(pk=statement.program_id)
    url = f"/admin/timeline/program/{program.pk}/change/"
    client.force_login(curator)
    data = change_form_data(client.get(url))
    data["summary"] = "An edit of the program only"
    assert client.post(url, data).status_code == 302
    version = statement.version
    statement.refresh_from_db()
    assert statement.version == version


# Issue 17 item 10: a revert keeps the deletion state unless the user may restore; versions grow.

def _revert(client, event, version_number):
    old = event.history.filter(version=version_number).order_by("history_date").first()
    url = f"/admin/timeline/event/{event.pk}/history/{old.history_id}/"
    return client.post(url, change_form_data(client.get(url)))


def _deleted_event_with_versions(editor):
    event = Event.objects.get(slug="anzalduas-vehicle-face-test-results")
    for title in ("Second title", "Third title"):
        event.title = title
        event._history_user = editor
        event.save()
    event.soft_delete(reason="Deleted in the admin")
    event.refresh_from_db()
    return event


def test_a_curator_reverting_a_deleted_record_leaves_it_deleted_and_numbers_it_after_the_current_version(
        client, seed, curator, editor):
    event = _deleted_event_with_versions(editor)
    deleted_version = event.version
    client.force_login(curator)
    response = _revert(client, event, 2)
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.deleted_at is not None
    assert event.title == "Second title"
    assert event.version == deleted_version + 1
    latest = event.history.latest()
    assert latest.history_change_reason == "Reverted to version 2"
    assert latest.history_user == curator


def test_an_editor_reverting_a_deleted_record_restores_it_with_a_reason(client, seed, editor):
    event = _deleted_event_with_versions(editor)
    deleted_version = event.version
    client.force_login(editor)
    assert _revert(client, event, 2).status_code == 302
    event.refresh_from_db()
    assert event.deleted_at is None and event.version == deleted_version + 1
    assert event.history.latest().history_change_reason == "Reverted to version 2, restored"


def test_a_client_holding_an_old_version_number_fails_the_check_after_a_revert(client, seed, curator, editor):
    event = _deleted_event_with_versions(editor)
    client.force_login(curator)
    _revert(client, event, 1)  # used to be saved as version 2 again
    event.refresh_from_db()
    with pytest.raises(VersionConflict):
        with transaction.atomic():
            check_version(event, 2)


def test_the_shared_helper_refuses_a_stale_version_and_saves_a_current_one(seed):
    event = Event.objects.first()
    loaded = event.version
    event.title = "First"
    assert save_if_current(event, loaded) == loaded + 1

    stale = Event.objects.get(pk=event.pk)
    stale.title = "Second"
    with pytest.raises(VersionConflict) as conflict:
        save_if_current(stale, loaded)
    assert conflict.value.status_code == 409
    assert conflict.value.current == loaded + 1
    assert Event.objects.get(pk=event.pk).title == "First"

    with pytest.raises(VersionConflict):
        with transaction.atomic():
            check_version(event, "not a number")
