"""Store a fetched feed document as Reports: the work behind the poll task and both commands.

    result = ingest_feed_document(feed, body, fetched_at=now)
    for outcome in result.outcomes:
        print(json.dumps(outcome.json_row()))

Two seams for matching (issue 4):
- `hand_on_new_reports` is the one place newly stored reports go after they are saved, inside
  the same transaction; matching fills `duplicate_of` and `events` on the outcomes there.
- `EntryOutcome.json_row` is the one place the JSON Lines rows of `poll_feed --json` are built.
"""
import logging
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from sources.entries import extract_entries
from sources.linking import attach_reports_to_events, outcomes_from_links
from sources.models import Report
from sources.parsing import UnusableDocument, describe_problem, parse_feed_document
from sources.queueing import enqueue_on_commit

logger = logging.getLogger(__name__)

__all__ = ["EntryOutcome", "IngestResult", "UnusableDocument", "hand_on_new_reports", "ingest_feed_document"]

# Fields an entry can change on a later poll (the key, feed and first fetch time never change).
UPDATABLE_FIELDS = ["guid", "url", "title", "summary", "content", "author", "published",
                    "published_fallback", "content_hash"]
BATCH_SIZE = 500


@dataclass
class EntryOutcome:
    """What happened to one entry of the document."""

    guid: str
    link: str
    report_id: int | None
    created: bool  # stored by this ingest (False: already stored, by this or an earlier poll)
    updated: bool = False  # already stored, and its text changed since
    report: Report | None = None  # the saved row; unsaved fields may be missing when not created
    duplicate_of: str | None = None  # filled by matching: link of the earlier report this copies
    events: list = field(default_factory=list)  # filled by matching: [{"event", "score", "status"}]

    def json_row(self):
        """Return the row `poll_feed --json` prints (contract: ../shared/eval/score_matching.py)."""
        return {
            "guid": self.guid,
            "link": self.link,
            "report": self.report_id,
            "created": self.created,
            "duplicate_of": self.duplicate_of,
            "events": self.events,
        }


@dataclass
class IngestResult:
    title: str
    outcomes: list
    problems: list  # what was wrong with the document or with entries that were skipped

    @property
    def created(self):
        return sum(1 for o in self.outcomes if o.created)

    @property
    def warning(self):
        return "; ".join(self.problems)[:2000]


def ingest_feed_document(feed, body, *, fetched_at=None, content_type="", base_url=None, match=True):
    """Parse `body` and store its entries as Reports of `feed`, idempotently. Hits the database.

    Raises UnusableDocument (with a message for the feed's last error) when the document has
    no feed in it; a document that parsed with problems is stored as far as it goes and the
    problems are returned. Queries: one for the keys already stored, one insert per 500 new
    entries, one for the new ids, one update per 500 changed entries, and the feed title when it
    was empty. With match=True, new reports are handed to matching (see the module docstring).
    """
    fetched_at = fetched_at or timezone.now()
    base_url = feed.url if base_url is None else base_url
    parsed = parse_feed_document(body, content_type=content_type)
    entries, problems = extract_entries(parsed, fetched_at, base_url=base_url if base_url.startswith("http") else "")
    problem = describe_problem(parsed)
    if problem:
        problems.insert(0, problem)
    if parsed.entries and not entries:
        raise UnusableDocument("no usable entries: " + "; ".join(problems)[:1000])
    title = (parsed.feed.get("title") or "").strip()[:500] if hasattr(parsed, "feed") else ""
    with transaction.atomic():
        outcomes = store_entries(feed, entries, fetched_at)
        if title and not feed.title and feed.pk:
            feed.title = title
            type(feed).objects.filter(pk=feed.pk, title="").update(title=title)
        if match:
            hand_on_new_reports(feed, outcomes)
    return IngestResult(title=title, outcomes=outcomes, problems=problems)


def store_entries(feed, entries, fetched_at):
    """Insert new entries and update changed ones in bulk; return one EntryOutcome per entry.

    Entries sharing a key (the same item twice in a document) become one report. Safe against
    a concurrent or repeated run: inserts skip keys that appeared meanwhile (the unique
    constraint), and ids are read back afterwards.
    """
    first_by_key = {}
    for entry in entries:
        first_by_key.setdefault(entry.key, entry)
    existing = {
        key: (pk, content_hash)
        for key, pk, content_hash in Report.objects.filter(feed=feed, key__in=list(first_by_key))
        .values_list("key", "id", "content_hash")
    }
    new_rows, changed_rows = [], []
    for key, entry in first_by_key.items():
        fields = {name: getattr(entry, "link" if name == "url" else name) for name in UPDATABLE_FIELDS}
        if key not in existing:
            new_rows.append(Report(feed=feed, key=key, fetched_at=fetched_at, **fields))
        elif existing[key][1] != entry.content_hash:
            changed_rows.append(Report(pk=existing[key][0], feed=feed, key=key, **fields))
    if new_rows:
        Report.objects.bulk_create(new_rows, batch_size=BATCH_SIZE, ignore_conflicts=True)
        new_ids = dict(Report.objects.filter(feed=feed, key__in=[r.key for r in new_rows]).values_list("key", "id"))
        for row in new_rows:
            row.pk = new_ids.get(row.key)
    if changed_rows:
        Report.objects.bulk_update(changed_rows, UPDATABLE_FIELDS, batch_size=BATCH_SIZE)

    rows = {r.key: r for r in new_rows}
    changed = {r.key: r for r in changed_rows}
    outcomes, seen = [], set()
    for entry in entries:
        first = entry.key not in seen
        seen.add(entry.key)
        if entry.key in rows:
            report = rows[entry.key]
            outcomes.append(EntryOutcome(entry.guid, entry.link, report.pk, created=first, report=report))
        else:
            report = changed.get(entry.key)
            outcomes.append(EntryOutcome(entry.guid, entry.link, existing[entry.key][0], created=False,
                                         updated=first and report is not None, report=report))
    return outcomes


def hand_on_new_reports(feed, outcomes):
    """Pass freshly stored reports on to matching. Runs inside the ingest transaction.

    New and changed reports are matched now (sources.linking.attach_reports_to_events: copies,
    event links, suggestions), so `duplicate_of` and `events` are filled on their outcomes by
    the time the poll returns; reports seen before show their stored links.
    """
    fresh, seen = [], {}
    for outcome in outcomes:
        if outcome.report is not None and (outcome.created or outcome.updated):
            fresh.append(outcome.report)
        elif outcome.report_id is not None:
            seen[outcome.report_id] = outcome
    try:
        with transaction.atomic():  # a savepoint: a matching failure must not lose the reports
            matched = attach_reports_to_events(fresh)
    except Exception:  # noqa: BLE001 - the reports are stored; matching is retried by the task
        logger.exception("matching %d new reports of feed %s failed; queued for a retry", len(fresh), feed.pk)
        matched = {}
        ids = [report.pk for report in fresh]
        if ids:
            enqueue_on_commit("sources.tasks.match_reports", ids)
    stored = outcomes_from_links(list({pk for pk in seen})) if seen else {}
    for outcome in outcomes:
        result = matched.get(outcome.report_id) if outcome.created or outcome.updated else None
        result = result or stored.get(outcome.report_id)
        if result is not None:
            outcome.duplicate_of, outcome.events = result.duplicate_of, result.events
    return outcomes
