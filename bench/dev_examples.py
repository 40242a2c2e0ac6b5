"""Labelled candidates from a development feed, as the learned matcher fits them (no database).

Each report of the feed is matched by the heuristic matcher against the seed timeline
(bench.fixture_timeline); every candidate it scores becomes an Example: its named
features (sources.matching.learned.FEATURES), 1 when the labels accept that event, and the report
it belongs to. Only numbers leave this module: no text, no links.
"""
import json
from pathlib import Path

from bench.fixture_timeline import feed_reports, fixture_timeline
from sources.matching.learned import Example, candidate_features

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "fixtures" / "seed_timeline.json"


def dev_examples(feed, labels, name, matcher=None):
    """Yield (report, Examples of its candidates, its labelled events) for each labelled report
    of the feed, in feed order; name prefixes the report's group."""
    matcher = matcher or fixture_timeline(SEED)
    labels = json.loads(Path(labels).read_text())
    for position, (guid, report) in enumerate(feed_reports(feed)):
        label = labels.get(guid)
        if label is None:
            continue
        scored = sorted(matcher.match(report).scored, key=lambda s: -s.score)
        accept = set(label["accept"])
        examples = [Example(candidate_features(scored, i), int(s.slug in accept), f"{name}:{position}")
                    for i, s in enumerate(scored)]
        yield report, examples, accept
