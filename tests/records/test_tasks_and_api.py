"""Beat's scan of due watches, the admin's watch list and the records API."""
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from records.awards import sync_awards
from records.models import AwardWatch, RegisterWatch
from records.tasks import queue_due_watches
from records.usaspending import AwardQuery
from tests.records.recorded_api import recorded_awards


def test_beat_syncs_the_due_watches_and_moves_their_next_sync_on(seed, recorded_api,
                                                                django_capture_on_commit_callbacks):
    recorded_api.add_awards(recorded_awards()[1:])
    due = AwardWatch.objects.create(name="due", awarding_agency="Department of Homeland Security", recipient="Palantir")
    later = AwardWatch.objects.create(name="later", awarding_agency="x", recipient="y",
                                      next_sync_at=timezone.now() + timedelta(hours=1))
    paused = RegisterWatch.objects.create(name="paused", terms="TEST", enabled=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert queue_due_watches() == 1  # eager: the sync runs in-process once the scan commits
    due.refresh_from_db()
    assert due.health == "ok" and "1 new" in due.last_summary
    assert due.next_sync_at > timezone.now() + timedelta(hours=23)
    assert AwardWatch.objects.get(pk=later.pk).last_synced_at is None
    assert RegisterWatch.objects.get(pk=paused.pk).health == "paused"


def test_watch_health_is_for_staff_only(db, client, admin_client):
    AwardWatch.objects.create(name="w", awarding_agency="a", recipient="r", last_error="HTTP 500")
    assert client.get("/api/v1/records/award-watches/").status_code in (401, 403)
    body = admin_client.get("/api/v1/records/award-watches/").json()
    assert body[0]["health"] == "erroring" and body[0]["last_error"] == "HTTP 500"


def test_the_awards_list_shows_ids_and_figures_in_a_fixed_number_of_queries(seed, recorded_api, client):
    recorded_api.add_awards(recorded_awards()[1:])
    sync_awards(AwardQuery("U.S. Department of Homeland Security", "Palantir",
                           "U.S. Immigration and Customs Enforcement"))
    with CaptureQueriesContext(connection) as queries:
        body = client.get("/api/v1/records/awards/").json()
    # One query: the awards with their contracts (the anonymous throttle uses the cache).
    assert len(queries) == 1, [q["sql"] for q in queries]
    assert body == [{
        "generated_award_id": "CONT_AWD_TEST0002_7012_-NONE-_-NONE-", "piid": "TEST0002",
        "contract": body[0]["contract"],
        "usaspending_url": "https://www.usaspending.gov/award/CONT_AWD_TEST0002_7012_-NONE-_-NONE-",
        "last_modified": "2024-10-01 08:30:00",
        "figures": {"value": "1250000.50", "current-total-value": "1500000", "potential-total-value": "4000000"},
        "match_status": "created"}]


def test_the_admin_lists_watches_and_proposed_matches(seed, recorded_api, admin_client):
    AwardWatch.objects.create(name="ICE / Palantir", awarding_agency="Department of Homeland Security",
                              recipient="Palantir")
    recorded_api.add_awards(recorded_awards()[:1])
    sync_awards(AwardQuery("Department of Homeland Security", "Palantir", "U.S. Immigration and Customs Enforcement"))
    assert "ICE / Palantir" in admin_client.get("/admin/records/awardwatch/").content.decode()
    page = admin_client.get("/admin/records/awardrecord/?match_status__exact=proposed").content.decode()
    assert "TEST0001" in page and "names the program" in page


def test_the_timeline_filters_to_contract_events(seed, recorded_api, client):
    from timeline.models import Event

    recorded_api.add_awards(recorded_awards()[1:])
    sync_awards(AwardQuery("Department of Homeland Security", "Palantir", "U.S. Immigration and Customs Enforcement"))
    event = Event.objects.get(kind="contract", contract__generated_award_id__contains="TEST0002")
    event.state = "published"
    event.save()
    other = Event.objects.published().exclude(kind="contract").first()
    page = client.get("/timeline/?kind=contract").content.decode()
    assert event.title in page and other.title not in page


@pytest.mark.parametrize("path", ["/api/v1/records/award-watches/", "/api/v1/records/register-watches/"])
def test_the_watch_lists_take_a_fixed_number_of_queries(db, admin_user, client, path):
    for n in range(3):
        AwardWatch.objects.create(name=f"a{n}", awarding_agency="a", recipient="r")
        RegisterWatch.objects.create(name=f"r{n}", terms="t")
    client.force_login(admin_user)
    with CaptureQueriesContext(connection) as queries:
        body = client.get(path).json()
    # Three queries: the session, its user, then the watches (however many).
    assert len(body) == 3 and len(queries) == 3, [q["sql"] for q in queries]
