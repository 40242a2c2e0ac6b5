"""Search across every kind of record: events, programs, agencies, organizations, people,
contracts, statements and sources.

A case-insensitive substring match on every database (one query per kind of record); on
PostgreSQL, events are also matched by full-text search (English stemming, websearch syntax),
so "photographing" finds "photograph".
"""
from dataclasses import dataclass

from django import forms
from django.db import connection
from django.db.models import Prefetch, Q

from timeline.browse import MAX_QUERY_LENGTH, published_programs
from timeline.models import Agency, Contract, Event, Organization, Person, Program, Source, Statement

RESULTS_PER_KIND = 20


class SearchForm(forms.Form):
    q = forms.CharField(
        label="Search events, programs, agencies, organizations, people, contracts, statements and sources", max_length=MAX_QUERY_LENGTH, required=False,
        strip=True, error_messages={"max_length": f"Search for at most {MAX_QUERY_LENGTH} characters."},
    )


@dataclass
class Matches:
    """One kind of record's matches: up to RESULTS_PER_KIND of them, and how many there are."""

    records: list
    total: int

    @property
    def more(self):
        return self.total > len(self.records)

    def __bool__(self):
        return bool(self.records)


@dataclass
class Results:
    query: str
    events: Matches
    programs: Matches
    agencies: Matches
    organizations: Matches
    people: Matches
    contracts: Matches
    statements: Matches
    sources: Matches

    KINDS = ("events", "programs", "agencies", "organizations", "people", "contracts", "statements", "sources")

    @property
    def is_empty(self):
        return not any(getattr(self, kind) for kind in self.KINDS)

    @property
    def counts(self):
        """[(kind, number of matches)] for the kinds that match, in page order."""
        return [(kind, getattr(self, kind).total) for kind in self.KINDS if getattr(self, kind)]


def _capped(queryset):
    """Up to RESULTS_PER_KIND records; counted by a second query only when there are more."""
    rows = list(queryset[: RESULTS_PER_KIND + 1])
    total = len(rows) if len(rows) <= RESULTS_PER_KIND else queryset.order_by().count()
    return Matches(rows[:RESULTS_PER_KIND], total)


def matching_events(query):
    """Published events whose title or summary matches (not evaluated)."""
    match = Q(title__icontains=query) | Q(summary__icontains=query)
    if connection.vendor == "postgresql":
        # A subquery on its own, so PostgreSQL answers it from the GIN index on this very
        # expression (migration 0003_api_full_text_indexes);
        # OR-ed into one WHERE with the substring match it would compute every row's vector.
        match |= Q(pk__in=full_text_matches(query))
    return Event.objects.published().filter(match)


def full_text_matches(query):
    """Ids of events whose words match, with English stemming (PostgreSQL only, not evaluated)."""
    from django.contrib.postgres.search import SearchQuery, SearchVector

    return (
        Event.objects.annotate(search=SearchVector("title", "summary", config="english"))
        .filter(search=SearchQuery(query, config="english", search_type="websearch"))
        .order_by().values("pk")
    )


def search(query):
    """Return up to RESULTS_PER_KIND matches of each kind of record, with their totals (one query
    per kind, plus one for events' programs and one count per kind with more matches)."""
    events = _capped(
        matching_events(query).order_by("-date", "-id")
        .only("slug", "title", "kind", "date", "date_precision", "date_end", "summary")
        .prefetch_related(Prefetch("programs", queryset=published_programs(), to_attr="public_programs"))
    )
    programs = _capped(
        Program.objects.published().filter(Q(name__icontains=query) | Q(summary__icontains=query) | Q(aliases__icontains=query))
    )
    agencies = _capped(Agency.objects.published().filter(
        Q(name__icontains=query) | Q(abbreviation__icontains=query) | Q(aliases__icontains=query)
        | Q(description__icontains=query)))
    organizations = _capped(Organization.objects.published().filter(
        Q(name__icontains=query) | Q(aliases__icontains=query) | Q(description__icontains=query)))
    people = _capped(Person.objects.published().filter(
        Q(name__icontains=query) | Q(role__icontains=query) | Q(aliases__icontains=query)))
    contracts = _capped(Contract.objects.published().filter(
        Q(title__icontains=query) | Q(notes__icontains=query) | Q(piid__icontains=query)
        | Q(generated_award_id__icontains=query)))
    statements = _capped(
        Statement.objects.published().filter(Q(quote__icontains=query) | Q(context__icontains=query))
        .select_related("speaker")
    )
    sources = _capped(
        Source.objects.published().filter(
            Q(headline__icontains=query) | Q(outlet__icontains=query) | Q(original_outlet__icontains=query)
            | Q(author__icontains=query) | Q(notes__icontains=query)
        )
    )
    return Results(query, events, programs, agencies, organizations, people, contracts, statements, sources)
