"""Run the pure matcher on a labelled feed without a database, to iterate on quality.

    .venv/bin/python bench/matching_dev.py ../shared/eval/dev-feed.xml ../shared/eval/dev-labels.json [-v]

Events come from fixtures/seed_timeline.json; the metrics are those of score_matching.py.
"""
import argparse
import datetime
import importlib.util
import json
import sys
from pathlib import Path

import feedparser

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sources.matching import Entity, EventDoc, Matcher, ReportDoc, entity_key  # noqa: E402
from sources.matching.copies import CopyText, find_copy_of  # noqa: E402
from sources.matching.scoring import report_body  # noqa: E402


def fixture_matcher(path, **thresholds):
    """Build a Matcher from a Django fixture (plain JSON; no database)."""
    rows = json.loads(Path(path).read_text())
    by = {}
    for row in rows:
        by.setdefault(row["model"], {})[row["pk"]] = row["fields"]
    entities = []
    for pk, f in by.get("timeline.agency", {}).items():
        entities.append(Entity(entity_key("agency", pk), "agency", f["name"], (f["name"], *f.get("aliases", "").splitlines()),
                               (f["abbreviation"],) if f.get("abbreviation") else (),
                               (entity_key("agency", f["parent"]),) if f.get("parent") else ()))
    for kind, model in (("program", "timeline.program"), ("organization", "timeline.organization"), ("person", "timeline.person")):
        for pk, f in by.get(model, {}).items():
            entities.append(Entity(entity_key(kind, pk), kind, f["name"], (f["name"], *f.get("aliases", "").splitlines())))
    programs = by.get("timeline.program", {})
    sources = by.get("timeline.source", {})
    cites = {}
    for c in by.get("timeline.citation", {}).values():
        cites.setdefault(tuple(c["content_type"]) + (c["object_id"],), []).append(c["source"])
    statements = {}
    for s in by.get("timeline.statement", {}).values():
        if s.get("event"):
            statements.setdefault(s["event"], []).append(s["quote"])
    events = []
    for pk, f in by.get("timeline.event", {}).items():
        keys = {entity_key("agency", a) for a in f.get("agencies", [])} | {entity_key("program", p) for p in f.get("programs", [])}
        keys |= {entity_key("organization", o) for o in f.get("organizations", [])} | {entity_key("person", p) for p in f.get("people", [])}
        ptexts = []
        for p in f.get("programs", []):
            pf = programs[p]
            ptexts += [pf["name"], pf.get("summary", ""), *pf.get("aliases", "").splitlines()]
        coverage = [sources[s].get("headline", "") for s in cites.get(("timeline", "event", pk), []) if sources[s].get("headline")]
        coverage += statements.get(pk, [])
        date = datetime.date.fromisoformat(f["date"]) if f.get("date") else None
        end = datetime.date.fromisoformat(f["date_end"]) if f.get("date_end") else date
        events.append(EventDoc(pk, f["slug"], f["title"], f.get("summary", ""), date, end, f.get("date_precision", "day"),
                               frozenset(keys), tuple(ptexts), tuple(coverage)))
    return Matcher.build(entities, events, **thresholds)


def feed_reports(path):
    parsed = feedparser.parse(Path(path).read_bytes())
    for entry in parsed.entries:
        content = entry.get("content", [{}])[0].get("value", "") if entry.get("content") else ""
        published = entry.get("published_parsed")
        date = datetime.date(*published[:3]) if published else None
        yield entry.get("id"), ReportDoc(entry.get("id"), entry.get("title", ""), entry.get("summary", ""), content, date, entry.get("link", ""))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("feed"); ap.add_argument("labels"); ap.add_argument("-v", action="store_true")
    ap.add_argument("--attach", type=float); ap.add_argument("--propose", type=float)
    a = ap.parse_args()
    spec = importlib.util.spec_from_file_location("score_matching", Path(a.labels).parent / "score_matching.py")
    score_matching = importlib.util.module_from_spec(spec); spec.loader.exec_module(score_matching)
    thresholds = {k: v for k, v in (("attach_threshold", a.attach), ("propose_threshold", a.propose)) if v is not None}
    matcher = fixture_matcher(ROOT / "fixtures" / "seed_timeline.json", **thresholds)
    labels = json.loads(Path(a.labels).read_text())
    rows, earlier = [], []
    for guid, report in feed_reports(a.feed):
        result = matcher.match(report)
        copy = CopyText.of(report.title, report_body(report))
        dup, _ = find_copy_of(copy, earlier)
        earlier.append((report.link, copy))
        rows.append({"guid": guid, "link": report.link, "duplicate_of": dup,
                     "events": [{"event": d.slug, "score": d.score, "status": d.status} for d in result.decisions]})
        if a.v:
            lab = labels.get(guid, {})
            print(f"{guid} want={lab.get('accept')} | {report.title[:70]}")
            for s in result.scored[:3]:
                e = s.explanation
                d = next((d.status for d in result.decisions if d.event_id == s.event_id), "-")
                print(f"   {s.score:.3f} {d:9s} {s.slug[:40]:40s} ent={e['entity_score']} {e['entities']} txt={e['text_score']} "
                      f"(ev={e['text_event']} pr={e['text_programs']} cov={e['text_coverage']}) date={e['date_factor']} clause={e.get('best_clause_score')}")
    summary, wrong = score_matching.score(rows, labels)
    for guid, why in wrong:
        print(f"  {guid}: {why}")
    print(" ".join(f"{k}={v}" for k, v in summary.items()))


if __name__ == "__main__":
    main()
