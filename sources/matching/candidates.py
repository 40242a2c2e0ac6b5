"""Events as the matcher scores them, and how to pick the few worth scoring (pure, no database).

The database stores each event's terms and entity keys in a full-text index
(sources.event_documents, sources.retrieval). For a report, `search_keys` picks the report's
distinctive terms and entities (those in few events), the database returns the events holding
any of them, and `rank_candidates` keeps the events sharing the most distinctive ones.
"""
import datetime
import math
import re
from collections import Counter
from dataclasses import dataclass, field

from sources.matching.text import terms

# Terms or entities in more events than this pick no candidates (they still count when a
# candidate is scored); the postings visited per report stop at the same budget, rarest
# first, so retrieval costs the same however large the timeline grows.
POSTINGS_BUDGET = 300
CANDIDATES_SCORED = 8
ENTITY_POSTING_WEIGHT = 3.0  # an event tagged with an entity the report names, times its specificity

_PLAIN_TOKEN = re.compile(r"[a-z0-9]+")


def search_token(key):
    """Return the full-text search token of a term or entity key.

    Terms are lower-case stems or numbers, kept as they are; anything else (an acronym such
    as 'ICE', '$30m', 'agency:3') becomes 'x' and its UTF-8 bytes in hex, so that every search
    engine reads it as one token and 'ICE' never matches 'ice'.
    """
    if _PLAIN_TOKEN.fullmatch(key):
        return key
    return "x" + key.encode("utf-8").hex()


def weighted_vector(parts):
    """Return {term: weight} from (text, weight) pairs, with sublinear term frequency."""
    counts = Counter()
    for text, weight in parts:
        for term, n in Counter(terms(text)).items():
            counts[term] += weight * (1 + math.log(n))
    return dict(counts)


@dataclass
class TermStatistics:
    """Document frequencies of terms and entity keys across events, and the number of events."""

    events: int
    frequencies: dict = field(default_factory=dict)  # {term or entity key: events holding it}

    def frequency(self, key):
        return self.frequencies.get(key, 0)

    def idf(self, term):
        """Inverse document frequency: rare terms tell events apart."""
        return math.log(1 + (self.events + 1) / (self.frequency(term) + 1))

    def entity_specificity(self, key):
        """1 for an entity on one event, falling towards 0 as it appears on more of them."""
        n = self.events
        return min(1.0, math.log(1 + n / max(self.frequency(key), 1)) / math.log(1 + max(n, 2)))


@dataclass
class EventDoc:
    """What the matcher knows about one event, its text as term weights (see documents_of)."""

    id: int
    slug: str
    date: datetime.date | None = None
    date_end: datetime.date | None = None
    precision: str = "day"
    entities: frozenset = frozenset()     # entity keys the event is tagged with ('agency:3')
    event_terms: dict = field(default_factory=dict)     # title (x1.5) and summary
    program_terms: dict = field(default_factory=dict)   # names, aliases and summaries of its programs
    coverage_terms: dict = field(default_factory=dict)  # headlines of its sources and attached reports

    @classmethod
    def from_text(cls, id, slug, title, summary="", date=None, date_end=None, precision="day",
                  entities=frozenset(), program_texts=(), coverage=()):
        """Build an EventDoc from an event's texts (what sources.event_documents stores)."""
        return cls(id, slug, date, date_end or date, precision, frozenset(entities),
                   weighted_vector([(title, 1.5), (summary, 1.0)]),
                   weighted_vector([(text, 1.0) for text in program_texts]),
                   weighted_vector([(text, 1.0) for text in coverage]))

    @property
    def keys(self):
        """The terms and entity keys that find this event (its search document)."""
        return set(self.event_terms) | set(self.coverage_terms) | set(self.entities)

    def with_coverage(self, headlines):
        """Return a copy counting more headlines as coverage (reports attached in this batch)."""
        coverage = Counter(self.coverage_terms)
        coverage.update(weighted_vector([(text, 1.0) for text in headlines]))
        return EventDoc(self.id, self.slug, self.date, self.date_end, self.precision, self.entities,
                        self.event_terms, self.program_terms, dict(coverage))


def search_keys(report_terms, report_entities, statistics, budget=POSTINGS_BUDGET):
    """Return the report's terms and entity keys worth looking events up by, rarest first.

    Keys in no event, or in more than `budget` events, are skipped; the walk stops at the
    first key whose events would overrun what is left of the budget.
    """
    keys = sorted((statistics.frequency(key), key) for key in set(report_terms) | set(report_entities))
    chosen = []
    for events, key in keys:
        if events == 0:
            continue
        if events > budget:
            break
        budget -= events
        chosen.append(key)
    return chosen


def rank_candidates(keys, holders, entity_keys, statistics, limit=CANDIDATES_SCORED):
    """Return ids of the events most worth scoring, best first.

    keys: what search_keys chose; holders: {event id: the keys its document holds};
    entity_keys: which keys are entities. An event gains each chosen term's idf and
    ENTITY_POSTING_WEIGHT times each chosen entity's specificity; ties go to the older event.
    """
    weights = {key: ENTITY_POSTING_WEIGHT * statistics.entity_specificity(key) if key in entity_keys
               else statistics.idf(key) for key in keys}
    tally = {event_id: sum(weights[key] for key in held if key in weights) for event_id, held in holders.items()}
    ranked = sorted((event_id for event_id, total in tally.items() if total > 0),
                    key=lambda event_id: (-tally[event_id], event_id))
    return ranked[:limit]
