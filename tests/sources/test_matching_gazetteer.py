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
