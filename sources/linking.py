"""Attach stored reports to timeline events: the database side of sources.matching.

    outcomes = attach_reports_to_events(reports)   # {report id: LinkOutcome}

For each report the database's full-text index finds candidate events (sources.retrieval),
the pure matcher scores them and decides; this module writes the links, the copies found by
sources.copy_detection and the suggestions of sources.suggesting, and keeps the events'
matching documents current with their new coverage (sources.event_documents).
"""
import datetime
import logging
import threading
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils import timezone

from sources.copy_detection import find_copies, report_document
from sources.matching.copies import follow_original
from sources.event_documents import refresh_event_documents
from sources.matching import Entity, Gazetteer, Matcher, entity_key
from sources.models import LinkStatus, MatcherModel, Report, ReportEventLink
from sources.retrieval import candidate_events, term_statistics
from sources.suggesting import group_unmatched_reports
from timeline.models import Agency, Organization, Person, Program

logger = logging.getLogger(__name__)

CHUNK = 500
# A report whose best proposal's hand-weighted score is below this matches no event well: it may also start or
# join a suggested event (curators see both the weak proposal and the suggestion).
SUGGEST_BELOW_SCORE = 0.4
NAMED_MODELS = (("agency", Agency), ("program", Program), ("organization", Organization), ("person", Person))


@dataclass
class LinkOutcome:
    """What matching decided for one report, in the form `poll_feed --json` prints."""

    duplicate_of: str | None = None
    events: list = field(default_factory=list)


# --- The gazetteer: the names the timeline tracks -------------------------------------------

def timeline_entities():
    """Return the gazetteer's entities: live agencies, programs, organizations, people. 4 queries."""
    entities = []
    for agency in Agency.objects.alive().only("id", "name", "abbreviation", "aliases", "parent_id"):
        entities.append(Entity(entity_key("agency", agency.pk), "agency", agency.name,
                               (agency.name, *agency.alias_list),
                               (agency.abbreviation,) if agency.abbreviation else (),
                               (entity_key("agency", agency.parent_id),) if agency.parent_id else ()))
    for kind, model in NAMED_MODELS[1:]:
        for record in model.objects.alive().only("id", "name", "aliases"):
            entities.append(Entity(entity_key(kind, record.pk), kind, record.name, (record.name, *record.alias_list)))
    return entities


def names_version():
    """Return a value that changes whenever agencies, programs, organizations or people do. 4 queries."""
    return tuple(tuple(model.objects.aggregate(n=Count("id"), latest=Max("modified_at")).values())
                 for _, model in NAMED_MODELS)


_names = threading.local()


def current_gazetteer():
    """Return this thread's Gazetteer of the timeline's names, rebuilt when they change.

    It holds names only (a few thousand at most), never events: its size does not grow with
    the timeline, and it is built on first use, not at start. Hits the database: 4 queries,
    4 more when the names changed.
    """
    version = names_version()
    cached = getattr(_names, "gazetteer", None)
    if cached is None or cached[0] != version:
        cached = _names.gazetteer = (version, Gazetteer.build(timeline_entities()))
    return cached[1]


# --- Matching a batch of reports ------------------------------------------------------------

def link_of(report):
    return report.url or report.guid or None


def current_matcher():
    """Return a Matcher with this thread's gazetteer, scoring with the active learned model
    version (its thresholds decide) or, without one, the configured thresholds. One query for
    the model version (sources.models.MatcherModel)."""
    matcher = Matcher(current_gazetteer(), attach_threshold=settings.MATCH_ATTACH_THRESHOLD,
                      propose_threshold=settings.MATCH_PROPOSE_THRESHOLD)
    stored_model = MatcherModel.objects.active()
    if stored_model is not None:
        matcher.use_model(stored_model.learned())
    return matcher


def attach_reports_to_events(reports, *, now=None):
    """Match reports (saved Report rows, in the order they were stored): detect copies, write
    links and suggestions. Returns {report id: LinkOutcome}. Hits the database: a fixed
    number of queries per batch, plus sources.retrieval.candidate_events' few per report.

    Curators' decisions stand: approved links are kept as they are, rejected events are never
    proposed again for the same report.
    """
    reports = [r for r in reports if r.pk is not None]
    if not reports:
        return {}
    now = now or timezone.now()
    matcher = current_matcher()
    features = {r.pk: matcher.features(report_document(r)) for r in reports}
    statistics = term_statistics({term for f in features.values() for term in f.vector})
    copies = find_copies(reports, {pk: f.article for pk, f in features.items()})
    existing = defaultdict(dict)
    for link in ReportEventLink.objects.filter(report_id__in=[r.pk for r in reports]).select_related("event"):
        existing[link.report_id][link.event_id] = link

    original_links, rejected_on_copies = links_of_originals({copied[0].pk for copied in copies.values()})

    outcomes, new_links, changed_links, stale_ids, unmatched = {}, [], [], [], []
    covered = defaultdict(list)   # {event id: headlines of reports attached in this batch}
    for report in reports:
        links = existing[report.pk]
        rejected = {event_id for event_id, link in links.items() if link.status == LinkStatus.REJECTED}
        approved = {event_id: link for event_id, link in links.items() if link.status == LinkStatus.APPROVED}
        candidates = [event.with_coverage(covered[event.id]) if covered.get(event.id) else event
                      for event in candidate_events(features[report.pk], statistics)]
        result = matcher.match(features[report.pk], candidates, statistics, rejected=rejected | set(approved))
        copied = copies.get(report.pk)
        if copied:
            # A copy follows its original (sources.matching.copies.follow_original).
            original = copied[0].pk
            result.decisions = [d for d in follow_original(
                result.decisions, original_links.get(original, {}), rejected_on_copies.get(original, set()), original)
                if d.event_id not in rejected and d.event_id not in approved]
        else:
            # Later copies in this batch follow what was decided here, curators' decisions included.
            original_links[report.pk] = {
                **{event_id: (link.status, link.score, link.event.slug) for event_id, link in links.items()
                   if link.is_decided},
                **{d.event_id: (d.status, d.score, d.slug) for d in result.decisions}}
        decided_ids = set()
        for decision in result.decisions:
            decided_ids.add(decision.event_id)
            explanation = dict(decision.explanation, decided="matcher")
            link = links.get(decision.event_id)
            if link is None:
                link = ReportEventLink(report_id=report.pk, event_id=decision.event_id, created_at=now)
                new_links.append(link)
            else:
                changed_links.append(link)
            link.score, link.status, link.explanation, link.updated_at = (
                decision.score, decision.status, explanation, now)
            link.model_version_id = explanation.get("model_version")
            link.is_primary = decision.is_primary and not approved
        # Links the matcher no longer stands behind go, unless a curator decided them.
        stale_ids += [link.pk for event_id, link in links.items()
                      if event_id not in decided_ids and not link.is_decided]

        report.duplicate_of = copied[0] if copied else None
        report.duplicate_of_id = copied[0].pk if copied else None
        report.copy_evidence = copied[1] if copied else {}
        report.matched_at = now
        report.suggested_event = None
        # On the hand-weighted scale (the signals' strength), whatever model turned it into a probability.
        best = max((d.explanation.get("heuristic_score", d.score) for d in result.decisions), default=0.0)
        if not approved and not result.attached and best < SUGGEST_BELOW_SCORE:
            unmatched.append((report, result.features))
        for decision in result.attached:
            if report.duplicate_of is None:
                covered[decision.event_id].append(report.title)
        rows = [{"event": link.event.slug, "score": link.score, "status": "attached"} for link in approved.values()]
        rows += [{"event": d.slug, "score": d.score, "status": d.status} for d in result.decisions]
        outcomes[report.pk] = LinkOutcome(duplicate_of=link_of(copied[0]) if copied else None,
                                          events=sorted(rows, key=lambda row: -row["score"]))

    ReportEventLink.objects.filter(pk__in=stale_ids).delete()
    ReportEventLink.objects.bulk_update(changed_links, ["score", "status", "explanation", "is_primary",
                                                        "model_version", "updated_at"], batch_size=CHUNK)
    # A link another worker wrote meanwhile is kept as it is.
    ReportEventLink.objects.bulk_create(new_links, batch_size=CHUNK, ignore_conflicts=True)
    group_unmatched_reports(unmatched, statistics)
    Report.objects.bulk_update(reports, ["matched_at", "duplicate_of", "copy_evidence", "suggested_event"],
                               batch_size=CHUNK)
    refresh_event_documents(covered)
    # The links' and reports' bulk writes told the caches themselves (TrackedQuerySet).
    return outcomes


def links_of_originals(original_ids):
    """Return ({original id: {event id: (status, score, slug)}}, {original id: events rejected
    on its copies}) for the originals of copies found in a batch. One query."""
    links, rejected_on_copies = defaultdict(dict), defaultdict(set)
    if not original_ids:
        return links, rejected_on_copies
    rows = ReportEventLink.objects.filter(
        Q(report_id__in=original_ids) | Q(report__duplicate_of_id__in=original_ids, status=LinkStatus.REJECTED)
    ).values_list("report_id", "report__duplicate_of_id", "event_id", "event__slug", "status", "score")
    for report_id, original_id, event_id, slug, status, score in rows:
        if report_id in original_ids:
            links[report_id][event_id] = (status, score, slug)
        else:
            rejected_on_copies[original_id].add(event_id)
    return links, rejected_on_copies


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
        with transaction.atomic():
            attach_reports_to_events(reports)
    return len(reports)
