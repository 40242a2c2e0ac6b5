"""Refit the learned matcher from curators' decisions: the database side of
sources.matching.learned.

    version = refit_matcher(target_precision=0.99)   # a new, active MatcherModel

The examples are the shipped starting point (fixtures/matcher_examples.json: the development
feeds' labelled candidates, as numbers) plus every link a curator decided: an approved link is a
right event, a rejected one a wrong event, and a reassignment both (the old event rejected,
the new one approved).
"""
import json
from pathlib import Path

from django.db import transaction

from sources.matching.learned import FEATURES, Example, candidate_features, fit_model
from sources.models import LinkStatus, MatcherModel, Report, ReportEventLink

SHIPPED_EXAMPLES = Path(__file__).resolve().parent.parent / "fixtures" / "matcher_examples.json"


def shipped_examples(path=SHIPPED_EXAMPLES):
    """Return the starting Examples shipped with the project (numbers only)."""
    data = json.loads(Path(path).read_text())
    names = data["features"]
    examples = []
    for row in data["rows"]:
        values, (label, feed, report) = row[:len(names)], row[len(names):]
        examples.append(Example(dict(zip(names, values)), int(label), f"{feed}:{report}"))
    return examples


def curator_examples(matcher=None):
    """Return Examples from curators' decisions: approved and rejected links. Hits the database:
    one query for the decided links, and for links a curator made (a reassignment, an accepted
    suggestion) whose features were never worked out, one re-match of their reports.
    """
    from sources.copy_detection import report_document
    from sources.linking import current_matcher
    from sources.retrieval import candidate_events, term_statistics

    decided = list(ReportEventLink.objects.filter(status__in=[LinkStatus.APPROVED, LinkStatus.REJECTED])
                   .order_by("id").values_list("report_id", "event_id", "status", "explanation"))
    examples, unscored = [], {}
    for report_id, event_id, status, explanation in decided:
        label = int(status == LinkStatus.APPROVED)
        features = (explanation or {}).get("features")
        if features and set(FEATURES) <= set(features):
            examples.append(Example(features, label, f"db:{report_id}"))
        else:
            unscored.setdefault(report_id, []).append((event_id, label))
    if unscored:
        matcher = matcher or current_matcher()
        for report in Report.objects.filter(pk__in=unscored):
            features = matcher.features(report_document(report))
            statistics = term_statistics(set(features.vector))
            result = matcher.match(features, candidate_events(features, statistics), statistics)
            scored = sorted(result.scored, key=lambda s: -s.heuristic)
            position = {s.event_id: i for i, s in enumerate(scored)}
            for event_id, label in unscored[report.pk]:
                if event_id in position:  # an event the matcher never found has no features to learn from
                    examples.append(Example(candidate_features(scored, position[event_id]), label, f"db:{report.pk}"))
    return examples


def refit_matcher(target_precision, fitted_by="fit_matcher"):
    """Fit a model from the shipped examples and curators' decisions, store it as a new active
    MatcherModel and return it with the fit (FitResult). Raises NotEnoughDecisions."""
    from_curators = curator_examples()
    result = fit_model(shipped_examples() + from_curators, target_precision=target_precision)
    with transaction.atomic():
        version = MatcherModel.objects.create(
            parameters=result.model.as_json(), fitted_by=fitted_by, examples=result.examples,
            curator_decisions=len(from_curators), target_precision=target_precision,
            cv_precision=result.cv_precision, cv_recall=result.cv_recall, cv_review_recall=result.cv_review_recall)
        version.activate()
    return version, result
