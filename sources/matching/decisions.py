"""Turn scores into decisions: attach, propose to curators, or nothing.

- At or above the attach threshold, and clearly ahead of any rival, a link is attached.
- Between the thresholds, or too close to a rival to tell, it is proposed for review.
- Below the propose threshold, nothing.
A round-up attaches to several events when separate clauses of it each match one event
strongly; the best-scoring attached event is primary.
"""
from dataclasses import dataclass, field

ATTACHED = "attached"
PROPOSED = "proposed"
AMBIGUITY_MARGIN = 0.1   # a runner-up this close makes the top choice a question for a curator
MAX_PROPOSALS = 3


@dataclass
class Decision:
    event_id: int
    slug: str
    score: float
    status: str
    is_primary: bool = False
    explanation: dict = field(default_factory=dict)


def decide(scored, attach_threshold, propose_threshold, independent=frozenset(), rejected=frozenset(),
           margin=AMBIGUITY_MARGIN):
    """Return decisions for scored candidates (best first).

    scored: [Scored] in any order. independent: ids of events that a distinct clause of the
    report matches on its own (round-up members). rejected: ids of events a curator has
    rejected for this report; they are never proposed again.
    """
    ranked = sorted((s for s in scored if s.event_id not in rejected and s.score >= propose_threshold),
                    key=lambda s: (-s.score, s.slug))
    decisions = []
    for position, item in enumerate(ranked):
        status = PROPOSED
        if item.score >= attach_threshold:
            rivals = [r for r in ranked if r is not item and r.score >= item.score - margin]
            # Only round-up members (each matched by its own clause) may stand beside rivals.
            clear = all(r.event_id in independent for r in rivals) and (not rivals or item.event_id in independent)
            if clear:
                status = ATTACHED
        decisions.append(Decision(item.event_id, item.slug, item.score, status,
                                  explanation=dict(item.explanation)))
    attached = [d for d in decisions if d.status == ATTACHED]
    proposed = [d for d in decisions if d.status == PROPOSED][:MAX_PROPOSALS]
    kept = sorted(attached + proposed, key=lambda d: (-d.score, d.slug))
    if kept:
        (attached[0] if attached else kept[0]).is_primary = True
    return kept
