"""Events as plain documents, and an inverted index that finds the few worth scoring.

Candidate lookup walks postings of a report's distinctive terms and named entities only, so
its cost depends on how many events share those, not on how many events exist.
"""
import datetime
import math
from collections import Counter
from dataclasses import dataclass, field, replace
from operator import mul

from sources.matching.text import WordMemo, terms

# Terms or entities in more events than this are too common to pick candidates by (they still
# count when a candidate is scored).
MAX_POSTINGS_WALKED = 300
# Postings entries visited per report, rarest terms first: bounds the cost of a lookup however
# large the timeline grows (the rarest terms are also the ones that tell events apart).
POSTINGS_BUDGET = 300
CANDIDATES_SCORED = 8


@dataclass(slots=True)
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


class WeightedVector:
    """Term weights multiplied by idf, with their Euclidean norm (computed once per event)."""

    __slots__ = ("weights", "norm")

    def __init__(self, raw, idf):
        """idf: a function of a term (the index's idf table's __getitem__ makes this a loop in C)."""
        # {term: weight * idf(term)}, built by dict(zip(...)) over maps.
        self.weights = dict(zip(raw, map(mul, raw.values(), map(idf, raw))))
        weights = self.weights.values()
        self.norm = math.sqrt(sum(map(mul, weights, weights))) or 1.0  # the same sum, its loop in C

    def cosine(self, other):
        """Cosine similarity with another WeightedVector."""
        a, b = self.weights, other.weights
        if len(a) > len(b):
            a, b = b, a
        dot = 0.0
        for term, weight in a.items():
            other_weight = b.get(term)
            if other_weight is not None:
                dot += weight * other_weight
        return dot / (self.norm * other.norm) if dot else 0.0


@dataclass(slots=True)
class IndexedEvent:
    doc: EventDoc
    event_vector: dict      # raw term weights
    program_vector: dict
    coverage_vector: dict
    title_terms: frozenset
    weighted: tuple = ()    # WeightedVectors of event, programs and coverage

    def set_weighted(self, event, programs, coverage):
        self.weighted = (event, programs, coverage)

    def similarities(self, vector):
        """Return the cosine similarity of a WeightedVector with the event's own text, its
        programs and its coverage.

        Each dot product runs over the terms the two share, found by a set intersection in C,
        rather than over every term of the shorter vector; an empty vector (no programs, no
        coverage yet) costs nothing.
        """
        weights = vector.weights
        terms_of_report, norm = weights.keys(), vector.norm
        out = []
        for other in self.weighted:
            other_weights = other.weights
            dot = 0.0
            if other_weights:
                for term in terms_of_report & other_weights.keys():
                    dot += weights[term] * other_weights[term]
            out.append(dot / (norm * other.norm) if dot else 0.0)
        return tuple(out)


@dataclass
class EventIndex:
    """Events with their term vectors, document frequencies and postings.

    Inverse document frequencies are fixed when the index is built (or refreshed): an event
    added later is weighted with them, so adding one event does not re-weight all others.
    """

    events: dict = field(default_factory=dict)
    df: Counter = field(default_factory=Counter)
    entity_df: Counter = field(default_factory=Counter)
    term_postings: dict = field(default_factory=dict)
    entity_postings: dict = field(default_factory=dict)
    _idf: WordMemo = None  # {term: idf}, each worked out on first use (see idf_table)
    _idf_n: int = 0
    # {term: (postings size, term, postings)} for the terms a lookup may walk (postings of 1 to
    # MAX_POSTINGS_WALKED events), kept up to date wherever postings change: a lookup then
    # finds a report's walkable terms by one set intersection in C, not a loop over its terms.
    walkable: dict = field(default_factory=dict)
    _walk_limit: int = 0

    def __post_init__(self):
        if self._idf is None:
            self._idf = self.idf_table()

    @classmethod
    def build(cls, docs):
        index = cls()
        for doc in docs:
            index.add(doc, weigh=False)
        index.refresh()
        return index

    def __len__(self):
        return len(self.events)

    def refresh(self):
        """Recompute idf from the current document frequencies and re-weigh every event."""
        self._idf, self._idf_n = self.idf_table(), len(self.events)
        for entry in self.events.values():
            self._weigh(entry)
        self.rebuild_walkable()

    def rebuild_walkable(self, limit=None):
        """Recompute the walkable terms from the postings (at build, and if the limit changed)."""
        self._walk_limit = limit or max(MAX_POSTINGS_WALKED, 1)
        self.walkable = {}
        for term in self.term_postings:
            self._note_postings(term)

    def _note_postings(self, term):
        """Bring the term's walkable entry in line with its postings (call after they change)."""
        postings = self.term_postings.get(term, ())
        if 0 < len(postings) <= self._walk_limit:
            self.walkable[term] = (len(postings), term, postings)
        else:
            self.walkable.pop(term, None)

    def _weigh(self, entry):
        idf = self._idf.__getitem__
        entry.set_weighted(WeightedVector(entry.event_vector, idf), WeightedVector(entry.program_vector, idf),
                           WeightedVector(entry.coverage_vector, idf))

    def add(self, doc, weigh=True):
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
            self._note_postings(term)
        for key in doc.entities:
            self.entity_df[key] += 1
            self.entity_postings.setdefault(key, set()).add(doc.id)
        if weigh:
            self._weigh(entry)

    def add_coverage(self, event_id, text, keep=20):
        """Count a newly attached report's headline as the event's coverage (up to `keep`)."""
        entry = self.events.get(event_id)
        if entry is None or not text or len(entry.doc.coverage) >= keep:
            return
        entry.doc = replace(entry.doc, coverage=entry.doc.coverage + (text,))
        for term, weight in weighted_vector([(text, 1.0)]).items():
            if term not in entry.coverage_vector and term not in entry.event_vector:
                self.df[term] += 1
                self.term_postings.setdefault(term, set()).add(event_id)
                self._note_postings(term)
            entry.coverage_vector[term] = entry.coverage_vector.get(term, 0.0) + weight
        event, programs, _ = entry.weighted or (None, None, None)
        if event is None:
            self._weigh(entry)
        else:
            entry.set_weighted(event, programs, WeightedVector(entry.coverage_vector, self.idf))

    def remove(self, event_id):
        entry = self.events.pop(event_id, None)
        if entry is None:
            return
        for term in set(entry.event_vector) | set(entry.coverage_vector):
            self.df[term] -= 1
            self.term_postings[term].discard(event_id)
            self._note_postings(term)
        for key in entry.doc.entities:
            self.entity_df[key] -= 1
            self.entity_postings[key].discard(event_id)

    def idf(self, term):
        return self._idf[term]

    def idf_table(self):
        """An empty {term: idf} that works each term's out on first use and keeps it until the
        next refresh (never emptied before: a term's weight stays what it was when first used,
        for reports and events alike). Read through __getitem__, a known term costs no call."""
        return WordMemo(self.compute_idf, limit=math.inf)

    def compute_idf(self, term):
        """Work out a term's idf from the document frequencies (idf() remembers it)."""
        n = self._idf_n or len(self.events)
        return math.log(1 + (n + 1) / (self.df.get(term, 0) + 1))

    def weigh(self, raw):
        """Return a WeightedVector for a report's raw term weights."""
        return WeightedVector(raw, self._idf.__getitem__)

    def entity_specificity(self, key):
        """1 for an entity on one event, falling towards 0 as it appears on more of them."""
        n = len(self.events)
        df = max(self.entity_df.get(key, 0), 1)
        return min(1.0, math.log(1 + n / df) / math.log(1 + max(n, 2)))

    def candidates(self, report_terms, report_entities, limit=CANDIDATES_SCORED):
        """Return ids of the events most worth scoring for a report (best first)."""
        walk_limit = max(MAX_POSTINGS_WALKED, 1)
        if walk_limit != self._walk_limit:
            self.rebuild_walkable(walk_limit)
        walkable = self.walkable
        # (postings size, name, postings) of each list worth walking, terms then entities.
        lists = list(map(walkable.__getitem__, walkable.keys() & report_terms))
        entity_keys = set()
        for key in report_entities:
            postings = self.entity_postings.get(key)
            if postings and len(postings) <= walk_limit:
                lists.append((len(postings), key, postings))
                entity_keys.add(key)
        # Rarest first, and equally rare ones by name (entity keys hold a colon, terms never do,
        # so no two lists tie on both and the postings themselves are never compared): the
        # order of a set of strings changes from one process to the next, and with it which
        # lists fit the budget and how ties among candidates fall. By name, every worker picks
        # the same candidates for the same report.
        lists.sort()
        # A plain dict rather than a Counter: most events are seen once, and Counter's
        # __missing__ for each new key is a Python call; and a membership test rather than
        # tally.get(), which is a call too (a third of the loop's time). Same sums, same order
        # as most_common.
        tally, budget = {}, POSTINGS_BUDGET
        idf = self._idf.__getitem__
        for size, name, postings in lists:
            if size > budget:
                break
            budget -= size
            # Weights only for the lists walked: the budget stops the walk after a few.
            weight = 3.0 * self.entity_specificity(name) if name in entity_keys else idf(name)
            for event_id in postings:
                if event_id in tally:
                    tally[event_id] += weight
                else:
                    tally[event_id] = weight
        # The events by tally, highest first, equal ones in the order first seen (a stable sort,
        # which reverse=True keeps): what heapq.nlargest promises, ties included, in C.
        return sorted(tally, key=tally.__getitem__, reverse=True)[:limit]
