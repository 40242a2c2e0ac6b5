"""Events as plain documents, and an inverted index that finds the few worth scoring.

Candidate lookup walks postings of a report's distinctive terms and named entities only, so
its cost depends on how many events share those, not on how many events exist.
"""
import datetime
import math
from collections import Counter
from dataclasses import dataclass, field, replace

from sources.matching.text import terms

# Terms or entities in more events than this are too common to pick candidates by (they still
# count when a candidate is scored).
MAX_POSTINGS_WALKED = 400
CANDIDATES_SCORED = 25


@dataclass
class EventDoc:
    """What the matcher knows about one event. Build it from the database or from a fixture."""

    id: int
    slug: str
    title: str
    summary: str = ""
    date: datetime.date | None = None
    date_end: datetime.date | None = None
    precision: str = "day"
    entities: frozenset = frozenset()     # entity keys the event is tagged with ('agency:3')
    program_texts: tuple = ()             # names, aliases and summaries of its programs
    coverage: tuple = ()                  # headlines and quotes of its sources and attached reports


def weighted_vector(parts):
    """Return {term: weight} from (text, weight) pairs, with sublinear term frequency."""
    counts = Counter()
    for text, weight in parts:
        for term, n in Counter(terms(text)).items():
            counts[term] += weight * (1 + math.log(n))
    return dict(counts)


@dataclass
class IndexedEvent:
    doc: EventDoc
    event_vector: dict
    program_vector: dict
    coverage_vector: dict
    title_terms: frozenset


@dataclass
class EventIndex:
    """Events with their term vectors, document frequencies and postings."""

    events: dict = field(default_factory=dict)
    df: Counter = field(default_factory=Counter)
    entity_df: Counter = field(default_factory=Counter)
    term_postings: dict = field(default_factory=dict)
    entity_postings: dict = field(default_factory=dict)

    @classmethod
    def build(cls, docs):
        index = cls()
        for doc in docs:
            index.add(doc)
        return index

    def __len__(self):
        return len(self.events)

    def add(self, doc):
        """Add or replace one event."""
        if doc.id in self.events:
            self.remove(doc.id)
        event_vector = weighted_vector([(doc.title, 1.5), (doc.summary, 1.0)])
        program_vector = weighted_vector([(text, 1.0) for text in doc.program_texts])
        coverage_vector = weighted_vector([(text, 1.0) for text in doc.coverage])
        entry = IndexedEvent(doc, event_vector, program_vector, coverage_vector, frozenset(terms(doc.title)))
        self.events[doc.id] = entry
        for term in set(event_vector) | set(coverage_vector):
            self.df[term] += 1
            self.term_postings.setdefault(term, set()).add(doc.id)
        for key in doc.entities:
            self.entity_df[key] += 1
            self.entity_postings.setdefault(key, set()).add(doc.id)

    def add_coverage(self, event_id, text, keep=20):
        """Count a newly attached report's headline as the event's coverage (latest `keep`)."""
        entry = self.events.get(event_id)
        if entry is None or not text:
            return
        doc = entry.doc
        self.add(replace(doc, coverage=(doc.coverage + (text,))[-keep:]))

    def remove(self, event_id):
        entry = self.events.pop(event_id, None)
        if entry is None:
            return
        for term in set(entry.event_vector) | set(entry.coverage_vector):
            self.df[term] -= 1
            self.term_postings[term].discard(event_id)
        for key in entry.doc.entities:
            self.entity_df[key] -= 1
            self.entity_postings[key].discard(event_id)

    def idf(self, term):
        return math.log(1 + (len(self.events) + 1) / (self.df.get(term, 0) + 1))

    def entity_specificity(self, key):
        """1 for an entity on one event, falling towards 0 as it appears on more of them."""
        n = len(self.events)
        df = max(self.entity_df.get(key, 0), 1)
        return min(1.0, math.log(1 + n / df) / math.log(1 + max(n, 2)))

    def candidates(self, report_terms, report_entities, limit=CANDIDATES_SCORED):
        """Return ids of the events most worth scoring for a report (best first)."""
        walk_limit = max(MAX_POSTINGS_WALKED, 1)
        tally = Counter()
        for term in set(report_terms):
            postings = self.term_postings.get(term)
            if not postings or len(postings) > walk_limit:
                continue
            weight = self.idf(term)
            for event_id in postings:
                tally[event_id] += weight
        for key in report_entities:
            postings = self.entity_postings.get(key)
            if not postings or len(postings) > walk_limit:
                continue
            weight = 3.0 * self.entity_specificity(key)
            for event_id in postings:
                tally[event_id] += weight
        return [event_id for event_id, _ in tally.most_common(limit)]
