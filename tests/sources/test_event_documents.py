"""Events' matching documents follow every change to what an event shows, in the same
transaction, and the database's full-text index finds events by them."""
import datetime

import pytest

from sources.event_documents import rebuild_event_documents, refreshing_once
from sources.matching.text import terms
from sources.models import EventMatchDocument, MatchTerm
from sources.retrieval import events_holding
from timeline.models import Citation, Event, Program, Source, Statement

DAY = datetime.date(2025, 5, 9)


def counts():
    return dict(MatchTerm.objects.filter(events__gt=0).values_list("term", "events"))


def make_event(slug="geo-renewal", title="ICE renews GEO Group detention contract", **fields):
    return Event.objects.create(slug=slug, title=title, date=DAY, **fields)


def test_a_new_event_is_found_by_its_terms_as_soon_as_it_is_saved(db):
    event = make_event()
    [stem] = terms("detention")
    assert events_holding([stem]) == {event.pk: {stem}}
    assert events_holding(["ICE"]) == {event.pk: {"ICE"}} and events_holding(["ice"]) == {}


def test_an_edited_title_replaces_the_old_terms(db):
    event = make_event()
    event.title = "Palantir builds ImmigrationOS"
    event.save()
    assert events_holding(terms("detention")) == {}
    assert set(events_holding(terms("Palantir"))) == {event.pk}


def test_programs_and_agencies_added_to_an_event_are_in_its_document(db):
    event = make_event()
    program = Program.objects.create(slug="immigrationos", name="ImmigrationOS", summary="Case management.")
    event.programs.add(program)
    document = EventMatchDocument.objects.get(event=event)
    assert f"program:{program.pk}" in document.entities and document.program_terms
    assert set(events_holding([f"program:{program.pk}"])) == {event.pk}
    program.aliases = "Lifecycle operating system"
    program.save()
    assert "lifecycl" in EventMatchDocument.objects.get(event=event).program_terms
    event.programs.remove(program)
    assert EventMatchDocument.objects.get(event=event).entities == []


def test_cited_headlines_and_statements_count_as_coverage(db, django_user_model):
    from django.contrib.contenttypes.models import ContentType

    event = make_event()
    source = Source.objects.create(headline="Border agency photographs departing cars")
    citation = Citation.objects.create(source=source, content_type=ContentType.objects.get_for_model(Event),
                                       object_id=event.pk)
    [photo], [drone] = terms("photographs"), terms("drones")
    assert photo in EventMatchDocument.objects.get(event=event).coverage_terms
    source.headline = "Drones over the river"
    source.save()
    coverage = EventMatchDocument.objects.get(event=event).coverage_terms
    assert drone in coverage and photo not in coverage
    Statement.objects.create(slug="a-quote", quote="We photograph every car.", event=event, date=DAY,
                             speaker=make_speaker())
    assert photo in EventMatchDocument.objects.get(event=event).coverage_terms
    citation.delete()
    assert drone not in EventMatchDocument.objects.get(event=event).coverage_terms


def make_speaker():
    from timeline.models import Person

    return Person.objects.create(slug="a-speaker", name="A Speaker")


def test_a_deleted_event_is_no_longer_found_and_its_terms_stop_counting(db):
    before = counts()
    kept = make_event("kept", "Detention contract renewed")
    gone = make_event()
    gone.soft_delete()
    assert not EventMatchDocument.objects.filter(event=gone).exists()
    assert set(events_holding(terms("detention"))) == {kept.pk}
    gone.restore()
    assert set(events_holding(terms("detention"))) == {kept.pk, gone.pk}
    Event.objects.filter(pk=gone.pk).delete()
    kept.delete()
    assert counts() == before


def test_the_counts_kept_along_the_way_equal_a_rebuild_from_scratch(seed):
    event = Event.objects.get(slug="ice-palantir-immigrationos-contract")
    event.summary = "A new summary about detention and drones."
    event.save()
    event.agencies.clear()
    make_event()
    kept = counts()
    documents = list(EventMatchDocument.objects.order_by("pk").values_list("pk", "document"))
    assert rebuild_event_documents() == Event.objects.alive().count()
    assert counts() == kept
    assert list(EventMatchDocument.objects.order_by("pk").values_list("pk", "document")) == documents


def test_the_rebuild_command_brings_documents_changed_behind_matchings_back_in_line(seed):
    import io

    from django.core.management import call_command

    event = Event.objects.get(slug="ice-palantir-immigrationos-contract")
    Event.objects.filter(pk=event.pk).update(title="Drones over the river")  # no signal
    [drone] = terms("drones")
    assert events_holding([drone]) == {}
    out = io.StringIO()
    call_command("rebuild_match_documents", stdout=out)
    assert out.getvalue().strip() == f"matching documents rebuilt for {Event.objects.alive().count()} events"
    assert set(events_holding([drone])) == {event.pk}


def test_an_event_deleted_outright_with_its_citations_leaves_no_document(db):
    from django.contrib.contenttypes.models import ContentType

    before = counts()
    event = make_event()
    source = Source.objects.create(headline="Drones over the river")
    Citation.objects.create(source=source, content_type=ContentType.objects.get_for_model(Event), object_id=event.pk)
    event.delete()
    assert not EventMatchDocument.objects.exists()
    assert counts() == before


def document_rows():
    return list(EventMatchDocument.objects.order_by("event_id").values_list(
        "event_id", "document", "event_terms", "program_terms", "coverage_terms", "entities"))


def test_changes_made_in_a_refreshing_once_block_leave_the_documents_a_change_at_a_time_would(db):
    from django.core.management import call_command

    with refreshing_once():
        call_command("loaddata", "seed_timeline", verbosity=0)
        assert not EventMatchDocument.objects.exists()  # nothing yet: the block's end builds them
    batched, batched_counts = document_rows(), counts()
    assert len(batched) == Event.objects.alive().count()
    assert rebuild_event_documents() == len(batched)
    assert document_rows() == batched and counts() == batched_counts


def test_a_refreshing_once_block_that_fails_refreshes_nothing(db):
    with pytest.raises(RuntimeError):
        with refreshing_once():
            with refreshing_once():  # nested: the outer block's end would refresh
                make_event()
            raise RuntimeError("the transaction rolls back")
    assert not EventMatchDocument.objects.exists()
    make_event(slug="after")  # and later changes refresh at once again
    assert EventMatchDocument.objects.count() == 1
