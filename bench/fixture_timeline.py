"""The seed timeline as plain data for the matcher, without a database.

    timeline = fixture_timeline(ROOT / "fixtures" / "seed_timeline.json")
    result = timeline.match(ReportDoc(...))
    for guid, report in feed_reports(FEED): ...        # a feed's entries as ReportDocs

Events are read from a Django fixture; candidates are found in memory the way the database's
full-text index finds them for sources.linking (search_keys, then rank_candidates).
"""
import datetime
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import feedparser

from sources.matching import (Entity, EventDoc, Gazetteer, Matcher, ReportDoc, TermStatistics, entity_key,
                              rank_candidates, search_keys)


@dataclass
class FixtureTimeline:
    matcher: Matcher
    events: dict

    def __post_init__(self):
        self.statistics = TermStatistics(len(self.events),
                                         Counter(key for event in self.events.values() for key in event.keys))

    def candidates(self, features):
        entity_keys = set(features.entities) | features.implied
        keys = set(search_keys(features.vector, entity_keys, self.statistics))
        holders = {event.id: event.keys & keys for event in self.events.values() if event.keys & keys}
        return [self.events[i] for i in rank_candidates(keys, holders, entity_keys, self.statistics)]

    def match(self, report, rejected=frozenset()):
        features = self.matcher.features(report)
        return self.matcher.match(features, self.candidates(features), self.statistics, rejected=rejected)


def fixture_timeline(path, model=None, **thresholds):
    """Build a FixtureTimeline from a Django fixture (plain JSON; no database)."""
    rows = json.loads(Path(path).read_text())
    by = {}
    for row in rows:
        by.setdefault(row["model"], {})[row["pk"]] = row["fields"]
    entities = []
    for pk, f in by.get("timeline.agency", {}).items():
        entities.append(Entity(entity_key("agency", pk), "agency", f["name"],
                               (f["name"], *f.get("aliases", "").splitlines()),
                               (f["abbreviation"],) if f.get("abbreviation") else (),
                               (entity_key("agency", f["parent"]),) if f.get("parent") else ()))
    for kind, model_name in (("program", "timeline.program"), ("organization", "timeline.organization"),
                             ("person", "timeline.person")):
        for pk, f in by.get(model_name, {}).items():
            entities.append(Entity(entity_key(kind, pk), kind, f["name"], (f["name"], *f.get("aliases", "").splitlines())))
    programs, sources = by.get("timeline.program", {}), by.get("timeline.source", {})
    cites, statements = {}, {}
    for c in by.get("timeline.citation", {}).values():
        cites.setdefault(tuple(c["content_type"]) + (c["object_id"],), []).append(c["source"])
    for s in by.get("timeline.statement", {}).values():
        if s.get("event"):
            statements.setdefault(s["event"], []).append(s["quote"])
    events = {}
    for pk, f in by.get("timeline.event", {}).items():
        keys = {entity_key("agency", a) for a in f.get("agencies", [])}
        keys |= {entity_key("program", p) for p in f.get("programs", [])}
        keys |= {entity_key("organization", o) for o in f.get("organizations", [])}
        keys |= {entity_key("person", p) for p in f.get("people", [])}
        program_texts = []
        for p in f.get("programs", []):
            program_texts += [programs[p]["name"], programs[p].get("summary", ""),
                              *programs[p].get("aliases", "").splitlines()]
        coverage = [sources[s]["headline"] for s in cites.get(("timeline", "event", pk), [])
                    if sources[s].get("headline")]
        coverage += statements.get(pk, [])
        date = datetime.date.fromisoformat(f["date"]) if f.get("date") else None
        end = datetime.date.fromisoformat(f["date_end"]) if f.get("date_end") else date
        events[pk] = EventDoc.from_text(pk, f["slug"], f["title"], f.get("summary", ""), date, end,
                                        f.get("date_precision", "day"), keys, program_texts, coverage)
    matcher = Matcher(Gazetteer.build(entities), **thresholds)
    if model is not None:
        matcher.use_model(model)
    return FixtureTimeline(matcher, events)


def feed_reports(path):
    """Yield (guid, ReportDoc) for each entry of a feed file, in feed order."""
    parsed = feedparser.parse(Path(path).read_bytes())
    for entry in parsed.entries:
        content = entry.get("content", [{}])[0].get("value", "") if entry.get("content") else ""
        published = entry.get("published_parsed")
        date = datetime.date(*published[:3]) if published else None
        yield entry.get("id"), ReportDoc(entry.get("id"), entry.get("title", ""), entry.get("summary", ""), content,
                                         date, entry.get("link", ""))
