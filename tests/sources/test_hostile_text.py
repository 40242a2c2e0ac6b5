"""Hostile feed text takes time linear in its length, in every text function: the cases the
red-team run reported (issue 17), and a Hypothesis fuzz run of repeated hostile fragments,
each call under a time bound."""
import time

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from sources.canonical import canonical_url
from sources.entries import clean_text
from sources.matching import ReportDoc
from sources.matching.copies import CopyText
from sources.matching.furniture import article_text
from sources.matching.gazetteer import Gazetteer
from sources.matching.scoring import MAX_HTML_CHARS, MAX_TITLE_CHARS, report_body, report_features
from sources.matching.text import (copy_words, is_shouting, months_named, plain_text, raw_words, reports_change,
                                   strip_site_name, terms)
from sources.sanitize import html_to_text, sanitize_html
from tests.sources.plain_timeline import ENTITIES

# Generous for a shared, busy machine: the quadratic cases took 1 to 44 s.
SECONDS = 1.5


def seconds(function, *args):
    started = time.perf_counter()
    function(*args)
    return time.perf_counter() - started


GAZETTEER = Gazetteer.build(ENTITIES)


def match_report(text):
    return report_features(ReportDoc(1, text, summary=text, content=text), GAZETTEER)


TEXT_FUNCTIONS = [plain_text, strip_site_name, terms, raw_words, is_shouting, copy_words, article_text, months_named,
                  lambda text: reports_change(text, text),
                  GAZETTEER.find, clean_text, sanitize_html, html_to_text, canonical_url,
                  lambda text: CopyText.of(text, text).fingerprints(), match_report]


def test_a_text_of_many_open_angle_brackets_is_stripped_at_once():
    assert seconds(plain_text, "<" * 40000) < SECONDS


def test_a_title_of_many_spaces_loses_no_time_looking_for_a_site_name():
    assert seconds(strip_site_name, " " * 20000 + "x") < SECONDS
    assert strip_site_name("CBP to photograph every car   |   Tech News Daily") == "CBP to photograph every car"


def test_a_long_description_of_escaped_brackets_is_read_quickly():
    assert seconds(report_body, ReportDoc(1, "t", summary="&lt;" * 150000)) < SECONDS
    assert seconds(match_report, "&lt;" * 150000) < SECONDS


def test_unclosed_attributes_do_not_make_the_html_parser_quadratic():
    assert seconds(article_text, "<div class=" * 5000) < SECONDS


def test_the_matcher_reads_a_capped_amount_of_any_report():
    huge = "<p>" + "word " * 200_000 + "</p>"
    features = report_features(ReportDoc(1, "x" * 50_000, summary=huge, content=huge), GAZETTEER)
    assert len(features.title) <= MAX_TITLE_CHARS and len(features.body) <= MAX_HTML_CHARS


HOSTILE = st.sampled_from(["<", ">", "&lt;", "&", "&#", "<a ", "<p", "<div class=", "<aside>", "</", "'", '"', "=",
                           " ", "\n", "\t", "|", " - ", "--", "::", "\u2014", "$", "1,", "%", "percent", "U.S.",
                           "-", ".", "ICE", "a", "Read more. ", "<!--", "<![CDATA[", "http://", "?utm_", "#",
                           "May ", "Sept. 3, ", "2025-", "1st", "back ", "moves ", "next "])
REPEATED = st.tuples(st.lists(HOSTILE, min_size=1, max_size=4).map("".join),
                     st.integers(min_value=1, max_value=4000)).map(lambda pair: pair[0] * pair[1])


@pytest.mark.parametrize("function", TEXT_FUNCTIONS, ids=lambda f: getattr(f, "__qualname__", repr(f)))
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=REPEATED)
def test_every_text_function_is_fast_on_repeated_hostile_fragments(function, text):
    assert seconds(function, text[:20_000]) < SECONDS
