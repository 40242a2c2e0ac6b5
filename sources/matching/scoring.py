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
from sources.matching.text import (is_shouting, months_named, plain_text, raw_words, reports_change, strip_site_name,
                                   terms, terms_of_words)

# The most of an article the matcher reads, in words. Reading the whole of a feed's usual
# 250-350 word item (rather than its first 250 words) raised the cross-validated recall of the
# learned matcher at 0.99 precision from 0.588 to 0.6 on the development feeds. The cap keeps a
# long article's background from outweighing its lede.
BODY_WORDS = 400
# The most of a report's text the matcher reads (characters of raw HTML): the lede is within
# the first few kilobytes of any article, and no feed can make a worker read megabytes.
MAX_TITLE_CHARS = 1_000
MAX_HTML_CHARS = 20_000


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
    body_words: list = None  # the body split by text.raw_words
    article: str = ""        # the whole article_body (copy detection compares it)
    months: frozenset = frozenset()  # the months the headline and article name, {(year, month)}
    reports_change: bool = False     # its headline or opening reports a change (text.reports_change)

    @property
    def segments(self):
        """The report's clauses (sentences, list items) of three terms or more, for round-ups."""
        return [s for s in _CLAUSE_SPLIT.split(f"{self.title}. {self.body}") if len(terms(s)) >= 3]


_CLAUSE_SPLIT = re.compile(r"(?<=[.!?;])\s+|;\s*|\s+[\u2013\u2014]\s+")


def report_body(doc):
    """Return the report's text the matcher reads: its first BODY_WORDS words (article_body)."""
    return _first_words(article_body(doc))


def article_body(doc):
    """Return the report's whole text without page furniture, one block per line: its summary
    and its article (each read up to MAX_HTML_CHARS)."""
    content = article_text(doc.content[:MAX_HTML_CHARS]) if doc.content else ""
    if content and doc.summary:
        # Most feeds' summary is the article's opening: when its text opens a passage of the
        # article, and the article is no shorter, the article is the body, and the summary's
        # own furniture need not be looked for (any other summary is read as below).
        lede = " ".join(plain_text(doc.summary[:MAX_HTML_CHARS]).split())
        if lede[:80] in content and len(content) >= len(lede):
            return content
    summary = article_text(doc.summary[:MAX_HTML_CHARS]) if doc.summary else ""
    if content and summary and (summary[:80] in content or content[:80] in summary):
        return content if len(content) >= len(summary) else summary
    return "\n".join(part for part in (summary, content) if part)


def _first_words(text):
    """Return the first BODY_WORDS words of article text on one line, single-spaced.

    article_text's lines are single-spaced already, none blank, so its words are those of
    text.split() and joining them is replacing the line breaks (no split and join of every
    word, unless the text is longer than that).
    """
    if text.count(" ") + text.count("\n") < BODY_WORDS:
        return text.replace("\n", " ")
    return " ".join(text.split()[:BODY_WORDS])


def report_features(doc, gazetteer):
    """Extract terms, entities and date from a report (pure; no database)."""
    title = strip_site_name(plain_text(doc.title[:MAX_TITLE_CHARS]))
    article = article_body(doc)
    body = _first_words(article)
    title_words, body_words = raw_words(title), raw_words(body)
    title_shouting, body_shouting = is_shouting(title), is_shouting(body)
    title_terms = terms_of_words(title_words, title_shouting)
    body_terms = terms_of_words(body_words, body_shouting)
    # Sublinear term frequency, headline terms counting double.
    vector = {}
    for scale, counts in ((2.0, Counter(title_terms)), (1.0, Counter(body_terms))):
        for term, n in counts.items():
            vector[term] = vector.get(term, 0.0) + scale * (1 + math.log(n))
    entities = {}
    for key in gazetteer.find_in_words(title_words, title_shouting):
        entities[key] = 1.0
    for key in gazetteer.find_in_words(body_words, body_shouting):
        entities.setdefault(key, 0.85)
    return ReportFeatures(title, body, title_terms, body_terms, vector, entities,
                          gazetteer.implied(set(entities)), doc.published, body_words=body_words,
                          article=article, months=frozenset(months_named(f"{title}\n{article}")),
                          reports_change=reports_change(title, body))


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


def names_event_month(months, doc):
    """Whether a report names a month (with its year) inside the event's period: coverage long
    after an event that points back to it ("in April 2025, ICE awarded...") is about it."""
    if doc.date is None:
        return False
    end = doc.date_end or doc.date
    return any((doc.date.year, doc.date.month) <= month <= (end.year, end.month) for month in months)


@dataclass
class Scored:
    """One candidate's score, with the named features it was computed from (its explanation)."""

    event_id: int
    slug: str
    score: float
    explanation: dict = field(default_factory=dict)
    # score decides; heuristic is the hand-weighted blend (combine()). They differ once a learned
    # model turns the features into a probability (sources.matching.learned).
    heuristic: float | None = None

    def __post_init__(self):
        if self.heuristic is None:
            self.heuristic = self.score


def mention_weight(key, mention, statistics):
    """How much a report naming entity `key` (mention: 1 in the headline, less in the body)
    says for an event tagged with it: more for a program than an agency, more for a rare one."""
    return KIND_WEIGHT.get(key.split(":", 1)[0], 0.5) * (0.35 + 0.65 * statistics.entity_specificity(key)) * mention


def implied_weight(key, statistics):
    """The same for a broader entity the report implies (an agency's parent) without naming it."""
    return 0.3 * KIND_WEIGHT.get(key.split(":", 1)[0], 0.5) * statistics.entity_specificity(key)


def entity_evidence(report_entities, implied, event, statistics):
    """Return (score 0..1, matched keys, implied matches, unmatched program mentions).

    Each entity both name is independent evidence: the score is the chance that not all of
    them are coincidences.
    """
    matched, implied_matched, miss = [], [], 1.0
    for key, mention in report_entities.items():
        if key in event.entities:
            matched.append(key)
            miss *= 1 - min(mention_weight(key, mention, statistics), 0.95)
    for key in sorted(implied):
        if key in event.entities:
            implied_matched.append(key)
            miss *= 1 - implied_weight(key, statistics)
    # A report about another tracked program is evidence against this event.
    other_programs = [k for k in report_entities if k.startswith("program:") and k not in event.entities]
    return 1 - miss, matched, implied_matched, other_programs


def weighted(vector, statistics):
    """Return {term: weight x idf}."""
    return {term: weight * statistics.idf(term) for term, weight in vector.items()}


def cosine(a, b):
    """Cosine similarity of two {term: weight} vectors (0 when either is empty)."""
    dot = sum(weight * b[term] for term, weight in a.items() if term in b)
    if not dot:
        return 0.0
    return dot / (math.sqrt(sum(w * w for w in a.values())) * math.sqrt(sum(w * w for w in b.values())))


def text_score(on_event, on_programs, on_coverage):
    """Blend the similarities to an event's own text, its programs and its coverage (0..1)."""
    # Earlier coverage counts, but less than the event's own words: one article often covers
    # several events, and its headline names only one of them.
    text = max(on_event, 0.7 * on_coverage) + 0.2 * min(on_event, on_coverage) + 0.2 * on_programs
    return min(text, 1.0)


def combine(text, entities, date_factor, other_programs, tagged=True):
    """Blend the signals into one score in 0..1 (see the module docstring). tagged: whether the
    event names any agency, program, organization or person at all."""
    # Text carries the story; entities confirm it, and count only as far as the text agrees:
    # naming ICE is not enough, and neither is sharing words with an event about someone else.
    # An event tagged with nothing is judged on its text alone: no report can confirm it by name.
    t = 1 - math.exp(-text / 0.4)
    blended = 0.6 * t + 0.4 * entities * math.sqrt(t) if tagged else t
    if other_programs and entities < 0.3:
        blended *= 0.85
    return max(0.0, min(1.0, blended * (0.3 + 0.7 * date_factor)))


def candidate_features(features, event, statistics):
    """Return the named features of one report-event pair, which a score is computed from and
    curators read as its explanation:

    entities / implied_entities   entity keys both name / the report implies (an agency's parent)
    entity_score                  0..1, from how specific each shared entity is
    other_programs                tracked programs the report names that the event lacks
    text_event / _programs / _coverage   idf-weighted cosine similarity of the report's terms
                                  with the event's title and summary, its programs' texts, and
                                  the headlines citing or covering it
    text_score                    the three blended (text_score())
    date_days_outside, date_factor  how far the report's date is outside the event's period,
                                  and the factor that gives (date_fit())
    date_named                    whether the report names a month of the event's period
    reports_change                whether its headline or opening reports a change to something
                                  that already happened (text.reports_change)
    """
    entity_score, matched, implied, other_programs = entity_evidence(
        features.entities, features.implied, event, statistics)
    report_vector = weighted(features.vector, statistics)
    on_event = cosine(report_vector, weighted(event.event_terms, statistics))
    on_programs = cosine(report_vector, weighted(event.program_terms, statistics))
    on_coverage = cosine(report_vector, weighted(event.coverage_terms, statistics))
    factor, days = date_fit(features.date, event)
    return {
        "entities": matched,
        "implied_entities": implied,
        "entity_score": entity_score,
        "text_event": on_event,
        "text_programs": on_programs,
        "text_coverage": on_coverage,
        "text_score": text_score(on_event, on_programs, on_coverage),
        "date_days_outside": days,
        "date_factor": factor,
        "date_named": names_event_month(features.months, event),
        "reports_change": features.reports_change,
        "other_programs": other_programs,
    }


def explain(named_features):
    """Return the features as curators see them (and links store): numbers to three places."""
    return {name: round(value, 3) if isinstance(value, float) else value for name, value in named_features.items()}


def score_event(features, event, statistics):
    """Score one candidate event for a report; return Scored with its explanation."""
    named = candidate_features(features, event, statistics)
    score = combine(named["text_score"], named["entity_score"], named["date_factor"], named["other_programs"],
                    tagged=bool(event.entities))
    return Scored(event.id, event.slug, round(score, 4), explain(named))


def shared_terms(features, event, statistics, limit=8):
    """Return the rarest terms the report shares with the event's own text (for explanations);
    equally rare ones alphabetically."""
    shared = features.vector.keys() & event.event_terms.keys()
    return sorted(shared, key=lambda term: (-statistics.idf(term), term))[:limit]


def score_clause(clause, features, event, statistics, gazetteer):
    """Score one clause of a report (a sentence or a part of a list) against one event."""
    vector = weighted({t: 1.0 + math.log(n) for t, n in Counter(terms(clause)).items()}, statistics)
    on_event = cosine(vector, weighted(event.event_terms, statistics))
    on_programs = cosine(vector, weighted(event.program_terms, statistics))
    on_coverage = cosine(vector, weighted(event.coverage_terms, statistics))
    factor, _ = date_fit(features.date, event)
    miss = 1.0
    for key in gazetteer.find(clause):
        if key in event.entities:
            miss *= 1 - KIND_WEIGHT.get(key.split(":", 1)[0], 0.5) * (0.35 + 0.65 * statistics.entity_specificity(key))
    return combine(text_score(on_event, on_programs, on_coverage), 1 - miss, factor, [], tagged=bool(event.entities))
