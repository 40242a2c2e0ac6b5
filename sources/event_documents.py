"""Keep each live event's matching document (sources.models.EventMatchDocument) current.

    refresh_event_documents([event ids])   # after anything an event shows changed; same transaction
    with refreshing_once():                # many changes at once (loading a fixture): each
        call_command("loaddata", ...)      # event's document is rebuilt once, at the end

A document holds the event's terms (title, summary, the headlines of its cited sources, its
statements' quotes and its latest attached reports), its programs' texts and its entity keys.
MatchTerm counts how many documents hold each term or key. The database's full-text index
follows the document rows by itself (migration 0006_m16_event_documents).
"""
from collections import Counter, defaultdict
from contextlib import contextmanager
from contextvars import ContextVar

from django.contrib.contenttypes.models import ContentType
from django.db.models import F
from django.utils import timezone

from sources.matching import EventDoc, entity_key
from sources.matching.candidates import search_token
from sources.models import EventMatchDocument, MatchTerm, ReportEventLink
from timeline.models import Citation, Event, Statement

# The event ids whose refresh waits for the end of the current refreshing_once() block, or None.
_deferred = ContextVar("deferred_event_documents", default=None)
COVERAGE_PER_EVENT = 20   # headlines of an event's best attached reports counted as coverage
CHUNK = 500


def event_documents(event_ids):
    """Return {event id: EventDoc} for the live events among event_ids. Hits the database: a
    fixed number of queries per CHUNK events (events, their programs, agencies, organizations,
    people, cited headlines, statements, attached reports)."""
    docs = {}
    event_ids = list(event_ids)
    for start in range(0, len(event_ids), CHUNK):
        docs.update(_documents(event_ids[start:start + CHUNK]))
    return docs


def _documents(ids):
    events = list(Event.objects.alive().filter(pk__in=ids).prefetch_related(
        "programs", "agencies", "organizations", "people"))
    ids = [e.pk for e in events]
    headlines = defaultdict(list)
    cited = Citation.objects.filter(content_type=ContentType.objects.get_for_model(Event), object_id__in=ids)
    for event_id, headline in cited.values_list("object_id", "source__headline"):
        if headline:
            headlines[event_id].append(headline)
    for event_id, quote in Statement.objects.alive().filter(event_id__in=ids).values_list("event_id", "quote"):
        headlines[event_id].append(quote)
    attached = (ReportEventLink.objects.standing().filter(event_id__in=ids, report__duplicate_of__isnull=True)
                .order_by("event_id", "-score", "id").values_list("event_id", "report__title"))
    per_event = Counter()
    for event_id, title in attached:
        if per_event[event_id] < COVERAGE_PER_EVENT:
            headlines[event_id].append(title)
            per_event[event_id] += 1
    docs = {}
    for event in events:
        programs = list(event.programs.all())
        keys = {entity_key("program", p.pk) for p in programs}
        keys |= {entity_key("agency", a.pk) for a in event.agencies.all()}
        keys |= {entity_key("organization", o.pk) for o in event.organizations.all()}
        keys |= {entity_key("person", p.pk) for p in event.people.all()}
        program_texts = []
        for program in programs:
            program_texts += [program.name, program.summary, *program.alias_list]
        docs[event.pk] = EventDoc.from_text(event.pk, event.slug, event.title, event.summary, event.date,
                                            event.date_end or event.date, event.date_precision, keys,
                                            program_texts, headlines.get(event.pk, ()))
    return docs


@contextmanager
def refreshing_once():
    """Defer every refresh_event_documents() inside the block to its end, each event once.

    Loading a fixture saves an event, then each of its relations and citations one by one, and
    each save asks for the event's document again: the seed timeline's 10 events were rebuilt
    98 times, most of loaddata's time. Use it inside the transaction that makes the changes; if
    the block raises, nothing is refreshed (the transaction rolls back). Nested blocks refresh
    at the end of the outermost.
    """
    if _deferred.get() is not None:
        yield
        return
    pending = set()
    token = _deferred.set(pending)
    try:
        yield
    finally:
        _deferred.reset(token)
    refresh_event_documents(pending)


def refresh_event_documents(event_ids):
    """Rebuild and store the documents of these events (deleting those of events no longer
    live), and bring the term counts in line. Call inside the transaction that changed them.
    Hits the database: event_documents()'s queries, the stored documents, their replacement
    and one update per changed count. Inside refreshing_once(), waits for the block's end."""
    event_ids = set(event_ids)
    if not event_ids:
        return
    pending = _deferred.get()
    if pending is not None:
        pending |= event_ids
        return
    fresh = event_documents(event_ids)
    stored = {d.event_id: d for d in EventMatchDocument.objects.filter(event_id__in=event_ids)}
    change = Counter()
    for stored_doc in stored.values():
        change.subtract(stored_doc.keys)
    for doc in fresh.values():
        change.update(doc.keys)
    EventMatchDocument.objects.filter(event_id__in=set(stored) - set(fresh)).delete()
    now = timezone.now()
    rows = [EventMatchDocument(event_id=doc.id, document=" ".join(sorted(search_token(k) for k in doc.keys)),
                               event_terms=doc.event_terms, program_terms=doc.program_terms,
                               coverage_terms=doc.coverage_terms, entities=sorted(doc.entities), updated_at=now)
            for doc in fresh.values()]
    EventMatchDocument.objects.bulk_create(
        rows, batch_size=CHUNK, update_conflicts=True, unique_fields=["event"],
        update_fields=["document", "event_terms", "program_terms", "coverage_terms", "entities", "updated_at"])
    count_terms(change)


def count_terms(change):
    """Add {term or key: +n or -n} to MatchTerm's counts: one insert for new terms, then one
    update per distinct change (most are +1 or -1), in term order so that two transactions
    lock rows in the same order."""
    change = {key: n for key, n in change.items() if n}
    if not change:
        return
    MatchTerm.objects.bulk_create([MatchTerm(term=key) for key in sorted(change)], batch_size=CHUNK,
                                  ignore_conflicts=True)
    by_amount = defaultdict(list)
    for key, n in change.items():
        by_amount[n].append(key)
    for n, keys in sorted(by_amount.items()):
        keys.sort()
        for start in range(0, len(keys), CHUNK):
            MatchTerm.objects.filter(term__in=keys[start:start + CHUNK]).update(events=F("events") + n)


def rebuild_event_documents():
    """Rebuild every live event's document and recount the terms from scratch (a migration,
    `manage.py rebuild_match_documents`, after bulk changes that sent no signals). Returns how
    many documents there are."""
    EventMatchDocument.objects.all().delete()
    MatchTerm.objects.all().delete()
    ids = list(Event.objects.alive().order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), CHUNK):
        refresh_event_documents(ids[start:start + CHUNK])
    return len(ids)


def forget_event_document(event_id):
    """Delete an event's document and stop counting its terms (before the event is deleted)."""
    for document in EventMatchDocument.objects.filter(event_id=event_id):
        count_terms(Counter({key: -1 for key in document.keys}))
        document.delete()
