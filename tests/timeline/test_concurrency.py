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
