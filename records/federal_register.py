"""Sync Federal Register documents into the timeline: the work behind `sync_federal_register`.

`GET /api/v1/documents.json` with conditions (agencies by slug, a term, types, publication
date) returns `results` and, while more remain, `next_page_url`. Each new document becomes a
government-document Source and a draft event proposed to curators, linked to the programs its
text points at (records.entities: the matcher's entity signals). Documents are keyed by their
document number, so a re-run changes nothing.
"""
import datetime
import logging
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from records.client import SourceError, get_json
from records.entities import build_recogniser, program_scores
from records.models import RegisterDocument
from records.names import unique_slug
from records.runs import SyncResult
from records.usaspending import BadAward, parse_date
from timeline.dates import Precision
from timeline.models import Citation, Event, EventKind, Program, Source, State

logger = logging.getLogger(__name__)
DOCUMENTS_PATH = "/api/v1/documents.json"
FIELDS = ["document_number", "title", "type", "abstract", "html_url", "publication_date", "agencies"]
# A program scoring this much on a document's entity signals is linked to its draft event.
PROGRAM_LINK_SCORE = 0.5
CURSOR_OVERLAP = datetime.timedelta(days=7)


class BadDocument(ValueError):
    """A document or page that cannot be used as it is."""


@dataclass(frozen=True)
class RegisterQuery:
    agencies: tuple = ()
    term: str = ""
    types: tuple = ("NOTICE", "RULE", "PRORULE")
    published_since: datetime.date | None = None


def queries_of_watch(watch):
    """One query per search term (a watch without terms searches its agencies alone)."""
    terms = watch.term_list or [""]
    return [RegisterQuery(tuple(watch.agency_list), term, tuple(watch.type_list), watch.published_since)
            for term in terms]


def documents_url(query, per_page):
    params = [("per_page", per_page), ("order", "oldest")]
    params += [("fields[]", f) for f in FIELDS]
    params += [("conditions[agencies][]", slug) for slug in query.agencies]
    params += [("conditions[type][]", t) for t in query.types]
    if query.term:
        params.append(("conditions[term]", query.term))
    if query.published_since:
        params.append(("conditions[publication_date][gte]", query.published_since.isoformat()))
    return settings.FEDERAL_REGISTER_API_URL + DOCUMENTS_PATH + "?" + urlencode(params)


@dataclass
class RegisterDoc:
    document_number: str
    title: str
    type: str
    abstract: str
    html_url: str
    publication_date: datetime.date
    agencies: list


def parse_document(data):
    number = data.get("document_number") if isinstance(data, dict) else None
    if not number or not isinstance(number, str):
        raise BadDocument(f"a document without a document_number ({str(data)[:80]})")
    url = data.get("html_url") or ""
    if not isinstance(url, str) or not url.startswith("https://"):
        raise BadDocument(f"{number}: html_url {url!r} is not an https address")
    try:
        published = parse_date(data.get("publication_date"), f"{number}: publication_date")
    except BadAward as exc:
        raise BadDocument(str(exc)) from None
    if published is None:
        raise BadDocument(f"{number}: no publication_date")
    agencies = [a.get("name") or a.get("raw_name") or "" for a in data.get("agencies") or [] if isinstance(a, dict)]
    return RegisterDoc(number[:40], str(data.get("title") or "")[:500], str(data.get("type") or ""),
                       str(data.get("abstract") or ""), url, published, [a for a in agencies if a])


@dataclass
class RegisterSyncResult(SyncResult):
    def counts(self):
        return (f"{self.seen} documents seen on {self.pages} pages: {self.created} new, "
                f"{len(self.problems)} skipped; {self.requests.total} requests")


def sync_federal_register(queries, *, watch=None, progress=None, per_page=None):
    """Run each query to its last page and store each new document. Never raises for what the
    API does: failures are returned and recorded on `watch`. Hits the network and the database."""
    result = RegisterSyncResult()
    started = timezone.now()
    per_page = per_page or settings.RECORDS_PAGE_SIZE
    recognise = build_recogniser()
    programs = list(Program.objects.alive().prefetch_related("agencies", "vendors"))
    base = settings.FEDERAL_REGISTER_API_URL
    try:
        for query in queries:
            url = documents_url(query, per_page)
            while url:
                data = get_json(url)
                result.requests.searches += 1
                result.pages += 1
                results = data.get("results", [])  # an empty search answers without "results"
                if not isinstance(results, list):
                    raise BadDocument("the documents response has no results list")
                known = set(RegisterDocument.objects.filter(
                    document_number__in=[r.get("document_number") for r in results if isinstance(r, dict)])
                    .values_list("document_number", flat=True))
                for item in results:
                    result.seen += 1
                    try:
                        doc = parse_document(item)
                    except BadDocument as exc:
                        result.problems.append(str(exc))
                        continue
                    if doc.document_number not in known:
                        store_document(doc, watch=watch, recognise=recognise, programs=programs)
                        known.add(doc.document_number)
                        result.created += 1
                    if progress:
                        progress(1)
                url = data.get("next_page_url") or None
                if url and not url.startswith(base + "/"):
                    raise BadDocument(f"next_page_url {url!r} leaves {base}")
    except (SourceError, BadDocument) as exc:
        return result.fail(exc, watch)
    if watch is not None:
        watch.published_since = (started - CURSOR_OVERLAP).date()
    return result.succeed(watch)


@transaction.atomic
def store_document(doc, *, watch=None, recognise, programs):
    """Store a new document: its Source, its scores and a draft event. Hits the database."""
    source, _ = Source.objects.get_or_create(url=doc.html_url, defaults={
        "kind": Source.Kind.GOVERNMENT, "outlet": "Federal Register", "headline": doc.title,
        "published": doc.publication_date, "state": State.PUBLISHED,
        "notes": (f"Federal Register document {doc.document_number} ({doc.type or 'document'}); "
                  f"agencies: {', '.join(doc.agencies) or 'not given'}.\n\n{doc.abstract}").strip()})
    named = recognise(" \n".join([doc.title, doc.abstract, *doc.agencies]))
    scores = program_scores(named, programs)
    event = Event(slug=unique_slug(Event, f"federal-register {doc.document_number}", 120), title=doc.title or
                  f"Federal Register document {doc.document_number}", kind=EventKind.DOCUMENT, state=State.DRAFT,
                  date=doc.publication_date, date_precision=Precision.DAY, summary=doc.abstract)
    event.save()
    linked = [p for p in programs if scores.get(p.slug, 0) >= PROGRAM_LINK_SCORE]
    if watch is not None and watch.program_id and all(p.pk != watch.program_id for p in linked):
        linked.append(watch.program)
    event.programs.add(*linked)
    agency_ids = [pk for (kind, pk) in named if kind == "agency"]
    if agency_ids:
        event.agencies.add(*agency_ids)
    Citation.objects.create(content_type=ContentType.objects.get_for_model(Event), object_id=event.pk, source=source,
                            note=f"Federal Register document {doc.document_number}.")
    return RegisterDocument.objects.create(document_number=doc.document_number, source=source, event=event,
                                           document_type=doc.type, publication_date=doc.publication_date,
                                           program_scores=scores, watch=watch)
