"""The process's matcher follows curators' event edits without rebuilding its whole index."""
import datetime

import pytest

from sources.linking import current_matcher, forget_matcher
from timeline.models import Event, Program, State


@pytest.fixture
def matcher(seed):
    forget_matcher()
    yield current_matcher()
    forget_matcher()


def indexed_title(matcher, event):
    return matcher.index.events[event.pk].doc.title


def test_an_edited_event_is_reindexed_in_place(matcher):
    event = Event.objects.get(slug="anzalduas-vehicle-face-test-results")
    event.title = "Anzalduas bridge trial of vehicle face capture"
    event.save()
    refreshed = current_matcher()
    assert refreshed is matcher
    assert indexed_title(refreshed, event) == "Anzalduas bridge trial of vehicle face capture"


def test_a_new_event_is_added_and_a_soft_deleted_one_removed(matcher):
    new = Event.objects.create(slug="new-event", title="CBP expands biometric exit to seaports",
                               date=datetime.date(2025, 6, 1), date_precision="month", state=State.PUBLISHED)
    gone = Event.objects.get(slug="vermont-airtag-vehicle-tracking-2024")
    gone.deleted_at = gone.modified_at
    gone.save()
    refreshed = current_matcher()
    assert refreshed is matcher
    assert new.pk in refreshed.index.events
    assert gone.pk not in refreshed.index.events


def test_a_hard_deleted_event_forces_a_full_rebuild(matcher):
    doomed = Event.objects.get(slug="vermont-airtag-vehicle-tracking-2024")
    doomed_pk = doomed.pk
    doomed.delete()
    rebuilt = current_matcher()
    assert rebuilt is not matcher
    assert doomed_pk not in rebuilt.index.events


def test_a_program_change_rebuilds_the_gazetteer(matcher):
    program = Program.objects.get(slug="immigrationos")
    program.aliases += "\nICE case management suite"
    program.save()
    rebuilt = current_matcher()
    assert rebuilt is not matcher


def test_an_unchanged_timeline_returns_the_same_matcher(matcher):
    assert current_matcher() is matcher
