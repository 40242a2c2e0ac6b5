import datetime

from sources.matching import ReportDoc
from sources.matching.decisions import ATTACHED, PROPOSED, decide
from sources.matching.scoring import Scored
from tests.sources.plain_timeline import CONTRACT, OUTBOUND, plain_timeline

D = datetime.date


def scored(event_id, score):
    return Scored(event_id, f"event-{event_id}", score, {})


def test_a_score_above_the_attach_threshold_attaches():
    [decision] = decide([scored(1, 0.8)], 0.6, 0.2)
    assert (decision.status, decision.is_primary) == (ATTACHED, True)


def test_a_score_between_the_thresholds_is_proposed_and_below_is_nothing():
    decisions = decide([scored(1, 0.5), scored(2, 0.1)], 0.6, 0.2)
    assert [(d.event_id, d.status) for d in decisions] == [(1, PROPOSED)]


def test_a_close_rival_turns_an_attachment_into_a_proposal():
    decisions = decide([scored(1, 0.7), scored(2, 0.65)], 0.6, 0.2, margin=0.1)
    assert [d.status for d in decisions] == [PROPOSED, PROPOSED]
    assert decisions[0].is_primary and not decisions[1].is_primary


def test_round_up_members_attach_side_by_side_with_one_primary():
    decisions = decide([scored(1, 0.7), scored(2, 0.68), scored(3, 0.3)], 0.6, 0.2, independent=frozenset({1, 2}))
    assert [(d.event_id, d.status, d.is_primary) for d in decisions] == [
        (1, ATTACHED, True), (2, ATTACHED, False), (3, PROPOSED, False)]


def test_a_rejected_event_is_never_proposed_again():
    decisions = decide([scored(1, 0.9), scored(2, 0.5)], 0.6, 0.2, rejected=frozenset({1}))
    assert [(d.event_id, d.status) for d in decisions] == [(2, PROPOSED)]


def test_the_matcher_returns_decisions_best_first_with_explanations():
    timeline = plain_timeline()
    result = timeline.match(ReportDoc(1, "ICE pays Palantir $30 million for 'ImmigrationOS'",
                                     "Immigration and Customs Enforcement will pay the company to build a system "
                                     "for targeting and enforcement prioritization.", published=D(2025, 4, 17)))
    assert result.decisions[0].slug == CONTRACT.slug and result.decisions[0].status == ATTACHED
    assert result.decisions[0].explanation["entities"]
    assert [d.score for d in result.decisions] == sorted((d.score for d in result.decisions), reverse=True)


def test_the_matcher_attaches_a_round_up_to_each_event_it_covers():
    timeline = plain_timeline()
    result = timeline.match(ReportDoc(
        1, "This week: exit photos and Palantir",
        "CBP says it will photograph every person leaving the US by car, including back-seat passengers. "
        "ICE pays Palantir $30 million to build ImmigrationOS for targeting and enforcement prioritization.",
        published=D(2025, 5, 10)))
    attached = {d.slug for d in result.attached}
    assert attached == {CONTRACT.slug, OUTBOUND.slug}
    assert sum(d.is_primary for d in result.decisions) == 1


def test_the_matcher_finds_nothing_for_unrelated_news():
    timeline = plain_timeline()
    assert timeline.match(ReportDoc(1, "No one is quite sure why ice is slippery", published=D(2025, 5, 8))).decisions == []


def test_candidates_are_the_events_sharing_the_reports_rarest_terms_and_entities():
    timeline = plain_timeline()
    features = timeline.matcher.features(ReportDoc(1, "Palantir ImmigrationOS contract", published=D(2025, 4, 17)))
    assert [event.slug for event in timeline.candidates(features)][:2] == [CONTRACT.slug, "palantir-case-management-2014"]


def test_keys_in_too_many_events_pick_no_candidates():
    from sources.matching import TermStatistics, search_keys

    statistics = TermStatistics(10_000, {"border": 5000, "palantir": 3, "agency:3": 400, "program:1": 2})
    assert search_keys({"border": 1.0, "palantir": 2.0}, {"agency:3", "program:1"}, statistics, budget=300) == \
        ["program:1", "palantir"]


def test_an_acronym_and_the_ordinary_word_are_different_search_tokens():
    from sources.matching.candidates import search_token

    assert search_token("ice") == "ice" and search_token("ICE") != "ice"
    assert search_token("agency:3").isalnum() and search_token("$30m").isalnum()
