"""Find candidate events for a report with the database's full-text search, and the term
statistics scoring weighs by. The index is the one over EventMatchDocument.document
(migration 0006_m16_event_documents): PostgreSQL full-text search, SQLite FTS5.
"""
from django.db import connection

from sources.matching import EventDoc, TermStatistics
from sources.matching.candidates import rank_candidates, search_keys, search_token
from sources.models import EventMatchDocument, MatchTerm

CHUNK = 500


def term_statistics(keys, statistics=None):
    """Return TermStatistics holding the document frequencies of keys (terms or entity keys),
    added to `statistics` when given (its event count kept). Hits the database: the number of
    documents when new, and one query per CHUNK keys not known yet."""
    if statistics is None:
        statistics = TermStatistics(EventMatchDocument.objects.count())
    unknown = sorted(set(keys) - statistics.frequencies.keys())
    for start in range(0, len(unknown), CHUNK):
        chunk = unknown[start:start + CHUNK]
        statistics.frequencies.update(dict.fromkeys(chunk, 0))
        statistics.frequencies.update(MatchTerm.objects.filter(term__in=chunk).values_list("term", "events"))
    return statistics


def events_holding(keys):
    """Return {event id: the keys among `keys` its document holds}, by one full-text query."""
    if not keys:
        return {}
    tokens = {search_token(key): key for key in keys}
    if connection.vendor == "postgresql":
        sql = ("SELECT event_id, document FROM sources_eventmatchdocument "
               "WHERE search @@ to_tsquery('simple', %s)")
        query = " | ".join(tokens)
    elif connection.vendor == "sqlite":
        sql = "SELECT rowid, document FROM sources_eventsearch WHERE sources_eventsearch MATCH %s"
        query = " OR ".join(f'"{token}"' for token in tokens)
    else:
        raise NotImplementedError(f"no full-text search for matching on {connection.vendor}")
    with connection.cursor() as cursor:
        cursor.execute(sql, [query])
        rows = cursor.fetchall()
    # The engines tokenise as we do, so every row holds at least one token; a token is
    # checked against the stored document all the same.
    return {event_id: {tokens[t] for t in document.split() if t in tokens} for event_id, document in rows}


def load_events(event_ids):
    """Return {event id: EventDoc} from the stored documents. One query."""
    documents = EventMatchDocument.objects.filter(event_id__in=event_ids).select_related("event").only(
        "event_terms", "program_terms", "coverage_terms", "entities",
        "event__slug", "event__date", "event__date_end", "event__date_precision")
    return {d.event_id: EventDoc(d.event_id, d.event.slug, d.event.date, d.event.date_end or d.event.date,
                                 d.event.date_precision, frozenset(d.entities), d.event_terms, d.program_terms,
                                 d.coverage_terms) for d in documents}


def candidate_events(features, statistics):
    """Return the EventDocs most worth scoring for a report's features, best first, with the
    statistics extended to their terms. Hits the database: the report's keys' frequencies
    (unless known), one full-text search, the candidates' documents and their terms' frequencies.
    """
    entity_keys = set(features.entities) | features.implied
    term_statistics(set(features.vector) | entity_keys, statistics)
    keys = search_keys(features.vector, entity_keys, statistics)
    ranked = rank_candidates(keys, events_holding(keys), entity_keys, statistics)
    events = load_events(ranked)
    term_statistics({term for e in events.values() for term in (*e.event_terms, *e.program_terms,
                                                                 *e.coverage_terms)}, statistics)
    return [events[event_id] for event_id in ranked if event_id in events]
