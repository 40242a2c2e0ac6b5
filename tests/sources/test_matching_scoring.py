import datetime
import math

import pytest

from sources.matching import ReportDoc
from sources.matching.scoring import date_fit, report_features, score_event
from tests.sources.plain_timeline import AIRTAGS, CASE_SYSTEM, CONTRACT, OUTBOUND, plain_timeline

D = datetime.date


def score(timeline, report, event):
    features = report_features(report, timeline.matcher.gazetteer)
    return score_event(features, event, timeline.statistics)


def test_a_report_inside_the_events_period_keeps_its_full_date_factor():
    assert date_fit(D(2025, 4, 17), CONTRACT) == (1.0, 0)
    assert date_fit(D(2025, 5, 10), OUTBOUND) == (1.0, 0)  # a day after a day-precise event


def test_the_date_factor_falls_with_distance_after_and_faster_before_the_event():
    weeks_after, _ = date_fit(D(2025, 6, 30), CONTRACT)   # two months after April
    year_after, days = date_fit(D(2026, 4, 30), CONTRACT)
    before, before_days = date_fit(D(2025, 3, 1), CONTRACT)
    assert 1.0 > weeks_after > year_after and days == 365 - 31  # counted from the end of the reporting lag
    assert before < weeks_after and before_days == -29            # counted from two days before April


def test_coverage_weeks_after_an_event_keeps_its_full_date_factor_whatever_the_dates_precision():
    # OUTBOUND is day-precise (9 May), CONTRACT month-precise (April): three weeks of lag cost neither.
    assert date_fit(D(2025, 5, 30), OUTBOUND) == date_fit(D(2025, 5, 21), CONTRACT) == (1.0, 0)


def test_a_report_dated_days_before_an_event_is_evidence_against_it():
    early, days = date_fit(D(2025, 5, 1), OUTBOUND)
    assert early < 0.5 and days == -6


def test_an_undated_report_gets_a_neutral_date_factor():
    assert date_fit(None, CONTRACT) == (0.85, None)


def test_naming_the_events_entities_raises_the_score_and_is_explained():
    timeline = plain_timeline()
    named = score(timeline, ReportDoc(1, "ICE pays Palantir $30 million for ImmigrationOS", published=D(2025, 4, 17)),
                  CONTRACT)
    assert set(named.explanation["entities"]) == {"agency:3", "organization:1", "program:1"}
    unnamed = score(timeline, ReportDoc(2, "Agency pays company $30 million for a system", published=D(2025, 4, 17)),
                    CONTRACT)
    assert named.score > unnamed.score
    assert unnamed.explanation["entities"] == []


def test_an_agency_alone_does_not_carry_a_report_to_an_event():
    timeline = plain_timeline()
    result = score(timeline, ReportDoc(1, "ICE renews detention contract with GEO Group", published=D(2025, 4, 25)),
                   CONTRACT)
    assert result.score < timeline.matcher.attach_threshold


def test_a_palantir_story_about_something_else_is_not_the_ice_contract():
    timeline = plain_timeline()
    result = score(timeline, ReportDoc(1, "Palantir wins Army battlefield software deal",
                                      "The Army will use Palantir software for targeting on the battlefield.",
                                      published=D(2025, 4, 20)), CONTRACT)
    assert result.score < timeline.matcher.attach_threshold


def test_the_same_story_years_later_scores_lower_on_an_old_event():
    timeline = plain_timeline()
    report = ReportDoc(1, "Palantir runs ICE's case management system", published=D(2025, 4, 18))
    assert score(timeline, report, CASE_SYSTEM).explanation["date_factor"] < 0.2
    assert score(timeline, report, CASE_SYSTEM).score < score(timeline, report, CONTRACT).score


def test_text_similarity_counts_the_events_earlier_coverage():
    timeline = plain_timeline()
    result = score(timeline, ReportDoc(1, "Plans to photograph everyone exiting by car", published=D(2025, 5, 9)),
                   OUTBOUND)
    assert result.explanation["text_coverage"] > 0.3
    assert result.explanation["text_programs"] > 0


def test_page_furniture_does_not_count_towards_the_score():
    timeline = plain_timeline()
    page = ("<aside><h3>Trending</h3><ul><li>ICE pays Palantir $30 million for ImmigrationOS</li></ul></aside>"
            "<article><p>The keyboard is quiet and small.</p></article>")
    result = score(timeline, ReportDoc(1, "Review: a quiet keyboard", content=page, published=D(2025, 4, 17)), CONTRACT)
    assert result.score < 0.1 and result.explanation["entities"] == []


def test_every_score_is_explained_by_the_named_features_it_was_computed_from():
    from sources.matching.scoring import candidate_features, combine

    timeline = plain_timeline()
    features = report_features(ReportDoc(1, "ICE pays Palantir $30 million for ImmigrationOS",
                                         published=D(2025, 4, 17)), timeline.matcher.gazetteer)
    named = candidate_features(features, CONTRACT, timeline.statistics)
    assert set(named) == {"entities", "implied_entities", "entity_score", "text_event", "text_programs",
                          "text_coverage", "text_score", "date_days_outside", "date_factor", "date_named",
                          "reports_change", "other_programs"}
    scored = score_event(features, CONTRACT, timeline.statistics)
    assert scored.score == round(combine(named["text_score"], named["entity_score"], named["date_factor"],
                                         named["other_programs"]), 4)
    assert scored.explanation["text_score"] == round(named["text_score"], 3)


def test_a_summary_that_opens_the_article_is_read_once_as_part_of_it():
    from sources.matching.scoring import report_body

    article = ("<p>CBP will photograph travellers leaving by car at the southern border.</p>"
               "<p>The agency said the cameras match faces to travel documents.</p>")
    lede = ReportDoc(1, "t", summary="<p>CBP will photograph travellers leaving by car</p>", content=article)
    assert report_body(lede) == ("CBP will photograph travellers leaving by car at the southern border. "
                                 "The agency said the cameras match faces to travel documents.")
    # A summary of its own (not the article's opening) comes first, then the article; and one
    # wrapped in site chrome is read without it, as the article is.
    other = ReportDoc(2, "t", summary="<p>A new plan at the border.</p>", content=article)
    assert report_body(other).startswith("A new plan at the border. CBP will photograph")
    chrome = ReportDoc(3, "t", summary="<p>Subscribe to our newsletter</p><p>A new plan at the border.</p>",
                       content=article)
    assert report_body(chrome) == report_body(other)
    assert report_body(ReportDoc(4, "t", summary="<p>Only a summary.</p>")) == "Only a summary."


def test_term_weights_are_sublinear_and_headline_terms_count_double():
    import math

    from sources.matching.gazetteer import Gazetteer

    report = ReportDoc(1, "Palantir contract", summary="contract contract contract camera")
    vector = report_features(report, Gazetteer()).vector
    assert list(vector) == ["palantir", "contract", "camera"]  # headline terms first, then the body's
    assert vector["palantir"] == 2.0 and vector["camera"] == 1.0
    assert vector["contract"] == 2.0 + (1 + math.log(3))


def test_rare_terms_weigh_more_and_specific_entities_count_more():
    from sources.matching import TermStatistics

    statistics = TermStatistics(100, {"palantir": 1, "border": 60, "agency:3": 50, "program:1": 2})
    assert statistics.idf("palantir") > statistics.idf("border") > statistics.idf("the") * 0
    assert statistics.idf("never-seen") > statistics.idf("palantir")
    assert statistics.entity_specificity("program:1") > statistics.entity_specificity("agency:3")


def test_a_body_is_its_first_words_on_one_line_however_the_article_was_laid_out():
    from sources.matching.scoring import BODY_WORDS, report_body

    short = ReportDoc(1, "t", content="<p>One  two\tthree</p>\n<div>four\u00a0five</div><p>six</p>")
    assert report_body(short) == "One two three four five six"
    words = [f"w{n}" for n in range(BODY_WORDS + 40)]
    paragraphs = "".join(f"<p>{' '.join(words[k:k + 7])}</p>" for k in range(0, len(words), 7))
    assert report_body(ReportDoc(2, "t", content=paragraphs)) == " ".join(words[:BODY_WORDS])
    exact = "".join(f"<p>{w}</p>" for w in words[:BODY_WORDS])
    assert report_body(ReportDoc(3, "t", content=exact)) == " ".join(words[:BODY_WORDS])


def test_a_report_long_after_an_event_that_names_its_month_points_back_to_it():
    timeline = plain_timeline()
    later = D(2025, 11, 20)
    looking_back = ReportDoc(1, "Inside ICE's deal with Palantir", "In April 2025, ICE awarded Palantir a contract.",
                             published=later)
    something_newer = ReportDoc(2, "ICE extends its deal with Palantir", "ICE extended the contract this week.",
                                published=later)
    assert score(timeline, looking_back, CONTRACT).explanation["date_named"] is True
    assert score(timeline, something_newer, CONTRACT).explanation["date_named"] is False
    assert score(timeline, looking_back, OUTBOUND).explanation["date_named"] is False  # May is not its month


def test_an_event_tagged_with_nothing_is_judged_on_its_text_alone():
    # No agency, program or person: no report can name one, so naming none is no evidence against.
    timeline = plain_timeline()
    report = ReportDoc(1, "Vermont police find AirTags hidden in cars driven in from Canada",
                       "Drivers returning from Montreal found AirTags in their cars, police in Vermont said.",
                       published=D(2024, 3, 30))
    scored = score(timeline, report, AIRTAGS)
    text_only = 1 - math.exp(-scored.explanation["text_score"] / 0.4)
    # (text_score is explained to three places)
    assert scored.explanation["entity_score"] == 0.0 and scored.score == pytest.approx(text_only, abs=1e-3)
