"""Public pages: server-rendered, no JavaScript, published records only.

Every page is cached whole (timeline.page_cache) and does a fixed number of queries whatever
the number of events: lists are paginated or capped, related records are prefetched.
"""
import datetime

from django.conf import settings
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import Count, Prefetch, Q
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.urls import reverse

from timeline import bulk_data
from timeline import search as site_search
from timeline import versions
from timeline.browse import TimelineFilterForm, event_list, group_by_year_and_month, ordered, published_programs
from timeline.chart import events_chart
from timeline.coverage import (
    conflicts_from_claims, coverage_items, fold_copies, item_from_source, reports_on_events, unique_sources,
)
from timeline.gone import get_public_or_gone
from timeline.models import (
    Agency, Citation, Claim, Contract, Event, LifecycleTransition, Organization, Person, Program,
    Source, Statement,
)
from timeline.page_cache import cache_public_page
from timeline.site import absolute_url, site_url
from timeline.values import label_claim_values

TIMELINE_PAGE_SIZE = 50
RELATED_EVENTS_SHOWN = 25
HOME_EVENTS_SHOWN = 10
COVERAGE_SHOWN = 50  # independent sources listed; all of them are counted


# -- querysets shared by the pages -------------------------------------------------------------

def citations_for(model_name, object_ids):
    """Citations of published sources for records of one model, sources joined (one query)."""
    return (
        Citation.objects.filter(
            content_type__app_label="timeline", content_type__model=model_name, object_id__in=object_ids,
            source__state="published", source__deleted_at__isnull=True,
        )
        .select_related("source")
        .order_by("source__published", "source_id")
    )


def claims_for(subject_filter):
    """Published claims (with conflicts annotated) matching a Q over content_type/object_id."""
    return (
        Claim.objects.published().with_conflicts().filter(subject_filter)
        .filter(source__state="published", source__deleted_at__isnull=True)
        .select_related("source", "content_type")
        .order_by("fact", "value", "id")
    )


def cited_sources(model_name, object_ids):
    """A subquery of the ids of sources cited for some records of one model."""
    return Citation.objects.filter(
        content_type__app_label="timeline", content_type__model=model_name, object_id__in=object_ids,
    ).values("source_id")


def about(model_name, object_ids):
    """A Q for claims about some records of one model (ids: a list or a values() subquery)."""
    return Q(content_type__app_label="timeline", content_type__model=model_name, object_id__in=object_ids)


def sources_context(record, model_name, extra_subjects=()):
    """The sources block of a detail page: cited sources and conflicting claims (two queries)."""
    citations = list(citations_for(model_name, [record.pk]))
    subjects = {(model_name, record.pk): record, **dict(extra_subjects)}
    claims = label_claim_values(claims_for(about(model_name, [record.pk])))
    return {
        "sources": unique_sources(citations),
        "citations": citations,
        "claims": [c for c in claims if not c.in_conflict],
        "conflicts": conflicts_from_claims(claims, subjects),
    }


def coverage_context(items):
    """The coverage block: independent items with their copies folded under them."""
    coverage = fold_copies(items)
    return {
        "coverage": coverage[:COVERAGE_SHOWN],
        "coverage_total": len(coverage),
        "coverage_copies": sum(len(item.copies) for item in coverage),
    }


def cite_context(request, record, title, version=None):
    """The "Cite this page" block: it cites the versioned address of the version shown (the
    current one on a record page), so what a citation points to never changes."""
    versioned = versions.KIND_FOR_MODEL.get(type(record))
    number = version.number if version is not None else getattr(record, "version", None)
    key = versions.record_key(versioned, record) if versioned else None
    return {
        "cite": {
            "title": title,
            "url": absolute_url(request, versioned.version_url(key, number) if versioned and number else request.path),
            "permanent_url": absolute_url(request, versioned.record_url(key) if versioned else request.path),
            # A record page's canonical address is its permanent one; a version page's, its own.
            "canonical_url": absolute_url(
                request, versioned.version_url(key, number) if version is not None else
                (versioned.record_url(key) if versioned else request.path)),
            "versions_url": versioned.versions_url(key) if versioned else None,
            "version": number,
            "modified": version.date if version is not None else getattr(record, "modified_at", None),
            "license": settings.DATA_LICENSE,
        }
    }


def page_of(request, queryset, size):
    """Return one page of a queryset; a page number that is not one is a 404 that says so."""
    paginator = Paginator(queryset, size)
    try:
        return paginator.page(request.GET.get("page") or 1)
    except PageNotAnInteger:
        raise Http404("The page number must be a whole number such as 2.")
    except EmptyPage:
        raise Http404(f"There is no such page: the last page is {paginator.num_pages}.")


# -- pages --------------------------------------------------------------------------------------

@cache_public_page
def home(request):
    events = event_list(ordered(Event.objects.published()))[:HOME_EVENTS_SHOWN]
    programs = published_programs().annotate(
        event_count=Count("events", filter=Q(events__state="published", events__deleted_at__isnull=True))
    )
    return render(request, "timeline/home.html", {
        "events": events, "programs": programs, "search_form": site_search.SearchForm(),
    })


@cache_public_page
def timeline(request):
    form = TimelineFilterForm(request.GET or None)
    status = 200
    events = Event.objects.published()
    if form.is_bound and not form.is_valid():
        status = 400
        events = events.none()
    elif form.is_bound:
        events = form.filter(events)
    oldest_first = form.is_bound and form.is_valid() and form.cleaned_data.get("order") == "oldest"
    page = page_of(request, event_list(ordered(events, oldest_first)), TIMELINE_PAGE_SIZE)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "timeline/timeline.html", {
        "form": form,
        "page": page,
        "years": group_by_year_and_month(page.object_list),
        "chart": events_chart(events) if status == 200 else None,
        "query": query.urlencode(),
        "filtered": form.is_bound and form.is_valid() and form.is_filtered(),
        "api_query": form.api_query() if status == 200 else None,
    }, status=status)


@cache_public_page
def event_detail(request, slug):
    event = get_public_or_gone(
        Event.objects.all().prefetch_related(
            Prefetch("programs", queryset=published_programs(), to_attr="public_programs"),
            Prefetch("agencies", queryset=Agency.objects.published(), to_attr="public_agencies"),
            Prefetch("organizations", queryset=Organization.objects.published(), to_attr="public_organizations"),
            Prefetch("people", queryset=Person.objects.published(), to_attr="public_people"),
            Prefetch("statements", queryset=Statement.objects.published().select_related("speaker"),
                     to_attr="public_statements"),
        ).select_related("contract"),
        slug=slug,
    )
    context = {"event": event, "contract": event.contract if event.contract and event.contract.is_public else None}
    context.update(sources_context(event, "event"))
    supports = {c.source_id: c.note for c in context["citations"] if c.note}
    context.update(coverage_context(coverage_items(context["sources"], reports_on_events([event.pk]), supports)))
    context.update(cite_context(request, event, event.title))
    return render(request, "timeline/event.html", context)


@cache_public_page
def program_detail(request, slug):
    program = get_public_or_gone(
        Program.objects.all().prefetch_related(
            Prefetch("agencies", queryset=Agency.objects.published(), to_attr="public_agencies"),
            Prefetch("vendors", queryset=Organization.objects.published(), to_attr="public_vendors"),
            Prefetch("lifecycle", queryset=LifecycleTransition.objects.published().select_related("event"),
                     to_attr="public_lifecycle"),
            Prefetch("contracts", queryset=Contract.objects.published().select_related("vendor"),
                     to_attr="public_contracts"),
            Prefetch("statements", queryset=Statement.objects.published().select_related("speaker"),
                     to_attr="public_statements"),
        ),
        slug=slug,
    )
    lifecycle = sorted(program.public_lifecycle, key=LifecycleTransition.order_key)
    events_qs = Event.objects.published().filter(programs=program)
    event_ids = events_qs.values("pk")
    events = list(event_list(ordered(events_qs))[:RELATED_EVENTS_SHOWN])
    event_total = events_qs.count()

    # Coverage: every source cited for the program, its events or its contracts, each counted
    # once. Distinct sources straight from index-backed subqueries, not thousands of citations.
    contract_ids = [c.pk for c in program.public_contracts]
    sources = list(
        Source.objects.published()
        .filter(Q(pk__in=cited_sources("program", [program.pk])) | Q(pk__in=cited_sources("event", event_ids))
                | Q(pk__in=cited_sources("contract", contract_ids)))
        .order_by("published", "id")
    )

    # Conflicts about the program, its events and its contracts, with the records they are about.
    claims = label_claim_values(claims_for(
        about("program", [program.pk]) | about("event", event_ids) | about("contract", contract_ids)
    ))
    wanted = {c.object_id for c in claims if c.content_type.model == "event" and c.in_conflict}
    subjects = {("program", program.pk): program}
    subjects.update({("contract", c.pk): c for c in program.public_contracts})
    subjects.update({("event", e.pk): e for e in Event.objects.published().filter(pk__in=wanted).only("slug", "title")})
    return render(request, "timeline/program.html", {
        "program": program,
        "lifecycle": lifecycle,
        "events": events,
        "event_total": event_total,
        "sources": sources,
        **coverage_context(coverage_items(sources, reports_on_events(event_ids))),
        "conflicts": conflicts_from_claims(claims, subjects),
        "program_claims": [c for c in claims if c.content_type.model == "program" and not c.in_conflict],
        **cite_context(request, program, program.name),
    })


@cache_public_page
def agency_detail(request, slug):
    agency = get_public_or_gone(
        Agency.objects.all().select_related("parent").prefetch_related(
            Prefetch("children", queryset=Agency.objects.published(), to_attr="public_children"),
            Prefetch("programs", queryset=published_programs(), to_attr="public_programs"),
            Prefetch("people", queryset=Person.objects.published(), to_attr="public_people"),
            Prefetch("contracts", queryset=Contract.objects.published().select_related("vendor"),
                     to_attr="public_contracts"),
        ),
        slug=slug,
    )
    tagged = Event.agencies.through.objects.filter(agency_id__in=agency.descendant_ids())
    events_qs = Event.objects.published().filter(pk__in=tagged.values("event_id"))
    context = {
        "agency": agency,
        "parent": agency.parent if agency.parent and agency.parent.is_public else None,
        "events": event_list(ordered(events_qs))[:RELATED_EVENTS_SHOWN],
        "event_total": events_qs.count(),
    }
    context.update(sources_context(agency, "agency"))
    context.update(cite_context(request, agency, str(agency)))
    return render(request, "timeline/agency.html", context)


@cache_public_page
def organization_detail(request, slug):
    organization = get_public_or_gone(
        Organization.objects.all().prefetch_related(
            Prefetch("programs", queryset=published_programs(), to_attr="public_programs"),
            Prefetch("people", queryset=Person.objects.published(), to_attr="public_people"),
            Prefetch("contracts", queryset=Contract.objects.published().select_related("agency"),
                     to_attr="public_contracts"),
        ),
        slug=slug,
    )
    events_qs = Event.objects.published().filter(organizations=organization)
    context = {
        "organization": organization,
        "events": event_list(ordered(events_qs))[:RELATED_EVENTS_SHOWN],
        "event_total": events_qs.count(),
    }
    context.update(sources_context(organization, "organization"))
    context.update(cite_context(request, organization, organization.name))
    return render(request, "timeline/organization.html", context)


@cache_public_page
def person_detail(request, slug):
    person = get_public_or_gone(
        Person.objects.all().select_related("agency", "organization").prefetch_related(
            Prefetch("statements", queryset=Statement.objects.published().select_related("event", "program"),
                     to_attr="public_statements"),
        ),
        slug=slug,
    )
    events_qs = Event.objects.published().filter(people=person)
    affiliation = person.affiliation if person.affiliation and person.affiliation.is_public else None
    context = {
        "person": person,
        "affiliation": affiliation,
        "events": event_list(ordered(events_qs))[:RELATED_EVENTS_SHOWN],
        "event_total": events_qs.count(),
    }
    context.update(sources_context(person, "person"))
    context.update(cite_context(request, person, person.name))
    return render(request, "timeline/person.html", context)


@cache_public_page
def contract_detail(request, slug):
    contract = get_public_or_gone(
        Contract.objects.all().select_related("agency", "vendor", "program", "parent_award").prefetch_related(
            Prefetch("child_awards", queryset=Contract.objects.published(), to_attr="public_children"),
        ),
        slug=slug,
    )
    events_qs = Event.objects.published().filter(contract=contract)

    def public(record):
        return record if record is not None and record.is_public else None

    context = {
        "contract": contract,
        "agency": public(contract.agency),
        "vendor": public(contract.vendor),
        "program": public(contract.program),
        "parent_award": public(contract.parent_award),
        "events": event_list(ordered(events_qs))[:RELATED_EVENTS_SHOWN],
        "event_total": events_qs.count(),
    }
    context.update(sources_context(contract, "contract"))
    context.update(cite_context(request, contract, contract.title))
    return render(request, "timeline/contract.html", context)


@cache_public_page
def statement_detail(request, slug):
    statement = get_public_or_gone(
        Statement.objects.all().select_related("speaker", "agency", "event", "program"), slug=slug,
    )

    def public(record):
        return record if record is not None and record.is_public else None

    context = {
        "statement": statement,
        "speaker": public(statement.speaker),
        "agency": public(statement.agency),
        "event": public(statement.event),
        "program": public(statement.program),
    }
    context.update(sources_context(statement, "statement"))
    context.update(cite_context(request, statement, f"Statement by {statement.speaker.name}, {statement.date_display}"))
    return render(request, "timeline/statement.html", context)


@cache_public_page
def source_detail(request, pk):
    source = get_public_or_gone(Source.objects.all(), pk=pk)

    def citing(model_name):
        return Citation.objects.filter(
            source=source, content_type__app_label="timeline", content_type__model=model_name,
        ).values("object_id")

    context = {
        "source": source,
        "item": item_from_source(source),
        "events": event_list(ordered(Event.objects.published().filter(pk__in=citing("event"))))[:RELATED_EVENTS_SHOWN],
        "programs": published_programs().filter(pk__in=citing("program")),
        "statements": Statement.objects.published().filter(pk__in=citing("statement")).select_related("speaker"),
        "contracts": Contract.objects.published().filter(pk__in=citing("contract")),
        "claims": label_claim_values(Claim.objects.published().filter(source=source).select_related("content_type")),
    }
    context.update(cite_context(request, source, str(source)))
    return render(request, "timeline/source.html", context)


@cache_public_page
def search(request):
    form = site_search.SearchForm(request.GET or None)
    results, status = None, 200
    if form.is_bound:
        if form.is_valid() and form.cleaned_data["q"]:
            results = site_search.search(form.cleaned_data["q"])
        elif not form.is_valid():
            status = 400
    results_by_kind = [(kind, getattr(results, kind)) for kind in ("agencies", "organizations", "people", "contracts")
                       ] if results else []
    return render(request, "timeline/search.html", {"form": form, "results": results,
                                                    "results_by_kind": results_by_kind}, status=status)


@cache_public_page
def about_page(request):
    return render(request, "timeline/about.html", {
        "license": settings.DATA_LICENSE,
        "bulk_dump_url": getattr(settings, "BULK_DUMP_URL", ""),
        "site_url": site_url(request),
        "today": datetime.date.today(),
        "feed_url": reverse("timeline:feed"),
    })


# -- versions -----------------------------------------------------------------------------------

@cache_public_page
def record_versions(request, kind, key):
    """Every public version of a record, newest first, with when and by which role it changed."""
    versioned = versions.kind_or_404(kind)
    record = versions.find_record(versioned, key)
    history = versions.public_history(versioned, record)
    return render(request, "timeline/versions.html", {
        "kind": versioned, "record": record, "key": key,
        "record_url": versioned.record_url(key),
        "history": [{"number": row.version, "row": row, "role": versions.role_of(row.history_user),
                     "reason": versions.describe_change(row),
                     "url": versioned.version_url(key, row.version)} for row in reversed(history)],
    })


@cache_public_page
def record_version(request, kind, key, number):
    """A record as it stood at version n, with what the next version changed."""
    versioned = versions.kind_or_404(kind)
    record = versions.find_record(versioned, key)
    version, history = versions.version_of(versioned, record, number)
    title = str(version.row.instance)
    context = {
        "kind": versioned, "record": record, "key": key, "version": version, "title": title,
        "current_number": history[-1].version,
        "record_url": versioned.record_url(key),
        "versions_url": versioned.versions_url(key),
        "next_url": versioned.version_url(key, version.next_number) if version.next_number else None,
    }
    context.update(cite_context(request, record, title, version=version))
    return render(request, "timeline/version.html", context)


@cache_public_page
def changes(request):
    """Recent edits of public records: which record, which fields, when and by which role."""
    return render(request, "timeline/changes.html", {"changes": versions.recent_changes()})


# -- index pages --------------------------------------------------------------------------------

INDEX_PAGE_SIZE = 100
PUBLISHED_EVENTS = Q(events__state="published", events__deleted_at__isnull=True)


def index_querysets():
    """Each index page's records with the counts it shows (not evaluated)."""
    return {
        "programs": ("Programs", published_programs().annotate(
            event_count=Count("events", filter=PUBLISHED_EVENTS, distinct=True)).order_by("name")),
        "agencies": ("Agencies", Agency.objects.published().annotate(
            event_count=Count("events", filter=PUBLISHED_EVENTS, distinct=True)).order_by("name")),
        "organizations": ("Organizations", Organization.objects.published().annotate(
            event_count=Count("events", filter=PUBLISHED_EVENTS, distinct=True)).order_by("name")),
        "people": ("People", Person.objects.published().annotate(
            event_count=Count("events", filter=PUBLISHED_EVENTS, distinct=True)).order_by("name")),
        "contracts": ("Contracts", Contract.objects.published().select_related("agency", "vendor")
                      .order_by("-announced", "title")),
        "sources": ("Sources", Source.objects.published().annotate(citation_count=Count("citations"))
                    .order_by("-published", "outlet", "id")),
    }


@cache_public_page
def record_index(request, kind):
    """Every published record of one kind, with its total and its event or citation counts."""
    heading, queryset = index_querysets()[kind]
    page = page_of(request, queryset, INDEX_PAGE_SIZE)
    return render(request, "timeline/index.html", {"kind": kind, "heading": heading, "page": page})


# -- bulk data ----------------------------------------------------------------------------------

def data_page(request):
    """The latest bulk dump: its files, row counts, sizes, checksums, licence and time.

    Not page-cached: a new dump changes no record, so the content version would not notice it."""
    try:
        dump, problem, status = bulk_data.latest_dump(), None, 200
    except bulk_data.DumpUnreadable as error:
        dump, problem, status = None, str(error), 503
    return render(request, "timeline/data.html", {
        "dump": dump, "problem": problem, "license": settings.DATA_LICENSE,
        "manifest_url": reverse("timeline:data-file", args=["manifest.json"]) if dump else None,
    }, status=status)


def data_file(request, name):
    """One file of the latest dump, by the name its manifest gives (or the manifest itself)."""
    try:
        dump = bulk_data.latest_dump()
    except bulk_data.DumpUnreadable:
        dump = None
    if dump is None or (name != "manifest.json" and dump.file_named(name) is None):
        raise Http404("The latest bulk dump has no file by this name.")
    content_type = "application/json" if name == "manifest.json" else "application/gzip"
    try:
        handle = open(bulk_data.dump_dir() / name, "rb")
    except OSError:
        raise Http404("This file of the bulk dump is missing; the next dump will write it again.") from None
    return FileResponse(handle, as_attachment=name != "manifest.json", filename=name, content_type=content_type)
