"""Replay the real development feed with a simulated curator, refitting the learned matcher.

    .venv/bin/python bench/learning.py [--every 20] [FEED LABELS] [START_FEED START_LABELS]

The matcher starts from a model fitted on the synthetic development feed only (so the real
feed is unseen), then takes the real feed's reports in date order. A simulated curator decides
every proposal from the labels: approves the right event, rejects a wrong one, and, where the
right event was scored but not proposed, reassigns the report to it. Every --every decisions the
model is refitted from the starting examples plus the decisions so far. Printed: auto-recall
and precision on the whole feed with the starting model and with the last one (the last in
sample for the reports curators decided), and each refit's cross-validated figures. No database;
the labels only play the curator.
"""
import argparse
import importlib.util
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.dev_examples import SEED, dev_examples  # noqa: E402
from bench.fixture_timeline import feed_reports, fixture_timeline  # noqa: E402
from sources.matching import ATTACHED, PROPOSED  # noqa: E402
from sources.matching.learned import Example, candidate_features, fit_model  # noqa: E402

EVAL = ROOT.parent / "shared" / "eval"


def load_scorer(labels_path):
    spec = importlib.util.spec_from_file_location("score_matching", Path(labels_path).parent / "score_matching.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def figures(matcher, reports, labels, scorer):
    """score_matching's figures for matching every report with the matcher as it stands."""
    rows = []
    for guid, report in reports:
        result = matcher.match(report)
        rows.append({"guid": guid, "link": report.link, "duplicate_of": None,
                     "events": [{"event": d.slug, "score": d.score, "status": d.status} for d in result.decisions]})
    summary, _ = scorer.score(rows, {g: labels[g] for g, _ in reports})
    return {k: summary[k] for k in ("auto_precision", "auto_recall", "review_recall", "distractor_proposed")
            if k in summary}


def curator_decisions(result, accept, group):
    """Return the Examples a curator's decisions on one report's proposals give (possibly none)."""
    proposed = [d for d in result.decisions if d.status == PROPOSED]
    attached = [d for d in result.decisions if d.status == ATTACHED]
    if not proposed:
        return []
    by_id = {s.event_id: i for i, s in enumerate(result.scored)}
    ordered = sorted(result.scored, key=lambda s: -s.heuristic)
    position = {s.event_id: i for i, s in enumerate(ordered)}
    decided = [(d.event_id, int(d.slug in accept)) for d in proposed]
    held = {d.slug for d in attached} | {d.slug for d in proposed}
    for slug in accept - held:  # reassignment: the right event, if the matcher scored it at all
        item = next((s for s in result.scored if s.slug == slug), None)
        if item is not None:
            decided.append((item.event_id, 1))
    return [Example(candidate_features(ordered, position[event_id]), label, group)
            for event_id, label in decided if event_id in by_id]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("feed", nargs="?", default=EVAL / "real-dev-feed.xml")
    ap.add_argument("labels", nargs="?", default=EVAL / "real-dev-labels.json")
    ap.add_argument("start_feed", nargs="?", default=EVAL / "dev-feed.xml")
    ap.add_argument("start_labels", nargs="?", default=EVAL / "dev-labels.json")
    ap.add_argument("--every", type=int, default=20, help="refit after this many curator decisions")
    ap.add_argument("--target-precision", type=float, default=0.99)
    a = ap.parse_args()

    scorer = load_scorer(a.labels)
    labels = json.loads(Path(a.labels).read_text())
    start = [e for _, examples, _ in dev_examples(a.start_feed, a.start_labels, "start") for e in examples]
    fit = fit_model(start, target_precision=a.target_precision)
    matcher = fixture_timeline(SEED, model=fit.model)
    reports = sorted(((g, r) for g, r in feed_reports(a.feed) if g in labels),
                     key=lambda pair: (pair[1].published is None, pair[1].published or 0, pair[0]))
    before = figures(matcher, reports, labels, scorer)
    print(f"start: model fitted on {Path(a.start_feed).name} ({fit.examples} candidates), "
          f"cross-validated precision {fit.cv_precision} recall {fit.cv_recall}")
    print("before learning, whole feed:", " ".join(f"{k}={v}" for k, v in before.items()))

    decisions, since_refit, refits, stretch = [], 0, 0, []
    for guid, report in reports:
        result = matcher.match(report)
        stretch.append((guid, report))
        new = curator_decisions(result, set(labels[guid]["accept"]), f"replay:{guid}")
        decisions += new
        since_refit += len(new)
        if since_refit >= a.every:
            fit = fit_model(start + decisions, target_precision=a.target_precision)
            refits += 1
            print(f"  refit {refits} after {len(decisions)} decisions ({len(stretch)} reports since the last): "
                  f"cross-validated precision {fit.cv_precision} recall {fit.cv_recall}; "
                  f"attach at {fit.model.attach_threshold}, propose at {fit.model.propose_threshold}")
            matcher.matcher.use_model(fit.model)
            since_refit, stretch = 0, []
    after = figures(matcher, reports, labels, scorer)
    print(f"after learning ({len(decisions)} curator decisions, {refits} refits), whole feed:",
          " ".join(f"{k}={v}" for k, v in after.items()))


if __name__ == "__main__":
    main()
