"""A small timeline as plain data, for matcher tests that need no database.

PlainTimeline does in memory what the database does for sources.linking: it counts terms
(MatchTerm) and finds the events holding a report's search keys (the full-text index).
"""
import datetime
from collections import Counter
from dataclasses import dataclass

from sources.matching import (Entity, EventDoc, Gazetteer, Matcher, TermStatistics, rank_candidates,
                              search_keys)

D = datetime.date

ENTITIES = [
    Entity("agency:1", "agency", "U.S. Department of Homeland Security", ("U.S. Department of Homeland Security",), ("DHS",)),
    Entity("agency:2", "agency", "U.S. Customs and Border Protection", ("U.S. Customs and Border Protection",), ("CBP",),
           ("agency:1",)),
    Entity("agency:3", "agency", "U.S. Immigration and Customs Enforcement",
           ("U.S. Immigration and Customs Enforcement",), ("ICE",), ("agency:1",)),
    Entity("organization:1", "organization", "Palantir Technologies", ("Palantir Technologies",)),
    Entity("person:1", "person", "Jessica Turner", ("Jessica Turner",)),
    Entity("program:1", "program", "ImmigrationOS", ("ImmigrationOS", "Immigration Lifecycle Operating System")),
    Entity("program:2", "program", "Outbound vehicle photo capture", ("Outbound vehicle photo capture",)),
]

CONTRACT = EventDoc.from_text(
    1, "ice-palantir-contract", "ICE announces $30 million Palantir contract to build ImmigrationOS",
    "Palantir will build ImmigrationOS for ICE for targeting and enforcement prioritization.",
    D(2025, 4, 1), D(2025, 4, 30), "month", {"agency:3", "organization:1", "program:1"},
    ("ImmigrationOS", "A system for targeting and enforcement prioritization"), ())
OUTBOUND = EventDoc.from_text(
    2, "cbp-outbound-photos", "CBP says it will photograph everyone leaving the US by car",
    "CBP plans to photograph every person leaving the US by vehicle at land crossings, including back-seat "
    "passengers, and match each face to passport photos.",
    D(2025, 5, 9), D(2025, 5, 9), "day", {"agency:2", "program:2", "person:1"},
    ("Outbound vehicle photo capture",), ("Plans to Photograph Everyone Exiting the US by Car",))
CASE_SYSTEM = EventDoc.from_text(
    3, "palantir-case-management-2014", "Palantir begins supplying ICE's case management system",
    "Palantir has supplied ICE's case management system since 2014.",
    D(2014, 1, 1), D(2014, 12, 31), "year", {"agency:3", "organization:1", "program:1"}, ("ImmigrationOS",), ())
AIRTAGS = EventDoc.from_text(
    4, "vermont-airtags", "Vermont police report AirTags hidden in cars driven into the US from Canada", "",
    D(2024, 1, 1), D(2024, 12, 31), "year", (), (), ())

EVENTS = [CONTRACT, OUTBOUND, CASE_SYSTEM, AIRTAGS]


@dataclass
class PlainTimeline:
    matcher: Matcher
    events: dict

    @property
    def statistics(self):
        return TermStatistics(len(self.events), Counter(key for event in self.events.values() for key in event.keys))

    def candidates(self, features):
        statistics = self.statistics
        entity_keys = set(features.entities) | features.implied
        keys = search_keys(features.vector, entity_keys, statistics)
        holders = {event.id: event.keys & set(keys) for event in self.events.values() if event.keys & set(keys)}
        return [self.events[i] for i in rank_candidates(keys, holders, entity_keys, statistics)]

    def match(self, report, rejected=frozenset()):
        features = self.matcher.features(report)
        return self.matcher.match(features, self.candidates(features), self.statistics, rejected=rejected)


def plain_timeline(events=EVENTS, **thresholds):
    return PlainTimeline(Matcher(Gazetteer.build(ENTITIES), **thresholds), {event.id: event for event in events})
