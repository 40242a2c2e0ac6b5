from sources.matching.text import (is_shouting, months_named, raw_words, reports_change, strip_site_name, terms,
                                   terms_of_words)


def test_it_keeps_an_acronym_apart_from_the_ordinary_word():
    assert "ICE" in terms("ICE detains a man")
    assert "ICE" not in terms("Why ice is slippery") and "ice" in terms("Why ice is slippery")
    assert "ICE" not in terms("Ice storm closes highways")


def test_it_folds_an_all_capitals_headline_to_lower_case():
    assert is_shouting("ICE STORM CLOSES HIGHWAYS ACROSS TEXAS")
    assert "ICE" not in terms("ICE STORM CLOSES HIGHWAYS ACROSS TEXAS")


def test_it_writes_money_the_same_way_however_it_is_spelled():
    assert "$30m" in terms("a $30 million deal") and "$30m" in terms("a $30M deal")
    assert "$1k" in terms("a payment of $1,000")
    assert "$29.9m" in terms("$29.9 million")


def test_it_writes_percentages_the_same_way():
    assert "61%" in terms("61 percent of cars") and "61%" in terms("in 61% of cars")


def test_it_merges_domain_synonyms_and_stems_words():
    assert terms("cars")[0] == terms("vehicles")[0]
    assert terms("photographs")[0] == terms("photo")[0]
    assert terms("exiting")[0] == terms("outbound")[0]
    assert terms("parolees") == terms("parolee")


def test_it_drops_stopwords_and_possessives():
    assert terms("the agency's plan") == ["agenc", "plan"]
    assert raw_words("U.S. officials") == ["US", "officials"]


def test_it_splits_hyphenated_words_unless_the_whole_is_a_known_term():
    assert terms("back-seat") == ["back", "seat"]
    assert terms("self-deportation") == terms("self-deportations")


def test_it_removes_a_site_name_from_a_headline():
    assert strip_site_name("ICE pays Palantir | Tech News Daily") == "ICE pays Palantir"
    assert strip_site_name("Border agency news today - The Daily") == "Border agency news today"
    # a dash inside a short headline is not a site name
    assert strip_site_name("Q&A - on border tech") == "Q&A - on border tech"


def test_a_word_gives_the_same_terms_the_first_time_and_after_it_is_remembered():
    words = raw_words("ICE's self-deportation app: U.S. migrants' back-seat photos, DHS\u2019s ice and the U.S. again")
    assert words[:2] == ["ICE", "self-deportation"] and "US" in words and "DHS" in words
    first = terms_of_words(words)
    assert terms_of_words(words) == first
    assert first[:2] == ["ICE", "self-deport"] and "back" in first and "seat" in first
    assert terms_of_words(["ICE", "DHS"], shouting=True) == ["ice", "dhs"]


def test_words_split_chunk_by_chunk_are_those_the_pattern_finds_in_the_whole_text():
    import random

    from sources.matching import text

    def words_by_pattern(string):
        if "$" in string:
            string = text._MONEY.sub(text._money, string)
        if "%" in string or "cent" in string.lower():
            string = text._PERCENT.sub(lambda m: f" {m.group(1)}% ", string)
        return [text.normal_word(word) for word in text._WORD.findall(string)]

    rng = random.Random(4)
    pieces = list("aZ9$%'\u2019.- \u00e9\u0250x\n,\t\u00a0\u2003") + [
        "ab", "$5", "U.S.", "--", "..", "DHS's", "per cent", "$3 million", "40 percent", "$1,200"]
    for _ in range(20000):
        string = "".join(rng.choices(pieces, k=rng.randint(0, 14)))
        assert raw_words(string) == words_by_pattern(string), string


def test_it_finds_the_months_a_text_names_with_their_year():
    text = ("In April 2025 the agency signed; on Sept. 3, 2024 it asked, and by 2025-06-30 it had paid. "
            "In May it may 2025-ish nothing; March 31st, 2023 too.")
    assert months_named(text) == {(2025, 4), (2024, 9), (2025, 6), (2023, 3)}
    assert months_named("Published in May. 2,025 people came.") == set()
    assert months_named("x" * 5_000 + " June " * 5_000) == set()


def test_it_tells_a_headline_or_opening_that_reports_a_change():
    assert reports_change("Agency backs off its plan to list people as dead", "")
    assert reports_change("Agency quietly renews its data contract", "")
    assert reports_change("A quiet week", "The department is moving forward with the next phase. It said more.")
    assert reports_change("Judge blocks the contract", "")
    # Only the opening sentence counts: a change mentioned further down is background.
    assert not reports_change("Agency signs a data contract", "It will build a platform. Critics want it reversed.")
    assert not reports_change("Agency signs a data contract", "It will build a platform " + "on time " * 40 + "renewed")
    # Whole words only: "issued" is not "sued", "advancement" is not "advance"; words that as
    # often announce a plan itself are not listed.
    assert not reports_change("Agency issued guidance on advancement", "")
    assert not reports_change("CBP to extend face matching to cars leaving", "It expands a pilot.")
    assert not reports_change("Court filings show the plan", "Officials briefed lawmakers in advance.")
