import datetime

from sources.matching import EventDoc, EventIndex
from sources.matching.text import terms


def doc(i, title, entities=()):
    return EventDoc(i, f"e{i}", title, "", datetime.date(2025, 1, 1), datetime.date(2025, 1, 1), "day",
                    frozenset(entities))


def test_candidates_come_from_postings_of_the_reports_terms_and_entities():
    index = EventIndex.build([doc(1, "Palantir contract"), doc(2, "Airport faces", ["agency:9"]), doc(3, "Storm")])
    assert set(index.candidates(terms("Palantir deal"), set())) == {1}
    assert set(index.candidates([], {"agency:9"})) == {2}
    assert index.candidates(terms("unrelated words"), set()) == []


def test_terms_in_too_many_events_pick_no_candidates(monkeypatch):
    import sources.matching.index as module

    monkeypatch.setattr(module, "MAX_POSTINGS_WALKED", 2)
    index = EventIndex.build([doc(i, "border camera") for i in range(5)] + [doc(9, "border camera anzalduas")])
    assert index.candidates(terms("border camera anzalduas"), set()) == [9]


def test_an_event_can_be_replaced_and_removed():
    index = EventIndex.build([doc(1, "Palantir contract")])
    index.add(doc(1, "Storm warning"))
    assert index.candidates(terms("Palantir"), set()) == [] and index.candidates(terms("storm"), set()) == [1]
    index.remove(1)
    assert len(index) == 0 and index.df[terms("storm")[0]] == 0


def test_specific_entities_weigh_more_than_common_ones():
    index = EventIndex.build([doc(i, "x", ["agency:1"]) for i in range(10)] + [doc(10, "y", ["program:1", "agency:1"])])
    assert index.entity_specificity("program:1") > index.entity_specificity("agency:1")
