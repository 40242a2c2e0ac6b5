"""Syncing Federal Register documents from recorded responses served on 127.0.0.1."""
import pytest
from django.core.management import call_command

from records.federal_register import RegisterQuery, sync_federal_register
from records.models import RegisterDocument, RegisterWatch
from tests.records.recorded_api import recorded_documents
from timeline.models import Event, Source


@pytest.fixture
def register_watch(db):
    return RegisterWatch.objects.create(name="ICE notices", agencies="u-s-immigration-and-customs-enforcement",
                                        terms="TEST")


def test_each_new_document_becomes_a_source_and_a_draft_event_scored_against_programs(seed, recorded_api,
                                                                                      register_watch, settings):
    settings.RECORDS_PAGE_SIZE = 2
    recorded_api.documents = recorded_documents()
    result = sync_federal_register([RegisterQuery(("u-s-immigration-and-customs-enforcement",), "TEST")],
                                   watch=register_watch)
    assert (result.outcome, result.pages, result.created) == ("ok", 2, 3), result
    doc = RegisterDocument.objects.get(document_number="TEST-2025-00001")
    assert doc.source.kind == Source.Kind.GOVERNMENT and doc.source.url.endswith("privacy-act-of-1974-system-of-records")
    assert str(doc.source.published) == "2025-05-01" and "TEST-2025-00001" in doc.source.notes
    assert doc.program_scores["immigrationos"] == 1.0
    assert (doc.event.kind, doc.event.state) == ("document", "draft")
    assert list(doc.event.programs.values_list("slug", flat=True)) == ["immigrationos"]
    assert "ice" in doc.event.agencies.values_list("slug", flat=True)
    unrelated = RegisterDocument.objects.get(document_number="TEST-2025-00003")
    assert not unrelated.event.programs.exists()
    register_watch.refresh_from_db()
    assert register_watch.health == "ok" and register_watch.published_since is not None


def test_a_rerun_stores_nothing_twice(seed, recorded_api, register_watch):
    recorded_api.documents = recorded_documents()
    sync_federal_register([RegisterQuery(term="TEST")], watch=register_watch)
    counts = (Source.objects.count(), Event.objects.count(), RegisterDocument.objects.count())
    again = sync_federal_register([RegisterQuery(term="TEST")], watch=register_watch)
    assert again.created == 0 and again.seen == 3
    assert counts == (Source.objects.count(), Event.objects.count(), RegisterDocument.objects.count())


@pytest.mark.parametrize("fault, expected", [
    (dict(status=500), "HTTP 500"),
    (dict(status=200, body=b"<!DOCTYPE html><p>maintenance</p>", content_type="text/html"), "HTML page"),
    (dict(status=200, body=b'{"count": 3, "results": [{"title"'), "truncated JSON"),
])
def test_a_bad_response_is_recorded_on_the_watch(seed, recorded_api, register_watch, settings, fault, expected):
    settings.RECORDS_FETCH_ATTEMPTS = 1
    recorded_api.documents = recorded_documents()
    recorded_api.fault("/api/v1/documents.json", **fault)
    result = sync_federal_register([RegisterQuery(term="TEST")], watch=register_watch)
    register_watch.refresh_from_db()
    assert result.outcome == "failed" and expected in register_watch.last_error
    assert not RegisterDocument.objects.exists()


def test_a_document_with_a_bad_date_is_skipped_and_named(seed, recorded_api, register_watch):
    docs = recorded_documents()
    docs[0]["publication_date"] = "May 1, 2025"
    recorded_api.documents = docs
    result = sync_federal_register([RegisterQuery(term="TEST")], watch=register_watch)
    register_watch.refresh_from_db()
    assert result.created == 2 and "TEST-2025-00001" in register_watch.last_warning


def test_a_next_page_url_leaving_the_api_is_refused(seed, recorded_api, register_watch):
    recorded_api.fault("/api/v1/documents.json", body={"results": [], "next_page_url": "http://169.254.169.254/x"})
    result = sync_federal_register([RegisterQuery(term="TEST")], watch=register_watch)
    assert result.outcome == "failed" and "leaves" in result.error


def test_the_command_runs_a_one_off_search(seed, recorded_api, capsys):
    recorded_api.documents = recorded_documents()
    call_command("sync_federal_register", "--agency", "u-s-immigration-and-customs-enforcement", "--term", "TEST")
    assert "3 new" in capsys.readouterr().out
    assert not RegisterWatch.objects.exists()
