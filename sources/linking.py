"""Attach stored reports to timeline events: the database side of sources.matching.

    outcomes = attach_reports_to_events(reports)   # {report id: LinkOutcome}

The matcher itself is pure (sources.matching); this module builds it from the timeline,
keeps it per process until the timeline changes, finds copies among stored reports through
their fingerprints, writes links and suggestions in bulk, and applies curators' decisions.
"""
import datetime
import gc
import json
import logging
import threading
from collections import Counter, defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import chain, compress, repeat
from operator import lt

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max, Prefetch, Q
from django.utils import timezone

from sources.matching import ATTACHED, Entity, EventDoc, Matcher, ReportDoc, entity_key
from sources.matching.copies import CopyText, copy_evidence
from sources.matching.scoring import report_body, report_features
from sources.matching.suggestions import Group, best_group, is_relevant
from sources.models import (LinkStatus, MatcherModel, Report, ReportEventLink, ReportFingerprint, ReviewDecision,
                            SuggestedEvent, SuggestionStatus)
from timeline.page_cache import bump_content_version

logger = logging.getLogger(__name__)

COVERAGE_PER_EVENT = 20       # headlines of an event's latest attached reports used as coverage
COPY_CANDIDATES = 4           # earlier reports compared in full per new report
SUGGESTION_WINDOW = datetime.timedelta(days=60)
FINGERPRINT_CHUNK = 500
FINGERPRINT_ROWS_PER_INSERT = 1000
# A report whose best proposal's hand-weighted score is below this matches no event well: it may also start or
# join a suggested event (curators see both the weak proposal and the suggestion).
SUGGEST_BELOW_SCORE = 0.4


@dataclass
class LinkOutcome:
    """What matching decided for one report, in the form `poll_feed --json` prints."""

    duplicate_of: str | None = None
    events: list = field(default_factory=list)


# --- Building the matcher from the timeline ------------------------------------------------

def timeline_entities():
    """Return the gazetteer's entities: live agencies, programs, organizations, people. 4 queries."""
    from timeline.models import Agency, Organization, Person, Program

    entities = []
    for agency in Agency.objects.alive().only("id", "name", "abbreviation", "aliases", "parent_id"):
        entities.append(Entity(entity_key("agency", agency.pk), "agency", agency.name,
                               (agency.name, *agency.alias_list),
                               (agency.abbreviation,) if agency.abbreviation else (),
                               (entity_key("agency", agency.parent_id),) if agency.parent_id else ()))
    for kind, model in (("program", Program), ("organization", Organization), ("person", Person)):
        for record in model.objects.alive().only("id", "name", "aliases"):
            entities.append(Entity(entity_key(kind, record.pk), kind, record.name, (record.name, *record.alias_list)))
    return entities


def event_documents(events=None):
    """Return EventDocs for live events (or the given queryset). A fixed number of queries:
    events, their programs, agencies, organizations, people, cited sources, statements and
    the headlines of attached reports."""
    from django.contrib.contenttypes.models import ContentType

    from timeline.models import Citation, Event, Statement

    events = (events if events is not None else Event.objects.alive()).prefetch_related(
        "programs", "agencies", "organizations", "people")
    events = list(events)
    ids = [e.pk for e in events]
    event_type = ContentType.objects.get_for_model(Event)
    headlines = defaultdict(list)
    for object_id, headline in Citation.objects.filter(content_type=event_type, object_id__in=ids).values_list(
            "object_id", "source__headline"):
        if headline:
            headlines[object_id].append(headline)
    for event_id, quote in Statement.objects.alive().filter(event_id__in=ids).values_list("event_id", "quote"):
        headlines[event_id].append(quote)
    attached = (ReportEventLink.objects.standing().filter(event_id__in=ids, report__duplicate_of__isnull=True)
                .order_by("event_id", "-score").values_list("event_id", "report__title"))
    per_event = Counter()
    for event_id, title in attached:
        if per_event[event_id] < COVERAGE_PER_EVENT:
            headlines[event_id].append(title)
            per_event[event_id] += 1
    docs = []
    for event in events:
        programs = list(event.programs.all())
        keys = {entity_key("program", p.pk) for p in programs}
        keys |= {entity_key("agency", a.pk) for a in event.agencies.all()}
        keys |= {entity_key("organization", o.pk) for o in event.organizations.all()}
        keys |= {entity_key("person", p.pk) for p in event.people.all()}
        program_texts = []
        for program in programs:
            program_texts += [program.name, program.summary, *program.alias_list]
        docs.append(EventDoc(event.pk, event.slug, event.title, event.summary, event.date,
                             event.date_end or event.date, event.date_precision, frozenset(keys),
                             tuple(program_texts), tuple(headlines.get(event.pk, ()))))
    return docs


def timeline_version():
    """Return a value that changes whenever the events or the named records change. 5 queries."""
    from timeline.models import Agency, Event, Organization, Person, Program

    parts = []
    for model in (Event, Agency, Program, Organization, Person):
        stats = model.objects.aggregate(n=Count("id"), latest=Max("modified_at"))
        parts.append((stats["n"], stats["latest"]))
    return tuple(parts)


_cache = threading.local()


# An index of this many events or more is hidden from the cyclic garbage collector once built
# (see hide_from_garbage_collector); a smaller one costs a full collection little.
FREEZE_INDEX_OF = 500
# Above this share of changed events a full rebuild is cheaper than updating event by event.
INCREMENTAL_REFRESH_LIMIT = 0.1


def current_matcher():
    """Return the process's Matcher, brought up to date with the timeline.

    When only events changed since it was built (curators adding or editing events), just
    those events are re-indexed: a few queries, instead of rebuilding an index of every event
    in every worker after each edit. A change to agencies, programs, organizations or people
    (the gazetteer), to the thresholds, an event deleted outright, or many changed events at
    once rebuild it whole.
    """
    version = timeline_version()
    stored_model = MatcherModel.objects.active()
    # The learned model's version decides with its own thresholds; without one, the settings'.
    thresholds = (settings.MATCH_ATTACH_THRESHOLD, settings.MATCH_PROPOSE_THRESHOLD,
                  stored_model.pk if stored_model else None)
    cached = getattr(_cache, "matcher", None)
    if cached is not None:
        (cached_version, cached_thresholds), matcher = cached
        if cached_version == version and cached_thresholds == thresholds:
            return matcher
        if cached_thresholds == thresholds and refresh_changed_events(matcher, cached_version, version):
            _cache.matcher = ((version, thresholds), matcher)
            return matcher
    matcher = Matcher.build(timeline_entities(), event_documents(),
                            model=stored_model.learned() if stored_model else None,
                            attach_threshold=settings.MATCH_ATTACH_THRESHOLD,
                            propose_threshold=settings.MATCH_PROPOSE_THRESHOLD)
    _cache.matcher = ((version, thresholds), matcher)
    if len(matcher.index) >= FREEZE_INDEX_OF:
        hide_from_garbage_collector()
    return matcher


def hide_from_garbage_collector():
    """Move every object alive now (above all a newly built index) out of the cyclic garbage
    collector's sight (gc.freeze, after a collection so that no garbage is kept).

    An index of 10,000 events is millions of small objects that live as long as the process;
    each full collection would walk them all again, a fifth of the time of matching a batch.
    The index holds no reference cycles: when it is replaced, reference counting frees it.
    """
    gc.collect()
    gc.freeze()


def refresh_changed_events(matcher, old_version, new_version):
    """Re-index the events changed between two timeline versions; False if that is not enough.

    Hits the database: one query for the changed events, then event_documents() for them.
    """
    from timeline.models import Event

    (old_count, old_latest), (new_count, _) = old_version[0], new_version[0]
    if old_version[1:] != new_version[1:] or old_latest is None:
        return False  # the named records changed: the gazetteer must be rebuilt
    # >= rather than >: several saves can share a timestamp; re-indexing one twice is harmless.
    changed = list(Event.objects.filter(modified_at__gte=old_latest).values_list("pk", "deleted_at"))
    if len(changed) > max(50, INCREMENTAL_REFRESH_LIMIT * len(matcher.index.events)):
        return False
    created = sum(1 for pk, _ in changed if pk not in matcher.index.events)
    if new_count != old_count + created:
        return False  # an event was deleted outright (or saved without touching modified_at)
    alive = [pk for pk, deleted_at in changed if deleted_at is None]
    for pk, deleted_at in changed:
        if deleted_at is not None:
            matcher.index.remove(pk)
    for doc in event_documents(Event.objects.filter(pk__in=alive)):
        matcher.add_event(doc)
    return True


def warm_matcher():
    """Build (or bring up to date) this thread's matcher now, outside any transaction, so that no
    poll pays for it while holding its feed's row lock. Hits the database; logs how long it took.

    Called when a Celery worker starts (config.celery) and before a poll takes its lock
    (sources.polling.poll_feed_now). A failure is logged, not raised: the first poll builds it.
    """
    import time

    started = time.process_time()
    try:
        matcher = current_matcher()
    except Exception:  # noqa: BLE001 - the database may not be up yet; matching builds it later
        logger.exception("could not build the matcher index in advance")
        return None
    logger.info("matcher index ready: %d events, %.2f s CPU", len(matcher.index), time.process_time() - started)
    return matcher


def forget_matcher():
    """Drop the cached matcher (tests; after bulk changes that bypass modified_at)."""
    _cache.matcher = None


# --- Matching a batch of reports ------------------------------------------------------------

def report_document(report):
    published = report.published.date() if report.published else None
    return ReportDoc(report.pk, report.title, report.summary, report.content, published, report.url)


def link_of(report):
    return report.url or report.guid or None


def attach_reports_to_events(reports, *, matcher=None, now=None):
    """Match reports (saved Report rows, in the order they were stored): detect copies, write
    links and suggestions. Returns {report id: LinkOutcome}. Hits the database, in bulk:
    a fixed number of queries per batch (one per FINGERPRINT_CHUNK fingerprints or reports),
    plus one per copy of a copy whose original is outside the batch.

    Curators' decisions stand: approved links are kept as they are, rejected events are never
    proposed again for the same report.
    """
    reports = [r for r in reports if r.pk is not None]
    if not reports:
        return {}
    matcher = matcher or current_matcher()
    with garbage_collection_paused():
        return _attach(reports, matcher, now)


@contextmanager
def garbage_collection_paused():
    """Pause the cyclic garbage collector for a batch of matching.

    Matching makes a few million short-lived objects (terms, vectors, scores), all freed by
    reference counting; every 700 allocations the collector would still walk the young ones,
    a twentieth of the batch's time. Anything cyclic left behind is collected after.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _attach(reports, matcher, now):
    now = now or timezone.now()
    ids = [r.pk for r in reports]
    docs = {r.pk: report_document(r) for r in reports}
    features = {pk: report_features(doc, matcher.gazetteer) for pk, doc in docs.items()}
    copies = find_copies(reports, {pk: f.body for pk, f in features.items()},
                         {pk: f.body_words for pk, f in features.items()})

    existing = defaultdict(dict)
    for link in ReportEventLink.objects.filter(report_id__in=ids):
        existing[link.report_id][link.event_id] = link
    outcomes, new_links, changed_links, stale_ids, unmatched = {}, [], [], [], []
    for report in reports:
        links = existing[report.pk]
        rejected = {event_id for event_id, link in links.items() if link.status == LinkStatus.REJECTED}
        approved = {event_id: link for event_id, link in links.items() if link.status == LinkStatus.APPROVED}
        result = matcher.match(docs[report.pk], rejected=rejected | set(approved), features=features[report.pk])
        decided_ids = set()
        for decision in result.decisions:
            decided_ids.add(decision.event_id)
            explanation = dict(decision.explanation, decided="matcher")
            link = links.get(decision.event_id)
            if link is None:
                new_links.append(ReportEventLink(
                    report_id=report.pk, event_id=decision.event_id, score=decision.score, status=decision.status,
                    is_primary=decision.is_primary and not approved, explanation=explanation,
                    model_version_id=explanation.get("model_version"), created_at=now, updated_at=now))
            else:
                link.score, link.status, link.explanation, link.updated_at = (
                    decision.score, decision.status, explanation, now)
                link.model_version_id = explanation.get("model_version")
                link.is_primary = decision.is_primary and not approved
                changed_links.append(link)
        # Links the matcher no longer stands behind go, unless a curator decided them.
        stale_ids += [link.pk for event_id, link in links.items()
                      if event_id not in decided_ids and not link.is_decided]
        rows = [{"event": slug, "score": score, "status": status} for slug, score, status in sorted(
            [(matcher.index.events[e].doc.slug if e in matcher.index.events else str(e), link.score, "attached")
             for e, link in approved.items()]
            + [(d.slug, d.score, d.status) for d in result.decisions], key=lambda row: -row[1])]
        copied = copies.get(report.pk)
        outcomes[report.pk] = LinkOutcome(duplicate_of=link_of(copied[0]) if copied else None, events=rows)
        report.duplicate_of = copied[0] if copied else None
        report.duplicate_of_id = copied[0].pk if copied else None
        report.copy_evidence = copied[1] if copied else {}
        report.matched_at = now
        # On the hand-weighted scale (the signals' strength), whatever model turned it into a probability.
        best = max((d.explanation.get("heuristic_score", d.score) for d in result.decisions), default=0.0)
        if not approved and not result.attached and best < SUGGEST_BELOW_SCORE:
            unmatched.append((report, result.features))
        else:
            report.suggested_event = None
        for decision in result.decisions:
            if decision.status == ATTACHED and report.duplicate_of is None:
                matcher.index.add_coverage(decision.event_id, report.title)

    if stale_ids:
        ReportEventLink.objects.filter(pk__in=stale_ids).delete()
    if changed_links:
        ReportEventLink.objects.bulk_update(changed_links, ["score", "status", "explanation", "is_primary",
                                                            "model_version", "updated_at"], batch_size=500)
    if new_links:
        insert_links(new_links)
    group_unmatched_reports(unmatched, matcher)
    save_match_state(reports, now)
    # Bulk writes send no signals: tell the public page cache that coverage changed.
    bump_content_version()
    return outcomes


def insert_links(links):
    """Insert new ReportEventLinks, skipping any that exists already (a run on another worker).

    One executemany of a one-row INSERT: bulk_create(ignore_conflicts=True) would do the same,
    but compiling its multi-row statements costs more than the insert itself.
    """
    from django.db import connection
    from django.db.models.constants import OnConflict

    ops, meta = connection.ops, ReportEventLink._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    sql = (f"{ops.insert_statement(on_conflict=OnConflict.IGNORE)} {ops.quote_name(meta.db_table)} "
           f"({', '.join(ops.quote_name(f.column) for f in fields)}) VALUES ({', '.join(['%s'] * len(fields))})"
           f" {ops.on_conflict_suffix_sql(fields, OnConflict.IGNORE, None, None)}").rstrip()
    prepare = [_value_preparer(f, connection) for f in fields]
    rows = [[prep(getattr(link, f.attname)) for f, prep in zip(fields, prepare)] for link in links]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _value_preparer(field, connection):
    """Return a function preparing values of `field` for the database (get_db_prep_save),
    remembering datetimes: a batch stamps every row with the same few."""
    from django.db import models

    prepare = field.get_db_prep_save
    if not isinstance(field, models.DateTimeField):
        return lambda value: prepare(value, connection)
    memo = {}

    def prepare_datetime(value):
        if value not in memo:
            memo[value] = prepare(value, connection)
        return memo[value]

    return prepare_datetime


def save_match_state(reports, now):
    """Store matched_at, duplicate_of and suggested_event for a batch: one update for all (per
    chunk of ids), then one executemany for the copies and one for reports in suggestions,
    rather than a bulk update of every row or a query per copy or suggestion."""
    from django.db import connection

    ids = [r.pk for r in reports]
    for start in range(0, len(ids), FINGERPRINT_CHUNK):
        Report.objects.filter(pk__in=ids[start:start + FINGERPRINT_CHUNK]).update(
            matched_at=now, duplicate_of=None, copy_evidence={}, suggested_event=None)
    quote, fields = connection.ops.quote_name, Report._meta
    table, pk = quote(fields.db_table), quote(fields.pk.column)
    evidence = fields.get_field("copy_evidence")
    copies = [(r.duplicate_of_id, evidence.get_db_prep_save(r.copy_evidence, connection), r.pk)
              for r in reports if r.duplicate_of_id]
    suggested = [(r.suggested_event_id, r.pk) for r in reports if r.suggested_event_id]
    with connection.cursor() as cursor:
        if copies:
            cursor.executemany(f"UPDATE {table} SET {quote(fields.get_field('duplicate_of').column)} = %s, "
                               f"{quote(evidence.column)} = %s WHERE {pk} = %s", copies)
        if suggested:
            cursor.executemany(f"UPDATE {table} SET {quote(fields.get_field('suggested_event').column)} = %s "
                               f"WHERE {pk} = %s", suggested)


def find_copies(reports, bodies, body_words=None):
    """Return {report id: (earlier Report, evidence)} for reports that copy an earlier report.

    Earlier means stored before (a lower id). Looks candidates up by shared fingerprints, in
    one query per FINGERPRINT_CHUNK fingerprints, then compares the best few in full; stores
    the new reports' fingerprints. A copy of a copy points at the original.
    """
    body_words = body_words or {}
    texts = {r.pk: CopyText.of(r.title, bodies[r.pk], body_words.get(r.pk)) for r in reports}
    prints = {pk: text.fingerprints() for pk, text in texts.items()}
    batch_ids = set(texts)
    holders = defaultdict(set)
    values = sorted(set().union(*prints.values()))
    for value, report_id in stored_fingerprints(values):
        if report_id not in batch_ids:
            holders[value].add(report_id)
    store_fingerprints(prints)

    # Only fingerprints some other report holds can lead to a copy: those stored before and
    # those that two reports of this batch share. Walking just those (picked out in C) leaves
    # the same holders, filled in the same order, as walking every fingerprint of every report.
    in_batch = Counter(chain.from_iterable(prints.values()))
    shared_in_batch = set(compress(in_batch, map(lt, repeat(1), in_batch.values())))
    held = shared_in_batch.union(holders)
    wanted = {}
    by_id = {r.pk: r for r in reports}
    for report in reports:
        shared = Counter()
        for value in filter(held.__contains__, prints[report.pk]):
            for other in holders.get(value, ()):
                if other < report.pk:
                    shared[other] += 1
        # A copy holds most of the earlier text, so it shares a good part of its fingerprints.
        needed = max(1, min(len(prints[report.pk]) // 4, 6))
        wanted[report.pk] = [other for other, n in shared.most_common(COPY_CANDIDATES) if n >= needed]
        for value in filter(shared_in_batch.__contains__, prints[report.pk]):  # later reports may copy this one
            holders[value].add(report.pk)
    outside = {other for others in wanted.values() for other in others if other not in by_id}
    earlier = {r.pk: r for r in Report.objects.filter(pk__in=outside).only(
        "id", "url", "guid", "title", "summary", "content", "duplicate_of_id", "published")}
    earlier.update(by_id)
    copies = {}
    for report in reports:
        for other_id in sorted(wanted[report.pk]):  # oldest first: copies point at the original
            other = earlier.get(other_id)
            if other is None:
                continue
            text = texts.get(other_id) or stored_copy_text(other)
            is_copy, evidence = copy_evidence(texts[report.pk], text)
            if is_copy:
                original = other
                if other.duplicate_of_id:  # a copy of a copy: point at the original
                    original = earlier.get(other.duplicate_of_id) or Report.objects.only(
                        "id", "url", "guid").get(pk=other.duplicate_of_id)
                copies[report.pk] = (original, dict(evidence, compared_with=other.pk))
                if report.pk in by_id:
                    by_id[report.pk].duplicate_of_id = original.pk
                break
    return copies


def stored_copy_text(report):
    """Return a stored report's CopyText, its body made as the matcher makes it (report_body):
    for reports outside the batch being matched, whose features were not worked out."""
    return CopyText.of(report.title, report_body(report_document(report)))


def stored_fingerprints(values):
    """Yield (value, report id) for stored fingerprints among values, one query per chunk
    (raw SQL: the ORM's per-parameter preparation costs more than the indexed lookup).

    On SQLite and PostgreSQL a chunk goes as one parameter (a JSON array, an array) rather
    than one per value: binding five hundred parameters, and quoting each for the query log
    when DEBUG is on, costs more than the lookup. Both plans still search the value index.
    """
    from django.db import connection

    table = connection.ops.quote_name(ReportFingerprint._meta.db_table)
    select = f"SELECT value, report_id FROM {table} WHERE "
    with connection.cursor() as cursor:
        for start in range(0, len(values), FINGERPRINT_CHUNK):
            chunk = values[start:start + FINGERPRINT_CHUNK]
            if connection.vendor == "sqlite":
                cursor.execute(select + "value IN (SELECT value FROM json_each(%s))", [json.dumps(chunk)])
            elif connection.vendor == "postgresql":
                cursor.execute(select + "value = ANY(%s::bigint[])", [chunk])
            else:
                cursor.execute(select + f"value IN ({', '.join(['%s'] * len(chunk))})", chunk)
            yield from cursor.fetchall()


def store_fingerprints(prints):
    """Replace the stored fingerprints of reports ({report id: fingerprints}).

    Raw SQL rather than bulk_create: tens of thousands of two-column rows per large batch,
    where building model instances would cost more than the insert. Each INSERT takes many
    rows (as many as the backend takes parameters for), so that the driver's and the
    database's cost per statement is paid once per thousand rows, not per row: a third less
    time on SQLite. executemany() even so, for the debug cursor (DEBUG, tests counting
    queries) logs it without quoting every parameter. The rows go in the order they always did.
    """
    from django.db import connection

    ids = list(prints)
    table = connection.ops.quote_name(ReportFingerprint._meta.db_table)
    values = [v for pk, fps in prints.items() for value in fps for v in (pk, value)]
    per_insert = 2 * min(FINGERPRINT_ROWS_PER_INSERT, (connection.features.max_query_params or 2000) // 2)
    whole = len(values) - len(values) % per_insert

    def insert(rows):
        return f"INSERT INTO {table} (report_id, value) VALUES {', '.join(['(%s, %s)'] * rows)}"

    with connection.cursor() as cursor:
        # Raw SQL here too: the ORM's delete() loads every row to send post_delete signals
        # (timeline.apps listens to all models), tens of thousands of objects on a re-match.
        for start in range(0, len(ids), FINGERPRINT_CHUNK):
            chunk = ids[start:start + FINGERPRINT_CHUNK]
            cursor.execute(f"DELETE FROM {table} WHERE report_id IN ({', '.join(['%s'] * len(chunk))})", chunk)
        if whole:
            cursor.executemany(insert(per_insert // 2),
                               [values[start:start + per_insert] for start in range(0, whole, per_insert)])
        if whole < len(values):
            cursor.executemany(insert((len(values) - whole) // 2), [values[whole:]])


def rebuild_fingerprints(chunk=FINGERPRINT_CHUNK):
    """Recompute and store the fingerprints of every report, oldest first; return how many
    reports were fingerprinted. Hits the database: one read and one replace per chunk.

    For a change of how fingerprints are made (a migration calls it): copy detection looks
    earlier reports up by their stored fingerprints, so stale ones would hide every stored
    report from the copies that follow it.
    """
    done, last = 0, 0
    while True:
        reports = list(Report.objects.filter(pk__gt=last).order_by("pk").only(
            "id", "title", "summary", "content", "published", "url")[:chunk])
        if not reports:
            return done
        store_fingerprints({r.pk: stored_copy_text(r).fingerprints() for r in reports})
        done, last = done + len(reports), reports[-1].pk


def group_unmatched_reports(unmatched, matcher):
    """Put reports that match no event but name a tracked program or agency into suggested
    events, joining an open suggestion of similar recent reports or opening a new one."""
    relevant = [(report, features) for report, features in unmatched
                if report.duplicate_of is None and is_relevant(features.entities)]
    relevant_ids = {report.pk for report, _ in relevant}
    for report, _ in unmatched:
        if report.pk not in relevant_ids:
            report.suggested_event = None
    if not relevant:
        return
    since = min(r.published for r, _ in relevant) - SUGGESTION_WINDOW
    open_suggestions = list(SuggestedEvent.objects.filter(status=SuggestionStatus.OPEN, last_published__gte=since))
    groups = {}
    for suggestion in open_suggestions:
        groups[suggestion.pk] = (suggestion, Group(
            suggestion.pk, dict(suggestion.centroid), set(suggestion.entities),
            suggestion.first_published.date() if suggestion.first_published else None,
            suggestion.last_published.date() if suggestion.last_published else None, suggestion.report_count))
    touched, created = set(), []
    for report, features in relevant:
        group, _ = best_group(features.vector, features.entities, features.date,
                              [g for _, g in groups.values()], idf=matcher.index.idf)
        if group is None:
            suggestion = SuggestedEvent(title=report.title[:500] or "(untitled report)",
                                        first_published=report.published, last_published=report.published)
            group = Group(("new", len(created)))
            groups[group.id] = (suggestion, group)
            created.append(suggestion)
        suggestion = groups[group.id][0]
        group.admit(features.vector, features.entities, features.date)
        suggestion.centroid = group.centroid
        suggestion.entities = sorted(group.entities)
        suggestion.report_count = group.size
        suggestion.first_published = min(filter(None, [suggestion.first_published, report.published]))
        suggestion.last_published = max(filter(None, [suggestion.last_published, report.published]))
        strength = sum(0.5 if key.startswith("program:") else 0.25 for key in features.entities)
        suggestion.score = round(min(1.0, max(suggestion.score, strength) + 0.1 * (group.size - 1)), 3)
        report.suggested_event = suggestion
        if suggestion.pk:
            touched.add(suggestion.pk)
    # New suggestions in one insert (ids come back on PostgreSQL and SQLite), then their reports.
    SuggestedEvent.objects.bulk_create(created, batch_size=500)
    for report, _ in relevant:
        report.suggested_event_id = report.suggested_event.pk
    SuggestedEvent.objects.bulk_update(
        [groups[pk][0] for pk in touched],
        ["centroid", "entities", "report_count", "first_published", "last_published", "score"])


def outcomes_from_links(report_ids):
    """Return {report id: LinkOutcome} from stored links and copies (for reports not re-matched)."""
    outcomes = {pk: LinkOutcome() for pk in report_ids}
    links = (ReportEventLink.objects.filter(report_id__in=report_ids)
             .exclude(status=LinkStatus.REJECTED).select_related("event").order_by("-score", "id"))
    for link in links:
        status = "proposed" if link.status == LinkStatus.PROPOSED else "attached"
        outcomes[link.report_id].events.append({"event": link.event.slug, "score": link.score, "status": status})
    for pk, url, guid in Report.objects.filter(pk__in=report_ids, duplicate_of__isnull=False).values_list(
            "pk", "duplicate_of__url", "duplicate_of__guid"):
        outcomes[pk].duplicate_of = url or guid or None
    return outcomes


# --- Re-scoring when the timeline changes -----------------------------------------------------

def rescore_recent_reports(days=None):
    """Re-match recent reports that no event holds yet (no attached or approved link).

    Run after curators add or edit an event. Returns how many reports were re-matched.
    """
    days = days if days is not None else settings.MATCH_RESCORE_DAYS
    since = timezone.now() - datetime.timedelta(days=days)
    held = ReportEventLink.objects.standing().values("report_id")
    reports = list(Report.objects.filter(published__gte=since).exclude(pk__in=held).order_by("id")[:5000])
    if reports:
        # current_matcher() picks up the edited events by itself (see refresh_changed_events).
        with transaction.atomic():
            attach_reports_to_events(reports)
    return len(reports)


# --- Curators' decisions ----------------------------------------------------------------------

def approve_links(links, user, now=None):
    """Approve links (a queryset or list); record who and when. Returns how many changed."""
    return _decide_links(links, LinkStatus.APPROVED, ReviewDecision.Action.APPROVE, user, now)


def reject_links(links, user, now=None):
    """Reject links: the matcher never proposes them again. Returns how many changed."""
    return _decide_links(links, LinkStatus.REJECTED, ReviewDecision.Action.REJECT, user, now)


def _decide_links(links, status, action, user, now=None):
    """Give each link a curator's status, log the decision and fix the report's primary link."""
    now = now or timezone.now()
    changed = 0
    with transaction.atomic():
        for link in links:
            if link.status == status:
                continue
            _record_decision(link, status, user, now)
            ReviewDecision.objects.create(action=action, link=link, report_id=link.report_id,
                                          event_id=link.event_id, decided_by=user, decided_at=now)
            ensure_primary(link.report_id)
            changed += 1
    return changed


def _record_decision(link, status, user, now):
    """Set and save a link's status with who and when; a rejected link is never primary."""
    link.status, link.decided_by, link.decided_at, link.updated_at = status, user, now, now
    fields = ["status", "decided_by", "decided_at", "updated_at"]
    if status == LinkStatus.REJECTED:
        link.is_primary = False
        fields.append("is_primary")
    link.save(update_fields=fields)


def reassign_links(links, event, user, now=None):
    """Move links to another event: the old link is rejected, the report approved on `event`."""
    now = now or timezone.now()
    changed = 0
    with transaction.atomic():
        for link in links:
            if link.event_id == event.pk:
                continue
            if link.status != LinkStatus.REJECTED:
                _record_decision(link, LinkStatus.REJECTED, user, now)
            target, _ = ReportEventLink.objects.update_or_create(
                report_id=link.report_id, event=event,
                defaults={"status": LinkStatus.APPROVED, "decided_by": user, "decided_at": now, "updated_at": now},
                create_defaults={"status": LinkStatus.APPROVED, "decided_by": user, "decided_at": now,
                                 "score": link.score, "updated_at": now,
                                 "explanation": {"decided": "curator", "reassigned_from": link.event_id}})
            ReviewDecision.objects.create(action=ReviewDecision.Action.REASSIGN, link=target, report_id=link.report_id,
                                          event=event, previous_event_id=link.event_id, decided_by=user,
                                          decided_at=now)
            ensure_primary(link.report_id)
            changed += 1
    return changed


def ensure_primary(report_id):
    """Make exactly one standing link of a report primary: approved before attached, by score."""
    links = list(ReportEventLink.objects.filter(report_id=report_id).order_by("-score", "id"))
    standing = [l for l in links if l.status in (LinkStatus.APPROVED, LinkStatus.ATTACHED)]
    standing.sort(key=lambda l: (l.status != LinkStatus.APPROVED, -l.score))
    primary = standing[0].pk if standing else None
    for link in links:
        if link.is_primary != (link.pk == primary):
            ReportEventLink.objects.filter(pk=link.pk).update(is_primary=link.pk == primary)


def accept_suggestion(suggestion, event, user, now=None):
    """Record that curators made `event` from a suggestion, and approve its reports on it."""
    now = now or timezone.now()
    with transaction.atomic():
        suggestion.status, suggestion.event = SuggestionStatus.ACCEPTED, event
        suggestion.decided_by, suggestion.decided_at = user, now
        suggestion.save(update_fields=["status", "event", "decided_by", "decided_at"])
        for report in suggestion.reports.all():
            link, _ = ReportEventLink.objects.update_or_create(
                report=report, event=event,
                defaults={"status": LinkStatus.APPROVED, "decided_by": user, "decided_at": now, "updated_at": now},
                create_defaults={"status": LinkStatus.APPROVED, "decided_by": user, "decided_at": now,
                                 "score": suggestion.score, "updated_at": now,
                                 "explanation": {"decided": "curator", "suggestion": suggestion.pk}})
            ensure_primary(report.pk)
        ReviewDecision.objects.create(action=ReviewDecision.Action.ACCEPT_SUGGESTION, suggestion=suggestion,
                                      event=event, decided_by=user, decided_at=now)


def dismiss_suggestions(suggestions, user, now=None):
    now = now or timezone.now()
    changed = 0
    with transaction.atomic():
        for suggestion in suggestions:
            if suggestion.status != SuggestionStatus.OPEN:
                continue
            suggestion.status, suggestion.decided_by, suggestion.decided_at = SuggestionStatus.DISMISSED, user, now
            suggestion.save(update_fields=["status", "decided_by", "decided_at"])
            ReviewDecision.objects.create(action=ReviewDecision.Action.DISMISS_SUGGESTION, suggestion=suggestion,
                                          decided_by=user, decided_at=now)
            changed += 1
    return changed
