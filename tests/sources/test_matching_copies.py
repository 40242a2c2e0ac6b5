import pytest

import sources.matching.copies as copies
from sources.matching.copies import (CopyText, _hash, copy_evidence, find_copy_of, shingle_hashes, winnow,
                                     word_values)

ORIGINAL = CopyText.of(
    "DHS offers $1,000 to migrants who deport themselves",
    "Undocumented migrants who leave the country using the government's app will receive a payment of $1,000 "
    "after they arrive home, the department said.")


def test_a_syndicated_copy_with_the_site_name_in_its_headline_is_a_copy():
    copy = CopyText.of("DHS offers $1,000 to migrants who deport themselves | Daily News", " ".join(ORIGINAL.body_words))
    assert copy_evidence(copy, ORIGINAL)[0]


def test_the_same_article_wrapped_in_page_furniture_is_a_copy():
    copy = CopyText.of(ORIGINAL_TITLE := "DHS offers $1,000 to migrants who deport themselves",
                       "Subscribe to updates. Share on Facebook. " + " ".join(ORIGINAL.body_words) +
                       " Related articles: a 3D printer review. Leave a comment.")
    is_copy, evidence = copy_evidence(copy, ORIGINAL)
    assert is_copy and evidence["containment"] == 1.0 and ORIGINAL_TITLE


def test_a_lightly_reworded_copy_is_a_copy():
    copy = CopyText.of("DHS will offer $1,000 to migrants who deport themselves",
                       "Undocumented migrants who leave the country using the government app will get a payment of "
                       "$1,000 once they arrive home, the department said.")
    assert copy_evidence(copy, ORIGINAL)[0]


def test_an_independent_story_with_the_same_facts_is_not_a_copy():
    other = CopyText.of("Government will pay migrants $1,000 to leave",
                        "The department said people without papers who use its app to go home will be paid $1,000 "
                        "when they arrive, in a push to encourage departures.")
    assert not copy_evidence(other, ORIGINAL)[0]


def test_the_same_page_furniture_around_different_articles_is_not_a_copy():
    furniture = "Trending now: why ice is slippery. CBP plans to photograph everyone leaving the US by car. "
    a = CopyText.of("A quiet keyboard", furniture + "The keyboard is small and quiet, with a long battery life.")
    b = CopyText.of("Camera pilot falls short", furniture + "Cameras captured usable faces in 61 percent of cars.")
    assert not copy_evidence(b, a)[0]


def test_headline_only_items_are_copies_only_when_the_headlines_match():
    a = CopyText.of("CBP plans exit photos for every vehicle passenger", "")
    assert copy_evidence(CopyText.of("CBP plans exit photos for every vehicle passenger | Wire", ""), a)[0]
    assert not copy_evidence(CopyText.of("CBP plans exit photos for all passengers", ""), a)[0]


def test_it_points_at_the_earliest_report_copied():
    copy = CopyText.of(" ".join(ORIGINAL.title_words), " ".join(ORIGINAL.body_words))
    assert find_copy_of(copy, [("first", ORIGINAL), ("second", ORIGINAL)])[0] == "first"
    assert find_copy_of(copy, []) == (None, None)


def test_winnowing_keeps_a_shared_fingerprint_for_any_long_enough_shared_passage():
    shared = "the department said the payments would begin next month for every applicant".split()
    a = winnow("completely different opening words here".split() + shared)
    b = winnow(shared + "and a different ending follows this passage".split())
    assert a & b


def test_shingle_hashes_are_the_hashes_of_each_word_triple_in_order():
    words = "the department said the payments would begin".split()
    assert shingle_hashes(words) == [_hash(" ".join(words[i:i + 3])) for i in range(len(words) - 2)]
    assert shingle_hashes(words, size=2)[0] == _hash("the department")
    assert shingle_hashes(words[:2]) == []


def test_shingle_hashes_keep_the_values_stored_fingerprints_were_made_with():
    # Fingerprints are stored (ReportFingerprint): a new hash would leave every stored report
    # unfindable as the original of a copy (a change needs a migration that recomputes them,
    # as 0005_fingerprints_v2 does). The XOR of each word's 63-bit BLAKE2b value for its position.
    the, department, said = word_values("the"), word_values("department"), word_values("said")
    assert shingle_hashes(["the", "department", "said"]) == [the[0] ^ department[1] ^ said[2]]
    assert shingle_hashes(["the", "department", "said"]) == [4055643734725619688]


def test_a_shingle_hash_depends_on_the_order_of_its_words():
    hashes = {shingle_hashes(list(order))[0] for order in
              [("a", "b", "c"), ("a", "c", "b"), ("b", "a", "c"), ("b", "c", "a"), ("c", "a", "b"), ("c", "b", "a")]}
    assert len(hashes) == 6
    assert len(set(shingle_hashes(["x", "x", "x", "x"]))) == 1
    assert all(0 <= value < 2 ** 63 for value in hashes)  # they fit a signed 64-bit column


def test_shingle_hashes_are_the_same_when_the_word_tables_are_emptied_midway(monkeypatch):
    words = [f"word{n % 37}" for n in range(300)]
    expected = [word_values(a)[0] ^ word_values(b)[1] ^ word_values(c)[2] for a, b, c in zip(words, words[1:], words[2:])]
    monkeypatch.setattr(copies, "WORD_TABLES_LIMIT", 5)  # the tables start afresh every five new words
    for table in copies._WORD_TABLES:
        table.clear()
    assert shingle_hashes(words) == expected
    assert len(copies._WORD_TABLES[0]) <= 5


def test_shingles_of_more_words_than_the_tables_hold_are_refused():
    with pytest.raises(ValueError):
        shingle_hashes("one two three four five".split(), size=5)


# A made-up article of five paragraphs (one per line, as furniture.article_text gives them).
ARTICLE = [
    "The border agency will photograph every passenger in cars leaving the country, a spokesperson said on Friday.",
    "Cameras in the outbound lanes will match each face to the traveller's passport or visa photo on file.",
    "The agency gave no date for the first lanes, saying only that the work would follow the inbound system.",
    "Privacy groups asked how long the photos of citizens would be kept and who else could search them.",
    "A spokesperson said citizens' photos are deleted within twelve hours and those of others kept for years.",
]
MENU = ["Close Menu", "News", "Phones", "Gadgets", "Sign up: the latest news in your inbox",
        "Review: a quiet mechanical keyboard", "Why your cold plunge is too long (2026)",
        "Share Facebook Twitter LinkedIn Email", "By News Room 9 May 2025 3 Mins Read"]


def test_prose_keeps_the_sentences_and_drops_menus_headlines_bylines_and_share_bars():
    from sources.matching.furniture import prose

    assert prose("\n".join(MENU[:4] + ARTICLE[:2] + MENU[4:])) == "\n".join(ARTICLE[:2])
    assert prose("Only a short summary") == "Only a short summary"  # nothing reads as prose: all of it


def test_a_copy_cut_off_after_a_long_menu_is_a_copy_of_the_whole_article():
    original = CopyText.of("CBP will photograph everyone leaving by car", "\n".join(ARTICLE))
    cut_off = CopyText.of("Border agency to photograph every departing car passenger",  # headline reworded
                          "\n".join(MENU + ARTICLE[:3]))
    is_copy, evidence = copy_evidence(cut_off, original)
    assert is_copy and evidence["containment"] == 1.0


def test_the_whole_article_counts_not_only_its_opening():
    # The same opening paragraph, then different articles: a shared lede with the rest rewritten.
    original = CopyText.of("CBP will photograph everyone leaving by car", "\n".join(ARTICLE))
    rewritten = CopyText.of("CBP will photograph everyone leaving by car", "\n".join(ARTICLE[:1] + [
        "Officials at two crossings in Texas said they had not been told when the cameras would arrive.",
        "A trade group for truck drivers said the lanes were already slow and feared longer waits each day.",
        "Lawmakers from border states asked the agency for its own estimate of the cost of the new cameras.",
        "The inspector general reviewed the inbound programme last year and found gaps in how photos were kept."]))
    assert not copy_evidence(rewritten, original)[0]


def test_two_stories_quoting_the_same_statement_are_not_copies():
    statement = ("\u201cAlthough we are still working on how we would handle the outbound lanes, we will "
                 "ultimately expand to this area,\u201d the spokesperson said.")
    a = CopyText.of("CBP will photograph everyone leaving by car", "\n".join(ARTICLE[:3] + [statement]))
    b = CopyText.of("Exit cameras coming to border lanes", "\n".join([
        statement,
        "Civil liberties lawyers said the plan would build a record of every trip made by people living near the border.",
        "The agency already photographs travellers arriving by car at a dozen crossings in Arizona and Texas.",
        "Its budget request for next year includes money for cameras but does not name the crossings."]))
    assert not copy_evidence(b, a)[0]


def test_a_page_with_no_article_left_is_a_copy_only_of_the_same_long_headline():
    original = CopyText.of("CBP will photograph everyone leaving the US by car", "\n".join(ARTICLE))
    menu_only = "\n".join(MENU)
    assert copy_evidence(CopyText.of("CBP will photograph everyone leaving the US by car | Tech", menu_only), original)[0]
    assert not copy_evidence(CopyText.of("CBP will photograph drivers leaving the US", menu_only), original)[0]
    assert not copy_evidence(CopyText.of("Border news", menu_only), CopyText.of("Border news", "\n".join(ARTICLE)))[0]
