"""Every list endpoint runs a fixed number of queries, whether a page holds 10 rows or 100."""
import datetime

import pytest
from django.contrib.contenttypes.models import ContentType

from sources.models import Feed, LinkStatus, Report, ReportEventLink
from timeline.models import (
    Agency, Citation, Claim, Contract, Event, LifecycleTransition, Organization, Person, Program, Source, Statement,
)

pytestmark = pytest.mark.django_db

N = 110


def build_many(n=N):
    """Create n published records of every resource, each linked and cited (bulk inserts)."""
    kw = {"state": "published"}
    sources = Source.objects.bulk_create([Source(url=f"https://example.org/s/{i}", outlet="Outlet", **kw) for i in range(n)])
    agencies = Agency.objects.bulk_create([Agency(slug=f"agency-{i}", name=f"Agency {i}", **kw) for i in range(n)])
    orgs = Organization.objects.bulk_create([Organization(slug=f"org-{i}", name=f"Org {i}", **kw) for i in range(n)])
    people = Person.objects.bulk_create(
        [Person(slug=f"person-{i}", name=f"Person {i}", agency=agencies[i], **kw) for i in range(n)])
    programs = Program.objects.bulk_create([Program(slug=f"program-{i}", name=f"Program {i}", **kw) for i in range(n)])
    contracts = Contract.objects.bulk_create([
        Contract(slug=f"contract-{i}", title=f"Contract {i}", agency=agencies[i], vendor=orgs[i], program=programs[i],
                 announced=datetime.date(2025, 1, 1) + datetime.timedelta(days=i), **kw) for i in range(n)])
    day = datetime.date(2025, 1, 1)
    events = Event.objects.bulk_create([
        Event(slug=f"event-{i}", title=f"Event {i}", date=day + datetime.timedelta(days=i),
              date_end=day + datetime.timedelta(days=i), contract=contracts[i], **kw) for i in range(n)])
    statements = Statement.objects.bulk_create([
        Statement(slug=f"statement-{i}", quote="Quote", speaker=people[i], agency=agencies[i], event=events[i],
                  program=programs[i], date=day, date_end=day, **kw) for i in range(n)])
    LifecycleTransition.objects.bulk_create([
        LifecycleTransition(program=p, status="announced", date=day, date_end=day, event=events[i], **kw)
        for i, p in enumerate(programs)])
    for name, model_objs in (("programs", programs), ("agencies", agencies), ("organizations", orgs), ("people", people)):
        through = Event._meta.get_field(name).remote_field.through
        target = Event._meta.get_field(name).m2m_reverse_field_name()
        through.objects.bulk_create([through(event_id=e.pk, **{f"{target}_id": model_objs[i].pk}) for i, e in enumerate(events)])
    Program.agencies.through.objects.bulk_create(
        [Program.agencies.through(program_id=p.pk, agency_id=agencies[i].pk) for i, p in enumerate(programs)])
    citations = []
    for model, objs in ((Event, events), (Program, programs), (Agency, agencies), (Organization, orgs),
                        (Person, people), (Contract, contracts), (Statement, statements)):
        ct = ContentType.objects.get_for_model(model)
        citations += [Citation(source=sources[i], content_type=ct, object_id=o.pk) for i, o in enumerate(objs)]
    Citation.objects.bulk_create(citations)
    # Claims interleave their subjects' kinds, so every page of three or more rows has all three.
    kinds = [(ContentType.objects.get_for_model(m), objs) for m, objs in ((Event, events), (Contract, contracts),
                                                                          (Program, programs))]
    Claim.objects.bulk_create([
        Claim(content_type=ct, object_id=objs[i].pk, fact="value", value=str(i), source=sources[i], **kw)
        for i in range(n) for ct, objs in kinds])


# Queries per list request built live (anonymous; throttling and the response cache use the
# cache, not the database): 1 the page's rows (related slugs joined in), 2 one UNION ALL of the
# citations (with their sources) and the links of every many-to-many field; programs add 3 the
# lifecycle and 4 its citations; claims have no links or citation table but resolve subjects: one
# query per kind of subject on the page (here events, contracts and programs: 3 queries).
LIST_QUERIES = {
    "events": 2,
    "programs": 4,
    "agencies": 2,  # rows, citations (no many-to-many)
    "organizations": 2,
    "people": 2,
    "contracts": 2,
    "statements": 2,  # rows (speaker, agency, event, program joined), citations
    "sources": 1,  # rows only: sources are the citations
    "claims": 4,  # rows (conflicts annotated by a subquery, source joined), 3 subject kinds
}


@pytest.mark.parametrize("name,queries", sorted(LIST_QUERIES.items()))
def test_a_list_runs_the_same_queries_for_10_or_100_rows(api, django_assert_num_queries, name, queries):
    build_many()
    for size in (10, 100):
        url = f"/api/v1/{name}/?page_size={size}"
        with django_assert_num_queries(queries):
            response = api.get(url)
        assert response.status_code == 200
        assert len(response.json()["results"]) == size


@pytest.mark.parametrize("name", sorted(LIST_QUERIES) + ["reports"])
def test_a_list_read_again_comes_from_the_response_cache_without_queries(api, django_assert_num_queries, name):
    build_many(3)
    first = api.get(f"/api/v1/{name}/?page_size=2")
    with django_assert_num_queries(0):
        again = api.get(f"/api/v1/{name}/?page_size=2")
    assert again.content == first.content and again["ETag"] == first["ETag"]


def test_the_reports_list_runs_two_queries_however_many_reports(api, django_assert_num_queries):
    build_many(3)
    when = datetime.datetime(2025, 5, 9, tzinfo=datetime.timezone.utc)
    feed = Feed.objects.create(url="https://news.example/feed.xml", title="News Example")
    reports = Report.objects.bulk_create([
        Report(feed=feed, key=f"key-{i}", url=f"https://news.example/{i}", title=f"Report {i}", published=when,
               fetched_at=when, content_hash=f"hash-{i}") for i in range(30)])
    events = list(Event.objects.all())
    ReportEventLink.objects.bulk_create([
        ReportEventLink(report=r, event=events[i % 3], score=0.9, status=LinkStatus.ATTACHED)
        for i, r in enumerate(reports)])
    # 1 the reports (a standing link to a published event as a subquery), 2 their event links
    for size in (5, 25):
        with django_assert_num_queries(2):
            response = api.get(f"/api/v1/reports/?page_size={size}")
        assert len(response.json()["results"]) == size


def test_the_timeline_export_runs_two_queries_however_many_events(api, django_assert_num_queries):
    build_many()
    # 1 the events, 2 their citations and links (one UNION ALL); then 0 from the response cache
    with django_assert_num_queries(2):
        response = api.get("/api/v1/timeline.json")
    assert len(response.json()["events"]) == N
    with django_assert_num_queries(0):
        assert api.get("/api/v1/timeline.json").content == response.content
