"""Search across events, programs, statements and sources.

A case-insensitive substring match on every database (one query per kind of record); on
PostgreSQL, events are also matched by full-text search (English stemming, websearch syntax),
so "photographing" finds "photograph".
"""
from dataclasses import dataclass

from django import forms
from django.db import connection
from django.db.models import Prefetch, Q

from timeline.browse import MAX_QUERY_LENGTH
from timeline.models import Event, Program, Source, Statement

RESULTS_PER_KIND = 20


class SearchForm(forms.Form):
    q = forms.CharField(
        label="Search events, programs, statements and sources", max_length=MAX_QUERY_LENGTH, required=False,
        strip=True, error_messages={"max_length": f"Search for at most {MAX_QUERY_LENGTH} characters."},
    )


@dataclass
class Results:
    query: str
    events: list
    programs: list
    statements: list
    sources: list
    more_events: bool
    more_programs: bool
    more_statements: bool
    more_sources: bool

    @property
    def is_empty(self):
        return not (self.events or self.programs or self.statements or self.sources)


def _capped(queryset):
    rows = list(queryset[: RESULTS_PER_KIND + 1])
    return rows[:RESULTS_PER_KIND], len(rows) > RESULTS_PER_KIND


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
    """Return up to RESULTS_PER_KIND matches of each kind, newest first (five queries)."""
    from timeline.views import published_programs

    events, more_events = _capped(
        matching_events(query).order_by("-date", "-id")
        .only("slug", "title", "kind", "date", "date_precision", "date_end", "summary")
        .prefetch_related(Prefetch("programs", queryset=published_programs(), to_attr="public_programs"))
    )
    programs, more_programs = _capped(
        Program.objects.published().filter(Q(name__icontains=query) | Q(summary__icontains=query) | Q(aliases__icontains=query))
    )
    statements, more_statements = _capped(
        Statement.objects.published().filter(Q(quote__icontains=query) | Q(context__icontains=query))
        .select_related("speaker")
    )
    sources, more_sources = _capped(
        Source.objects.published().filter(
            Q(headline__icontains=query) | Q(outlet__icontains=query) | Q(author__icontains=query) | Q(notes__icontains=query)
        )
    )
    return Results(query, events, programs, statements, sources, more_events, more_programs, more_statements, more_sources)
