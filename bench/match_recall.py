"""Matching quality at scale, on bench/match.py's synthetic reporting (whose true events are known).

    .venv/bin/python bench/match_recall.py [--reports 2000] [--events 10000]

The development feed (../shared/eval) has a handful of events; this asks how the matcher's
settings that trade speed for recall (index.POSTINGS_BUDGET, index.CANDIDATES_SCORED) fare
with thousands. The reports retell events of the first 1,000, as in bench/match.py, and the
timeline then grows to --events. Prints, of the reports that retell an event, the share whose
event was among the candidates scored, ranked first, attached, and the share attached to a
wrong event; and how many unrelated reports were attached anywhere. Synthetic text is not
reporting: read the figures to compare settings, not as the matcher's quality.
"""
import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import match as bench  # noqa: E402  (sets up Django on a scratch database)

from sources.matching import ATTACHED, index  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reports", type=int, default=2000)
    ap.add_argument("--events", type=int, default=10000)
    a = ap.parse_args()
    world, _, reports, matcher = bench.stored_world(a.reports, a.events)
    truth = world.truth
    assert len(reports) == len(truth) == a.reports

    stories = candidates = first_ranked = attached = wrong = distractors = 0
    for report, event_id in zip(reports, truth):
        result = matcher.match(bench.report_document(report))
        attached_ids = {d.event_id for d in result.decisions if d.status == ATTACHED}
        if event_id is None:
            distractors += bool(attached_ids)
            continue
        stories += 1
        candidates += any(s.event_id == event_id for s in result.scored)
        first_ranked += bool(result.scored) and result.scored[0].event_id == event_id
        attached += event_id in attached_ids
        wrong += bool(attached_ids - {event_id})
    share = lambda n: f"{n / stories:.3f}" if stories else "n/a"  # noqa: E731
    print(f"{a.events} events, {a.reports} reports ({stories} retell an event); POSTINGS_BUDGET="
          f"{index.POSTINGS_BUDGET}, CANDIDATES_SCORED={index.CANDIDATES_SCORED}")
    print(f"true event among the candidates {share(candidates)}, ranked first {share(first_ranked)}, "
          f"attached {share(attached)}; attached to a wrong event {share(wrong)}; "
          f"unrelated reports attached {distractors} of {a.reports - stories}")
    if bench._tmp is not None:
        bench.os.unlink(bench._tmp.name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
