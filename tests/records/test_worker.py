"""A full sync by a real Celery worker and beat against the local API stand-in (.ci/run).

Run with PostgreSQL and a Redis broker (CELERY_BROKER_URL); skipped otherwise. The worker is a
subprocess on the test's own database, so the data is committed (transactional_db).
"""
import copy

import pytest

from records.models import AwardRecord, AwardWatch, RegisterDocument, RegisterWatch
from records.tasks import sync_award_watch_task
from tests.records.recorded_api import RecordedAPI, recorded_awards, recorded_documents
from tests.sources.test_worker import wait_for, workers  # noqa: F401 - the fixture
from timeline.models import Contract, Event

pytestmark = [pytest.mark.worker, pytest.mark.slow]


def many_awards(n):
    out = []
    for i in range(n):
        award = copy.deepcopy(recorded_awards()[1])
        award["generated_unique_award_id"] = f"CONT_AWD_TESTW{i:04d}_7012_-NONE-_-NONE-"
        award["piid"] = f"TESTW{i:04d}"
        award["period_of_performance"]["last_modified_date"] = f"2025-02-{1 + i % 28:02d} 12:00:00"
        out.append(award)
    return out


def test_beat_and_a_worker_run_a_full_sync_of_both_sources(workers, tmp_path, seed_committed):  # noqa: F811
    with RecordedAPI() as api:
        api.add_awards(recorded_awards() + many_awards(250))
        api.documents = recorded_documents()
        awards = AwardWatch.objects.create(name="ICE / Palantir", awarding_agency="Department of Homeland Security",
                                           awarding_subagency="U.S. Immigration and Customs Enforcement",
                                           recipient="Palantir")
        RegisterWatch.objects.create(name="ICE notices", terms="TEST")
        worker = workers(tmp_path, beat=True, RECORDS_QUEUE_INTERVAL="1", USASPENDING_API_URL=api.url,
                         FEDERAL_REGISTER_API_URL=api.url, RECORDS_PAGE_SIZE="100")
        wait_for(lambda: AwardRecord.objects.count() == 252 and RegisterDocument.objects.count() == 3, 120, worker,
                 "252 awards and 3 documents")
        awards.refresh_from_db()
        wait_for(lambda: AwardWatch.objects.get(pk=awards.pk).health == "ok", 30, worker, "the watch's health")
        assert api.requests["search"] == 3 and api.requests["award"] == 252
        assert Contract.objects.filter(generated_award_id__startswith="CONT_AWD_TESTW").count() == 250
        assert AwardRecord.objects.get(piid="TEST0001").match_status == "proposed"
        # Queued again by hand: nothing new is fetched or stored.
        events = Event.objects.count()
        sync_award_watch_task.delay(awards.pk, force=True)
        wait_for(lambda: api.requests["search"] >= 4, 60, worker, "a second run")
        wait_for(lambda: "252 unchanged" in AwardWatch.objects.get(pk=awards.pk).last_summary
                 or "0 new" in AwardWatch.objects.get(pk=awards.pk).last_summary, 60, worker, "its summary")
        assert api.requests["award"] == 252 and Event.objects.count() == events


@pytest.fixture
def seed_committed(transactional_db):
    from django.core.management import call_command

    call_command("loaddata", "seed_timeline", verbosity=0)
