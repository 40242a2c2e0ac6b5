"""Where the matcher's time goes: each stage of Matcher.match timed alone, beside feedparser.

    .venv/bin/python bench/match_stages.py [--reports 2000] [--events 10000] [--rounds 5]

bench/match.py times the matcher as a whole against its goal (at most half of feedparser's
parse time per report). This script builds the same synthetic world (bench.match.World) and
times, per report, each stage on its own, in one run, parsing taking turns with them:

  article text       sources.matching.scoring.report_body: the summary and article without
                     page furniture (the report alone; no timeline needed)
  words and terms    text.raw_words and text.terms_of_words over the headline and the body
  entities           Gazetteer.find_in_words over the same words (depends on the timeline's
                     named records)
  features, rest     the rest of report_features: term counts, the term vector, implied entities
  idf weighting      EventIndex.weigh of the report's vector
  candidate lookup   EventIndex.candidates
  scoring            score_events over the candidates
  decisions          the rest of Matcher.match: round-up check, decide, explanations

Each figure is the best of --rounds rounds, in CPU time, as a fraction of the best parse. The
stages run on inputs the previous stage made beforehand, so their sum is close to, not equal
to, the matcher's own figure (printed last). "features, rest" and "decisions" are differences
of two timings, so with few rounds they carry the noise of both (one round can even make them
negative). Use it to see which stages a change must shrink, and how far the parts that need
no timeline at all (article text, words and terms) already go towards the goal.
"""
import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import match as bench  # noqa: E402  (sets up Django on a scratch database)

from sources.matching.scoring import report_body, report_features, score_events  # noqa: E402
from sources.matching.text import is_shouting, plain_text, raw_words, strip_site_name, terms_of_words  # noqa: E402


def best_of(rounds, parse, stages):
    """Return {name: best CPU seconds} for parse and each (name, function) stage, taking turns."""
    best = {"parse": float("inf"), **{name: float("inf") for name, _ in stages}}
    for _ in range(rounds):
        for name, run in [("parse", parse), *stages]:
            started = time.process_time()
            run()
            best[name] = min(best[name], time.process_time() - started)
    return best


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reports", type=int, default=2000)
    ap.add_argument("--events", type=int, default=10000)
    ap.add_argument("--rounds", type=int, default=5)
    a = ap.parse_args()
    _, document, reports, matcher = bench.stored_world(a.reports, a.events)
    gazetteer, index = matcher.gazetteer, matcher.index
    docs = [bench.report_document(r) for r in reports]

    # The inputs of each stage, made once beforehand (what the stage before it returns).
    titles = [strip_site_name(plain_text(d.title)) for d in docs]
    bodies = [report_body(d) for d in docs]
    texts = [(title, is_shouting(title), body, is_shouting(body)) for title, body in zip(titles, bodies)]
    words = [(raw_words(title), ts, raw_words(body), bs) for title, ts, body, bs in texts]
    features = [report_features(d, gazetteer) for d in docs]
    candidate_ids = [index.candidates(f.vector.keys(), set(f.entities) | f.implied) for f in features]
    for f in features:
        f.weighted = index.weigh(f.vector)
    entries = [[index.events[i] for i in ids] for ids in candidate_ids]

    def words_and_terms():
        for title, ts, body, bs in texts:
            terms_of_words(raw_words(title), ts), terms_of_words(raw_words(body), bs)

    def entities():
        for title_words, ts, body_words, bs in words:
            gazetteer.find_in_words(title_words, ts), gazetteer.find_in_words(body_words, bs)

    stages = [
        ("article text", lambda: [report_body(d) for d in docs]),
        ("words and terms", words_and_terms),
        ("entities", entities),
        ("report_features", lambda: [report_features(d, gazetteer) for d in docs]),
        ("idf weighting", lambda: [index.weigh(f.vector) for f in features]),
        ("candidate lookup", lambda: [index.candidates(f.vector.keys(), set(f.entities) | f.implied)
                                      for f in features]),
        ("scoring", lambda: [score_events(f, e, index) for f, e in zip(features, entries)]),
        ("match, features given", lambda: [matcher.match(d, features=f) for d, f in zip(docs, features)]),
        ("the matcher", lambda: [matcher.match(d) for d in docs]),
    ]
    best = best_of(a.rounds, lambda: bench.feedparser.parse(document), stages)
    per_report = {name: seconds / len(docs) * 1e6 for name, seconds in best.items()}
    parse = per_report["parse"]
    rest = per_report["report_features"] - per_report["article text"] - per_report["words and terms"] \
        - per_report["entities"]
    decisions = per_report["match, features given"] - per_report["idf weighting"] \
        - per_report["candidate lookup"] - per_report["scoring"]
    rows = [("article text", per_report["article text"], "report only"),
            ("words and terms", per_report["words and terms"], "report only"),
            ("entities", per_report["entities"], "timeline's names"),
            ("features, rest", rest, "report only"),
            ("idf weighting", per_report["idf weighting"], "timeline"),
            ("candidate lookup", per_report["candidate lookup"], "timeline"),
            ("scoring", per_report["scoring"], "timeline"),
            ("decisions", decisions, "timeline")]
    terms_per_report = sum(len(f.vector) for f in features) / len(features)
    words_per_report = sum(len(w[0]) + len(w[2]) for w in words) / len(words)
    print(f"{a.events} events, {a.reports} reports ({words_per_report:.0f} words, {terms_per_report:.0f} distinct "
          f"terms each); feedparser parse {parse:.1f} us per report; best of {a.rounds} rounds, CPU time")
    print(f"{'stage':<18} {'us/report':>10} {'of parse':>9}  needs")
    for name, micros, needs in rows:
        print(f"{name:<18} {micros:>10.1f} {micros / parse:>9.3f}  {needs}")
    report_only = sum(micros for _, micros, needs in rows if needs == "report only")
    total = sum(micros for _, micros, _ in rows)
    print(f"{'sum of stages':<18} {total:>10.1f} {total / parse:>9.3f}")
    print(f"{'the matcher':<18} {per_report['the matcher']:>10.1f} {per_report['the matcher'] / parse:>9.3f}  "
          f"(goal <= 0.5; the stages that need no timeline: {report_only / parse:.3f})")
    if bench._tmp is not None:
        bench.os.unlink(bench._tmp.name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
