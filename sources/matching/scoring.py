"""Score a report against candidate events, each score with its explanation.

A score in 0..1 blends what a curator weighs: the entities both name (weighted by how specific
each is), text similarity to the event itself, to its programs and to its earlier coverage,
and whether the report's date fits the event's date at its precision.
"""
import datetime
import math
import re
from collections import Counter
from dataclasses import dataclass, field

from sources.matching.furniture import article_text
from sources.matching.gazetteer import KIND_WEIGHT
from sources.matching.text import WordMemo, is_shouting, plain_text, raw_words, strip_site_name, terms, terms_of_words

BODY_WORDS = 250  # the lede carries the story; long bodies drift into background


@dataclass
class ReportDoc:
    """One news item as the matcher sees it."""

    id: object
    title: str
    summary: str = ""
    content: str = ""
    published: datetime.date | None = None
    link: str = ""


@dataclass
class ReportFeatures:
    title: str
    body: str
    title_terms: list
    body_terms: list
    vector: dict
    entities: dict         # key -> weight of the mention (title mentions count more)
    implied: set
    date: datetime.date | None
    weighted: object = None  # the vector weighted by the index's idf (set by the matcher)
    body_words: list = None  # the body split by text.raw_words (copy detection reuses them)

    @property
    def segments(self):
        """The report's clauses (sentences, list items) of three terms or more, for round-ups."""
        return [s for s in _CLAUSE_SPLIT.split(f"{self.title}. {self.body}") if len(terms(s)) >= 3]


_CLAUSE_SPLIT = re.compile(r"(?<=[.!?;])\s+|;\s*|\s+[\u2013\u2014]\s+")


def report_body(doc):
    """Return the report's text without page furniture: its summary and its article."""
    content = article_text(doc.content) if doc.content else ""
    if content and doc.summary:
        # Most feeds' summary is the article's opening: when its text opens a passage of the
        # article, and the article is no shorter, the article is the body, and the summary's
        # own furniture need not be looked for (any other summary is read as below).
        lede = " ".join(plain_text(doc.summary).split())
        if lede[:80] in content and len(content) >= len(lede):
            return _first_words(content)
    summary = article_text(doc.summary) if doc.summary else ""
    if content and summary and (summary[:80] in content or content[:80] in summary):
        body = content if len(content) >= len(summary) else summary
    else:
        body = "\n".join(part for part in (summary, content) if part)
    return _first_words(body)


def _first_words(text):
    """Return the first BODY_WORDS words of article text on one line, single-spaced.

    article_text's lines are single-spaced already, none blank, so its words are those of
    text.split() and joining them is replacing the line breaks (no split and join of every
    word, unless the text is longer than that).
    """
    if text.count(" ") + text.count("\n") < BODY_WORDS:
        return text.replace("\n", " ")
    return " ".join(text.split()[:BODY_WORDS])


def _term_frequency_weights(scale):
    """{times a term occurs: its weight}, sublinear (scale * (1 + log n)), each worked out once.
    A term seen once, the common case, weighs exactly the scale."""
    return WordMemo(lambda n: scale if n == 1 else scale * (1 + math.log(n)), limit=math.inf)


_TITLE_TF, _BODY_TF = _term_frequency_weights(2.0), _term_frequency_weights(1.0)


def report_features(doc, gazetteer):
    """Extract terms, entities and date from a report (pure; no database)."""
    title = strip_site_name(plain_text(doc.title))
    body = report_body(doc)
    title_words, body_words = raw_words(title), raw_words(body)
    title_shouting, body_shouting = is_shouting(title), is_shouting(body)
    title_terms = terms_of_words(title_words, title_shouting)
    body_terms = terms_of_words(body_words, body_shouting)
    # Sublinear term frequency, headline terms counting double: {term: its headline weight
    # + its body weight}, the terms in order of first use, headline first. Built by dict(zip())
    # over the counts, the weight of each count read from a table: loops in C.
    title_counts, body_counts = Counter(title_terms), Counter(body_terms)
    title_vector = dict(zip(title_counts, map(_TITLE_TF.__getitem__, title_counts.values())))
    body_vector = dict(zip(body_counts, map(_BODY_TF.__getitem__, body_counts.values())))
    vector = dict(title_vector)
    vector.update(body_vector)
    for term in title_vector.keys() & body_vector.keys():
        vector[term] = title_vector[term] + body_vector[term]
    entities = {}
    for key in gazetteer.find_in_words(title_words, title_shouting):
        entities[key] = 1.0
    for key in gazetteer.find_in_words(body_words, body_shouting):
        entities.setdefault(key, 0.85)
    return ReportFeatures(title, body, title_terms, body_terms, vector, entities,
                          gazetteer.implied(set(entities)), doc.published, body_words=body_words)


# Coverage follows an event by days to weeks, whatever the precision of the event's date: a
# report within REPORTING_LAG of the end of the event's period fits it as well as one inside it
# (so a day-precise event is not penalised more than a month-precise one for the same lag).
REPORTING_LAG = datetime.timedelta(days=31)
# A date a day or two early is a time zone or an embargo; earlier, the report predates the event.
EARLY_GRACE = datetime.timedelta(days=2)


def date_fit(report_date, doc):
    """Return (factor 0..1, days outside the event's period and its reporting lag, negative
    when the report predates the event)."""
    if report_date is None or doc.date is None:
        return 0.85, None
    start, end = doc.date, doc.date_end or doc.date
    if start - EARLY_GRACE <= report_date <= end + REPORTING_LAG:
        return 1.0, 0
    if report_date > end:
        days = (report_date - end - REPORTING_LAG).days
        # A year on, a report is about something newer.
        return max(0.08, 1 / (1 + days / 60)), days
    days = (start - EARLY_GRACE - report_date).days
    # A report written before the event happened is evidence against it: previews are rare.
    return max(0.05, 1 / (1 + days / 3)), -days


class Scored:
    """One candidate's score, with its explanation.

    Most candidates fall below the propose threshold and nobody reads why, so score_event
    keeps the raw evidence and the explanation dict is built on first use.
    """

    __slots__ = ("event_id", "slug", "score", "heuristic", "_explanation", "_evidence")

    def __init__(self, event_id, slug, score, explanation=None, evidence=None):
        # score decides; heuristic is the hand-weighted blend (the two differ once a learned
        # model turns the signals into a probability, sources.matching.learned).
        self.event_id, self.slug, self.score, self.heuristic = event_id, slug, score, score
        self._explanation, self._evidence = explanation, evidence

    @property
    def explanation(self):
        if self._explanation is None:
            self._explanation = explain(*self._evidence) if self._evidence else {}
        return self._explanation

    def __repr__(self):
        return f"Scored({self.event_id!r}, {self.slug!r}, {self.score!r})"


def mention_weight(key, mention, index):
    """How much a report naming entity `key` (mention: 1 in the headline, less in the body)
    says for an event tagged with it: more for a program than an agency, more for a rare one."""
    return KIND_WEIGHT.get(key.split(":", 1)[0], 0.5) * (0.35 + 0.65 * index.entity_specificity(key)) * mention


def implied_weight(key, index):
    """The same for a broader entity the report implies (an agency's parent) without naming it."""
    return 0.3 * KIND_WEIGHT.get(key.split(":", 1)[0], 0.5) * index.entity_specificity(key)


def entity_evidence(features, entry, index):
    """Return (score 0..1, matched [(key, weight)], implied matches, unmatched program mentions)."""
    event_entities = entry.doc.entities
    matched, miss = [], 1.0
    for key, mention in features.entities.items():
        if key in event_entities:
            weight = mention_weight(key, mention, index)
            matched.append((key, round(weight, 3)))
            miss *= 1 - min(weight, 0.95)
    implied = []
    for key in features.implied:
        if key in event_entities:
            weight = implied_weight(key, index)
            implied.append((key, round(weight, 3)))
            miss *= 1 - weight
    # A report about another tracked program is evidence against this event.
    other_programs = [k for k in features.entities if k.startswith("program:") and k not in event_entities]
    return 1 - miss, matched, implied, other_programs


def text_evidence(weighted, entry):
    """Return (text score, similarity to the event, to its programs, to its coverage)."""
    on_event, on_programs, on_coverage = entry.similarities(weighted)
    return text_score(on_event, on_programs, on_coverage), on_event, on_programs, on_coverage


def text_score(on_event, on_programs, on_coverage):
    """Blend the similarities to an event's own text, its programs and its coverage (0..1)."""
    # Earlier coverage counts, but less than the event's own words: one article often covers
    # several events, and its headline names only one of them.
    text = max(on_event, 0.7 * on_coverage) + 0.2 * min(on_event, on_coverage) + 0.2 * on_programs
    return min(text, 1.0)


def combine(text, entities, date_factor, other_programs):
    """Blend the signals into one score in 0..1 (see the module docstring)."""
    # Text carries the story; entities confirm it, and count only as far as the text agrees:
    # naming ICE is not enough, and neither is sharing words with an event about someone else.
    t = 1 - math.exp(-text / 0.4)
    blended = 0.6 * t + 0.4 * entities * math.sqrt(t)
    if other_programs and entities < 0.3:
        blended *= 0.85
    return max(0.0, min(1.0, blended * (0.3 + 0.7 * date_factor)))


def score_event(features, entry, index):
    """Score one candidate event for a report; return Scored with its explanation."""
    entity_score, matched, implied, other_programs = entity_evidence(features, entry, index)
    if features.weighted is None:
        features.weighted = index.weigh(features.vector)
    text, on_event, on_programs, on_coverage = text_evidence(features.weighted, entry)
    factor, days = date_fit(features.date, entry.doc)
    score = combine(text, entity_score, factor, other_programs)
    evidence = (matched, implied, entity_score, on_event, on_programs, on_coverage, text, days, factor, other_programs)
    return Scored(entry.doc.id, entry.doc.slug, round(score, 4), evidence=evidence)


def score_events(features, entries, index):
    """Score a report against several candidate events: what score_event returns for each,
    with the report's own side (its weighted vector, the weight of each entity it names)
    worked out once rather than once per candidate."""
    if features.weighted is None:
        features.weighted = index.weigh(features.vector)
    weighted, report_date = features.weighted, features.date
    named = [(key, mention_weight(key, mention, index)) for key, mention in features.entities.items()]
    named = [(key, round(weight, 3), 1 - min(weight, 0.95)) for key, weight in named]
    implied = [(key, implied_weight(key, index)) for key in features.implied]
    implied = [(key, round(weight, 3), 1 - weight) for key, weight in implied]
    programs = [key for key in features.entities if key.startswith("program:")]
    scored = []
    for entry in entries:
        event_entities = entry.doc.entities
        miss, matched, implied_matched = 1.0, [], []
        for key, shown, factor in named:
            if key in event_entities:
                matched.append((key, shown))
                miss *= factor
        for key, shown, factor in implied:
            if key in event_entities:
                implied_matched.append((key, shown))
                miss *= factor
        other_programs = [key for key in programs if key not in event_entities]
        on_event, on_programs, on_coverage = entry.similarities(weighted)
        text = text_score(on_event, on_programs, on_coverage)
        factor, days = date_fit(report_date, entry.doc)
        entity_score = 1 - miss
        score = combine(text, entity_score, factor, other_programs)
        scored.append(Scored(entry.doc.id, entry.doc.slug, round(score, 4), evidence=(
            matched, implied_matched, entity_score, on_event, on_programs, on_coverage, text, days, factor,
            other_programs)))
    return scored


def explain(matched, implied, entity_score, on_event, on_programs, on_coverage, text, days, factor, other_programs):
    """Return the explanation of a score that curators see (and links store)."""
    return {
        "entities": [key for key, _ in matched],
        "implied_entities": [key for key, _ in implied],
        "entity_score": round(entity_score, 3),
        "text_event": round(on_event, 3),
        "text_programs": round(on_programs, 3),
        "text_coverage": round(on_coverage, 3),
        "text_score": round(text, 3),
        "date_days_outside": days,
        "date_factor": round(factor, 3),
        "other_programs": other_programs,
    }


def shared_terms(features, entry, index, limit=8):
    """Return the rarest terms the report shares with the event's own text (for explanations).

    Ties go alphabetically: a set's order changes from one process to the next.
    """
    # Alphabetically, then by idf: a stable sort keeps equally rare terms in alphabetical order
    # (reverse=True too), without building a (-idf, term) key for each term.
    shared = sorted(features.vector.keys() & entry.event_vector.keys())
    shared.sort(key=index.idf, reverse=True)
    return shared[:limit]


def score_clause(clause, features, entry, index):
    """Score one clause of a report (a sentence or a part of a list) against one event."""
    vector = index.weigh({t: 1.0 + math.log(n) for t, n in Counter(terms(clause)).items()})
    text, *_ = text_evidence(vector, entry)
    factor, _ = date_fit(features.date, entry.doc)
    gazetteer = getattr(index, "gazetteer", None)
    named = gazetteer.find(clause) if gazetteer is not None else {}
    miss = 1.0
    for key in named:
        if key in entry.doc.entities:
            miss *= 1 - KIND_WEIGHT.get(key.split(":", 1)[0], 0.5) * (0.35 + 0.65 * index.entity_specificity(key))
    return combine(text, 1 - miss, factor, [])
