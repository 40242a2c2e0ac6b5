"""Match reports to timeline events: pure functions over plain data (no database here).

    features = report_features(ReportDoc(...), gazetteer)
    keys = search_keys(features.vector, entity keys, statistics)   # what to look events up by
    # ... the database finds the events holding those keys (sources.retrieval) ...
    result = Matcher(gazetteer).match(features, candidates, statistics)   # decisions, best first

sources.linking wraps this for the database; tests exercise it with plain objects.
"""
from dataclasses import dataclass, field

from sources.matching.candidates import EventDoc, TermStatistics, rank_candidates, search_keys
from sources.matching.decisions import AMBIGUITY_MARGIN, ATTACHED, PROPOSED, Decision, decide
from sources.matching.gazetteer import Entity, Gazetteer, entity_key
from sources.matching.learned import LearnedModel, candidate_features
from sources.matching.scoring import ReportDoc, report_features, score_clause, score_event, shared_terms

DEFAULT_ATTACH_THRESHOLD = 0.55
DEFAULT_PROPOSE_THRESHOLD = 0.2
ROUNDUP_CLAUSE_SCORE = 0.45   # a clause matching one event this well, and
ROUNDUP_CLAUSE_MARGIN = 0.1   # this far ahead of the others, stands for that event in a round-up


@dataclass
class MatchResult:
    features: object
    decisions: list = field(default_factory=list)
    scored: list = field(default_factory=list)  # every candidate scored, best first

    @property
    def attached(self):
        return [d for d in self.decisions if d.status == ATTACHED]


@dataclass
class Matcher:
    gazetteer: Gazetteer
    attach_threshold: float = DEFAULT_ATTACH_THRESHOLD
    propose_threshold: float = DEFAULT_PROPOSE_THRESHOLD
    model: LearnedModel | None = None  # when set, it scores and its thresholds decide

    def use_model(self, model):
        """Score with a learned model and decide by its thresholds from now on."""
        self.model = model
        self.attach_threshold, self.propose_threshold = model.attach_threshold, model.propose_threshold

    def features(self, report):
        """Return the report's ReportFeatures (terms, entities, date)."""
        return report_features(report, self.gazetteer)

    def match(self, features, candidates, statistics, rejected=frozenset()):
        """Score the report's features against candidate EventDocs and decide (pure)."""
        events = {event.id: event for event in candidates}
        scored = sorted((score_event(features, event, statistics) for event in candidates), key=lambda s: -s.score)
        if self.model is not None:
            self.apply_model(scored)
        independent = set()
        if self.may_be_roundup(scored):
            contenders = [s for s in scored if s.score >= self.propose_threshold]
            independent = self.roundup_members(features, contenders, events, statistics)
        decisions = decide(scored, self.attach_threshold, self.propose_threshold,
                           independent=frozenset(independent), rejected=frozenset(rejected))
        for decision in decisions:
            decision.explanation["shared_terms"] = shared_terms(features, events[decision.event_id], statistics)
        return MatchResult(features, decisions, scored)

    def apply_model(self, scored):
        """Replace each candidate's score by the learned model's probability (scored best
        first by heuristic; re-sorted), keeping the features and the version in its explanation."""
        features = [candidate_features(scored, position) for position in range(len(scored))]
        for item, values in zip(scored, features):
            item.score = round(self.model.probability(values), 4)
            item.explanation["heuristic_score"] = round(item.heuristic, 4)
            item.explanation["features"] = {name: round(value, 4) for name, value in values.items()}
            item.explanation["model_version"] = self.model.version
        scored.sort(key=lambda s: -s.score)

    def may_be_roundup(self, scored):
        """True when clause analysis could change a decision: an attachable event has a rival
        within the ambiguity margin (round-up members may then attach side by side)."""
        attachable = [s for s in scored if s.score >= self.attach_threshold]
        if not attachable:
            return False
        top = attachable[0].score
        return sum(1 for s in scored if s.score >= top - AMBIGUITY_MARGIN) >= 2

    def roundup_members(self, features, contenders, events, statistics):
        """Return ids of events that distinct clauses of the report each match on their own.

        Fewer than two such events means the report is not a round-up (empty set).
        """
        clauses = features.segments
        if len(contenders) < 2 or len(clauses) < 2:
            return set()
        winners = set()
        for clause in clauses:
            ranked = sorted(((score_clause(clause, features, events[c.event_id], statistics, self.gazetteer), c)
                             for c in contenders), key=lambda pair: -pair[0])
            best, item = ranked[0]
            runner_up = ranked[1][0] if len(ranked) > 1 else 0.0
            item.explanation["best_clause_score"] = max(item.explanation.get("best_clause_score", 0), round(best, 3))
            if best >= ROUNDUP_CLAUSE_SCORE and best - runner_up >= ROUNDUP_CLAUSE_MARGIN:
                winners.add(item.event_id)
        return winners if len(winners) >= 2 else set()


__all__ = ["ATTACHED", "PROPOSED", "Decision", "Entity", "EventDoc", "Gazetteer", "LearnedModel", "Matcher", "MatchResult",
           "ReportDoc", "TermStatistics", "decide", "entity_key", "rank_candidates", "report_features", "search_keys"]
