"""The learned matcher: features, probabilities, thresholds chosen for a target precision."""
import math
import random

import pytest

from sources.matching import ReportDoc
from sources.matching.learned import (FEATURES, RETIRED_FEATURES, Example, LearnedModel, NotEnoughDecisions,
                                      attach_threshold_for, candidate_features, fit_model, propose_threshold_for)
from tests.sources.plain_timeline import CONTRACT, plain_timeline


def synthetic_examples(reports=60, seed=1):
    """Candidates whose right event has more entity and text evidence than the wrong ones (noisy)."""
    rng = random.Random(seed)
    examples = []
    for report in range(reports):
        for candidate in range(4):
            right = candidate == 0 and report % 5 != 0   # every fifth report is about no event
            strength = (0.55 if right else 0.2) + rng.uniform(-0.15, 0.15)
            features = dict.fromkeys(FEATURES, 0.0)
            features.update(heuristic=strength, entity_score=strength + rng.uniform(-0.1, 0.1),
                            text_event=strength / 2, lead=strength - 0.25, lag=rng.uniform(0, 1 if right else 4))
            examples.append(Example(features, int(right), report))
    return examples


def test_a_fitted_model_ranks_right_events_above_wrong_ones_and_reports_cross_validated_figures():
    result = fit_model(synthetic_examples(), target_precision=0.99)
    model = result.model
    right = [e for e in synthetic_examples(seed=2) if e.label]
    wrong = [e for e in synthetic_examples(seed=2) if not e.label]
    assert min(model.probability(e.features) for e in right) > max(model.probability(e.features) for e in wrong)
    assert result.cv_precision >= 0.99 and result.cv_recall > 0.5 and result.cv_review_recall >= 0.97
    assert 0 < model.propose_threshold <= model.attach_threshold <= 1
    assert dict(model.describe())["heuristic"] > 0 and dict(model.describe())["lag"] < 0


def test_late_coverage_counts_against_an_event_only_when_it_does_not_point_back_to_it():
    from sources.matching.scoring import Scored

    def late(named):
        explanation = {"date_days_outside": 120, "date_named": named}
        return candidate_features([Scored(1, "contract", 0.5, explanation)], 0)["late_unreferenced"]

    on_time = Scored(1, "contract", 0.5, {"date_days_outside": 0, "date_named": False})
    assert late(False) == 1.0 and late(True) == 0.0
    assert candidate_features([on_time], 0)["late_unreferenced"] == 0.0


def test_late_coverage_that_reports_a_change_is_marked_as_news_of_something_newer():
    from sources.matching.scoring import Scored

    def late_change(days, change):
        explanation = {"date_days_outside": days, "date_named": False, "reports_change": change}
        return candidate_features([Scored(1, "contract", 0.5, explanation)], 0)["late_change"]

    assert late_change(60, True) == 1.0
    assert late_change(60, False) == 0.0
    assert late_change(0, True) == 0.0      # within the reporting lag: the change is the event
    assert late_change(None, True) == 0.0   # no date to tell


def test_an_earlier_version_weighing_a_retired_feature_scores_as_it_did():
    from sources.matching.scoring import Scored

    explanation = {"text_coverage": 0.6, "date_days_outside": 0}
    features = candidate_features([Scored(1, "contract", 0.5, explanation)], 0)
    earlier = LearnedModel({"text_coverage": 1.0}, 0.0, {"text_coverage": 0.0}, {"text_coverage": 1.0}, 0.9, 0.3)
    assert earlier.probability(features) == pytest.approx(1 / (1 + math.exp(-0.6)))


def test_a_model_survives_its_json_unchanged():
    model = fit_model(synthetic_examples()).model
    again = LearnedModel.from_json(model.as_json(), version=7)
    features = synthetic_examples()[0].features
    assert again.probability(features) == model.probability(features) and again.version == 7


def test_the_attach_threshold_is_the_lowest_that_keeps_the_target_precision():
    probabilities = [0.95, 0.9, 0.8, 0.7, 0.6]
    labels = [1, 1, 0, 1, 0]
    assert attach_threshold_for(probabilities, labels, 0.99) == (0.9, 1.0, 2 / 3)
    assert attach_threshold_for(probabilities, labels, 0.65)[0] == 0.7  # 3 of the 4 at or above it


def test_the_propose_threshold_keeps_the_share_of_reports_asked_for_with_a_margin():
    # Three of the four reports with a right event are kept; the threshold lies halfway between
    # the third (0.3) and the fourth (0.1), so a report scoring a little under 0.3 is still kept.
    threshold, kept = propose_threshold_for([0.9, 0.5, 0.3, 0.1, 0.05], [1, 1, 1, 1, 0], [1, 2, 3, 4, 5], 0.75)
    assert threshold == pytest.approx(0.2) and kept == 0.75


def test_a_reports_second_right_event_does_not_lower_the_propose_threshold():
    # Report 1 is a round-up with two right events; the weaker one (0.1) is not what puts the
    # report before curators, its best one (0.9) is.
    probabilities, labels, groups = [0.9, 0.1, 0.6, 0.5, 0.3], [1, 1, 1, 1, 0], [1, 1, 2, 3, 4]
    # All three reports kept: no lower one to leave a margin towards.
    assert propose_threshold_for(probabilities, labels, groups, 1.0) == (0.5, 1.0)


def test_too_few_decisions_are_refused_with_a_clear_error():
    few = [Example(dict.fromkeys(FEATURES, 0.5), label, n) for n, label in enumerate([1, 0, 0])]
    with pytest.raises(NotEnoughDecisions, match="too few"):
        fit_model(few)


def test_the_matcher_with_a_model_scores_probabilities_and_explains_them():
    timeline = plain_timeline()
    model = fit_model(synthetic_examples()).model
    timeline.matcher.use_model(LearnedModel.from_json(model.as_json(), version=3))
    result = timeline.match(ReportDoc(1, "ICE pays Palantir $30 million for ImmigrationOS",
                                     published=CONTRACT.date))
    top = result.scored[0]
    assert top.slug == CONTRACT.slug and 0 <= top.score <= 1
    # Every feature the model weighs, and those earlier versions weighed (a rollback scores alike).
    assert top.explanation["model_version"] == 3 and set(top.explanation["features"]) == set(FEATURES) | RETIRED_FEATURES
    assert top.explanation["heuristic_score"] == round(top.heuristic, 4)
    assert timeline.matcher.attach_threshold == model.attach_threshold
