from sources.matching.gazetteer import Entity, Gazetteer, name_variants
from tests.sources.plain_timeline import ENTITIES


def gazetteer():
    return Gazetteer.build(ENTITIES)


def test_it_finds_the_agency_by_its_acronym_only_in_capitals():
    g = gazetteer()
    assert g.find("ICE agents arrived") == {"agency:3": 1}
    assert g.find("ICE's contract") == {"agency:3": 1}
    assert g.find("why ice is slippery") == {}
    assert g.find("Ice storm closes highways") == {}


def test_it_ignores_acronyms_in_an_all_capitals_headline():
    assert gazetteer().find("ICE STORM CLOSES HIGHWAYS ACROSS NORTH TEXAS") == {}


def test_it_finds_names_without_the_country_prefix_and_ignoring_case():
    g = gazetteer()
    assert g.find("Customs and Border Protection wants photos") == {"agency:2": 1}
    assert g.find("the U.S. Customs and Border Protection agency") == {"agency:2": 1}
    assert g.find("immigration lifecycle operating system") == {"program:1": 1}


def test_it_finds_a_company_by_its_name_without_the_corporate_suffix():
    assert ("palantir",) in name_variants("organization", "Palantir Technologies")
    assert gazetteer().find("Palantir shares jump") == {"organization:1": 1}


def test_a_one_word_name_must_be_capitalised():
    g = gazetteer()
    assert g.find("palantir shares") == {}
    assert g.find("ImmigrationOS will track") == {"program:1": 1}


def test_it_prefers_the_longest_name():
    g = Gazetteer.build([Entity("program:1", "program", "Border", ("Border tech",)),
                         Entity("program:2", "program", "Border tech fund", ("Border tech fund",))])
    assert g.find("the border tech fund grew") == {"program:2": 1}


def test_it_implies_parent_agencies():
    assert gazetteer().implied({"agency:3"}) == {"agency:1"}
    assert gazetteer().implied({"agency:1"}) == set()


def test_it_counts_people_by_full_name():
    assert gazetteer().find("Jessica Turner of CBP said") == {"person:1": 1, "agency:2": 1}
    assert gazetteer().find("Turner said") == {}


def names_found_at_every_word(g, words, shouting=False):
    """find_in_words written plainly (every word tried as the start of a name), to check it by."""
    lowered = [w.lower() for w in words]
    found, i = {}, 0
    while i < len(words):
        matched = 0
        if not shouting and words[i] in g.acronyms:
            for key in g.acronyms[words[i]]:
                found[key] = found.get(key, 0) + 1
            matched = 1
        for phrase, key, needs_capital in g.phrases.get(lowered[i], ()):
            if tuple(lowered[i:i + len(phrase)]) == phrase and (
                    not needs_capital or shouting or words[i][:1].isupper()):
                found[key] = found.get(key, 0) + 1
                matched = max(matched, len(phrase))
                break
        i += max(matched, 1)
    return found


def test_names_are_found_as_by_trying_every_word():
    import random

    g = gazetteer()
    rng = random.Random(5)
    pool = [w for options in g.phrases.values() for phrase, _, _ in options for w in phrase]
    pool += list(g.acronyms) + ["the", "Border", "BORDER", "said", "Palantir", "palantir", "US", "Ice"]
    for _ in range(3000):
        words = [rng.choice([w, w.title(), w.upper()]) for w in rng.choices(pool, k=rng.randint(0, 12))]
        for shouting in (False, True):
            assert g.find_in_words(words, shouting) == names_found_at_every_word(g, words, shouting), words
